import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { forbiddenStatus, jwks, jwksPath, openIdConfiguration, openIdConfigurationPath, parseRequestInfo, type Authenticator, type Authorizer, type UserInfo } from '@ekslab/apiserver-auth';
import type { Logger } from '@ekslab/runtime';
import type { EtcdStore } from '@ekslab/storage';
import { admissionFor, type AdmissionOptions } from '../admission/chain.js';
import type { WatchCacheSet } from '../cache/cache-set.js';
import { discovery, versionInfo } from '../discovery.js';
import { handleResource } from '../rest/handlers.js';
import { Registry } from '../rest/registry.js';
import type { ServiceAccountTokenOptions } from '../rest/token-request.js';
import { auditEvent, type AuditSink } from '../audit.js';
import type { NodeAgentOptions } from '../node-agents.js';
import { actAs } from './impersonation.js';
import { InflightLimiter } from './inflight.js';
import { serveOpenApi } from './openapi.js';
import { route } from './route.js';
import { ApiStatusError, failure, statusOf } from './status.js';

export interface ApiServerOptions {
  readonly store: EtcdStore;
  readonly log: Logger;
  /** Reported by `/version`, e.g. `v1.33.5-eks-ekslab`. */
  readonly gitVersion: string;
  /** Largest request body accepted (413 above it); EKS's 1.5 MiB object limit by default. */
  readonly maxRequestBytes: number;
  /** How often a watch that asked for bookmarks gets one (kube-apiserver: about every minute). */
  readonly bookmarkIntervalMs: number;
  /** A watch without timeoutSeconds ends after 1x–2x this (kube-apiserver --min-request-timeout, 1800 s). */
  readonly minRequestTimeoutMs: number;
  readonly now?: () => number;
  /** kube-apiserver --max-requests-inflight (400) and --max-mutating-requests-inflight (200); 0 = unlimited. */
  readonly maxRequestsInflight?: number;
  readonly maxMutatingRequestsInflight?: number;
  /** Audit events (Metadata level) for every authenticated request; none when absent. */
  readonly audit?: AuditSink;
  /**
   * Authentication and authorization (kube-apiserver's chain: x509 / bearer token / anonymous, then
   * system:masters / Node / RBAC). Without it every request is served as an anonymous superuser — only for
   * tests of the REST layer itself.
   */
  readonly auth?: { readonly authenticator: Authenticator; readonly authorizer: Authorizer };
  /**
   * Admission plugins' settings (service CIDR, NodePort range, default toleration seconds); EKS defaults
   * when absent. `false` turns admission off (only for tests of the REST layer itself).
   */
  readonly admission?: AdmissionOptions | false;
  /**
   * Service-account token issuing (serviceaccounts/token) and the OIDC discovery documents
   * (`/.well-known/openid-configuration`, `/openid/v1/jwks`); both 404 when absent.
   */
  readonly serviceAccountTokens?: ServiceAccountTokenOptions;
  /** How `pods/log` reaches node agents (port, credentials); plaintext to the Node's kubelet port when absent. */
  readonly nodeAgents?: NodeAgentOptions;
  /**
   * The process's watch cache (one per apiserver process, shared by REST and gRPC; started by the caller):
   * watches, cacheable lists and NamespaceLifecycle read it. Without it every read goes to etcd.
   */
  readonly watchCache?: WatchCacheSet;
}

const superuser: UserInfo = { username: 'system:anonymous', groups: ['system:masters'] };

/** Who sent the request, or the 401 Status when the credentials are bad. */
async function authenticate(opts: ApiServerOptions, req: IncomingMessage, signal: AbortSignal): Promise<UserInfo> {
  if (!opts.auth) return superuser;
  const socket = req.socket as Partial<TLSSocket>;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : undefined;
  const result = await opts.auth.authenticator.authenticate({
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    ...(peer && Object.keys(peer).length > 0 ? { peerCertificate: peer } : {}),
  }, signal);
  if ('error' in result) throw failure(401, 'Unauthorized', 'Unauthorized');
  return result.user;
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  // Encoded once: measuring the string and then writing it would convert it to UTF-8 twice.
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': bytes.length, 'cache-control': 'no-cache, private' });
  res.end(bytes);
}

