import { createServer } from 'node:https';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Authenticator, Authorizer, ClientCertAuthenticator, defaultJwksUri, eksIssuerUrl, ensureLabPki, ensureLabTokens, ServiceAccountTokenAuthenticator, ServiceAccountTokenSigner } from '@ekslab/apiserver-auth';
import { createApiHandler, ensureBootstrapObjects, listenGrpc, NatsAuditSink, RbacCache, startKubernetesServiceReconciler, storageObjectLookup, WatchCacheSet, type AdmissionOptions, type ApiServerOptions, type ServiceAccountTokenOptions } from '@ekslab/apiserver';
import { networkInterfaces } from 'node:os';
import { sleep, untilAborted, withOpsServer, type Logger } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { info, type Config } from './config.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/**
 * Serves the Kubernetes API over HTTPS on `--secure-port` until `signal` aborts: lab PKI and tokens from
 * `--cert-dir` (created on first start), bootstrap namespaces and RBAC policy in etcd, then requests.
 * Ready while etcd answers and the RBAC cache has synced.
 */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const store = new EtcdStore({ endpoints: [...config.etcdServers], prefix: config.etcdPrefix, requestTimeoutMs: config.etcdRequestTimeout });
  try {
    await withOpsServer(info.service, config, log, async (ops) => {
      const rbac = new RbacCache(store, log);
      // One watch cache per process, shared by REST and gRPC (kube-apiserver's cacher).
      const watchCache = config.watchCache === 'true' && config.defaultWatchCacheSize > 0 ? new WatchCacheSet({
        store, log, metrics: ops.registry, watcherBufferSize: config.watchCacheWatcherBuffer, freshnessTimeoutMs: config.watchCacheBlockTimeout,
        uncached: new Set([...config.watchCacheSizes].filter(([, size]) => size === 0).map(([name]) => name)),
        sizing: { lowerBound: config.defaultWatchCacheSize, upperBound: Math.max(config.defaultWatchCacheSize, 100 * 1024), eventFreshMs: config.watchCacheEventFreshDuration },
      }) : undefined;
      let serving = false;
      ops.readiness.add('etcd', async (s) => {
        await store.currentRevision({ signal: s });
      });
      ops.readiness.add('rbac-cache', () => {
        if (!rbac.hasSynced()) throw new Error('RBAC cache not synced');
      });
      if (watchCache) {
        ops.readiness.add('watch-cache', () => {
          const unsynced = watchCache.unsynced();
          if (unsynced.length > 0) throw new Error(`watch cache not synced: ${unsynced.join(', ')}`);
        });
      }
      ops.readiness.add('serving', () => {
        if (!serving) throw new Error('the Kubernetes API is not listening yet');
      });
      const sans = { dns: config.tlsSan.filter((s) => !isIP(s)), ips: config.tlsSan.filter((s) => isIP(s)) };
      const pki = await ensureLabPki(config.certDir, { sans, signal });
      const tokens = await ensureLabTokens(config.certDir);
      // Like kube-apiserver, wait for etcd rather than exit: /healthz stays ok, /readyz says what is missing.
      for (let attempt = 1; ; attempt++) {
        try {
          await ensureBootstrapObjects(store, log, signal);
          break;
        } catch (err) {
          if (signal.aborted) return;
          log.warn({ err, attempt }, 'cannot write the bootstrap objects yet (is etcd reachable?); retrying');
          await sleep(Math.min(1_000 * attempt, 10_000), signal).catch(() => undefined);
          if (signal.aborted) return;
        }
      }
      const cacheDone = rbac.start(signal);
      const watchCacheDone = watchCache?.start(signal);
      await Promise.race([rbac.waitForSync(), untilAborted(signal)]);
      if (signal.aborted) {
        await Promise.all([cacheDone, watchCacheDone]);
        return;
      }
      const saKey = pki.serviceAccountKey;
      const serviceAccountTokens: ServiceAccountTokenOptions = {
        issuer: config.serviceAccountIssuer || eksIssuerUrl(pki.ca.certPem, config.serviceAccountIssuerRegion),
        signer: new ServiceAccountTokenSigner(saKey.privateKey, saKey.publicKey), publicKeys: [saKey.publicKey], apiAudiences: config.apiAudiences,
        jwksUri: config.serviceAccountJwksUri || defaultJwksUri(`${config.advertiseAddress || advertiseAddress()}:${config.securePort}`),
        maxExpirationSeconds: Math.floor(config.serviceAccountMaxTokenExpiration / 1000), extendExpiration: config.serviceAccountExtendTokenExpiration === 'true',
      };
      // Never waits for NATS: events are buffered (bounded) until it answers.
      const audit = config.natsServers.length > 0
        ? NatsAuditSink.start({ servers: config.natsServers, log, registry: ops.registry, bufferSize: config.auditBufferSize, retryIntervalMs: config.auditNatsRetryInterval,
          batchMaxWaitMs: config.auditBatchMaxWait, batchMaxSize: config.auditBatchMaxSize })
        : undefined;
      const apiOptions: ApiServerOptions = {
        ...(audit ? { audit } : {}),
        ...(watchCache ? { watchCache } : {}),
        store, log, gitVersion: config.kubernetesVersion, serviceAccountTokens, maxRequestBytes: config.maxRequestBytes,
        bookmarkIntervalMs: config.watchBookmarkInterval, minRequestTimeoutMs: config.minRequestTimeout,
        maxRequestsInflight: config.maxRequestsInflight, maxMutatingRequestsInflight: config.maxMutatingRequestsInflight,
        admission: {
          serviceClusterIpRange: config.serviceClusterIpRange, serviceNodePortRange: config.serviceNodePortRange,
          defaultNotReadyTolerationSeconds: config.defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds: config.defaultUnreachableTolerationSeconds,
        },
        ...(config.authorizationMode === 'AlwaysAllow' ? {} : {
          auth: {
            authenticator: new Authenticator({
              clientCerts: new ClientCertAuthenticator(pki.ca.certPem),
              tokens: [tokens.tokenAuthenticator, tokens.nodeTokens, new ServiceAccountTokenAuthenticator({
                issuers: [serviceAccountTokens.issuer], publicKeys: serviceAccountTokens.publicKeys, apiAudiences: config.apiAudiences, lookup: storageObjectLookup(store),
              })],
              anonymous: config.anonymousAuth === 'true',
            }),
            authorizer: new Authorizer(rbac.rbac),
          },
        }),
      };
      const handler = createApiHandler(apiOptions);
      const server = createServer({ cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false }, handler);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.securePort, config.bindAddress, () => resolve());
      });
      // The internal gRPC API: same options, same TLS certificate and client CA, same lifetime.
      const grpc = await listenGrpc(apiOptions, {
        address: config.bindAddress, port: config.grpcPort, tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, caPem: pki.ca.certPem },
      }).catch((err: unknown) => {
        server.close();
        throw err;
      });
      log.info({ address: config.bindAddress, port: grpc.port }, 'serving the resource API over gRPC');
      // The `kubernetes` Service in `default`, whose Endpoints list the live replicas (kube-apiserver's lease reconciler).
      const kubernetesService = startKubernetesServiceReconciler({
        store, admission: apiOptions.admission as AdmissionOptions, advertiseAddress: config.advertiseAddress || advertiseAddress(),
        securePort: (server.address() as AddressInfo).port, log,
      }, signal);
      serving = true;
      log.info({ address: config.bindAddress, port: (server.address() as AddressInfo).port, etcd: config.etcdServers, certDir: config.certDir }, 'serving the Kubernetes API');
      await untilAborted(signal);
      grpc.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([cacheDone, watchCacheDone, kubernetesService]);
      await audit?.close();
    });
  } finally {
    store.close();
  }
}

/** The first non-loopback IPv4 address of this host (the container's address in the lab). */
function advertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