/** A public, cacheable document (kube-apiserver serves the OIDC discovery documents with max-age=3600). */
function sendDocument(res: ServerResponse, type: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'public, max-age=3600' });
  res.end(text);
}

/**
 * The Kubernetes REST API over one etcd store. Every failure becomes a `metav1.Status`; nothing a request
 * sends can take the server down.
 */
export function createApiHandler(opts: ApiServerOptions): ApiHandler {
  const registry = new Registry(opts.store, opts.now, admissionFor(opts), opts.watchCache);
  const version = versionInfo(opts.gitVersion);

  const serve = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const path = url.pathname;
    const requester = await authenticate(opts, req, signal);
    users.set(req, { user: requester });
    const user = actAs(opts, req, res, requester);
    if (!user) return;
    if (user !== requester) users.set(req, { user: requester, impersonated: user });
    if (opts.auth) {
      const attrs = parseRequestInfo(req.method ?? 'GET', req.url ?? '/');
      const { decision, reason } = opts.auth.authorizer.authorize(user, attrs);
      if (decision !== 'allow') {
        const status = forbiddenStatus(user, attrs, reason);
        return sendJson(res, 403, status);
      }
    }
    if (path === '/version' || path === '/version/') return sendJson(res, 200, version);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const sa = opts.serviceAccountTokens;
    if (sa && (path === openIdConfigurationPath || path === `${openIdConfigurationPath}/`)) {
      return sendDocument(res, 'application/json', openIdConfiguration(sa.issuer, sa.jwksUri));
    }
    if (sa && (path === jwksPath || path === `${jwksPath}/`)) return sendDocument(res, 'application/jwk-set+json', jwks(sa.publicKeys));
    if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return serveOpenApi(req, res, url, opts.gitVersion);
    const r = route(path, url.searchParams);
    switch (r.kind) {
      case 'discovery': {
        const doc = discovery(path);
        if (doc === undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, doc);
      }
      case 'unknown-resource':
        throw failure(404, 'NotFound', 'the server could not find the requested resource', {
          ...(r.group ? { group: r.group } : {}), kind: r.resource,
        });
      case 'not-found':
        throw failure(404, 'NotFound', 'the server could not find the requested resource');
      case 'resource':
        return handleResource({ req, res, route: r, query: url.searchParams, registry, store: opts.store, signal, options: opts, user });
    }
  };

  const users = new WeakMap<IncomingMessage, { user: UserInfo; impersonated?: UserInfo }>();
  const limiter = new InflightLimiter(opts.maxRequestsInflight ?? 400, opts.maxMutatingRequestsInflight ?? 200);
  return (req, res) => {
    const ac = new AbortController();
    // 'close' also follows a response sent in full; only a connection lost before that aborts the work.
    res.once('close', () => {
      if (!res.writableFinished) ac.abort(new Error('client went away'));
    });
    const started = Date.now();
    let release = (): void => undefined;
    Promise.resolve()
      .then(() => {
        release = limiter.acquire(req, new URL(req.url ?? '/', 'https://apiserver'));
        res.once('close', release);
        return serve(req, res, ac.signal);
      })
      .catch((err: unknown) => {
        const status = statusOf(err);
        if (!(err instanceof ApiStatusError) && status.code >= 500) opts.log.error({ err, url: req.url, method: req.method }, 'request failed');
        if (res.headersSent) {
          res.end();
          return;
        }
        if (status.code === 429) res.setHeader('retry-after', String(status.details?.retryAfterSeconds ?? 1));
        sendJson(res, status.code, status);
      })
      .finally(() => {
        const who = users.get(req);
        if (opts.audit && who) opts.audit.record(auditEvent(req, who.user, res.statusCode, started, Date.now(), who.impersonated));
        opts.log.debug({ method: req.method, url: req.url, code: res.statusCode, ms: Date.now() - started }, 'request');
      });
  };
}

