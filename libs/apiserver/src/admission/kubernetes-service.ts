import { jsonCodec, type EtcdStore } from '@ekslab/storage';
import { sleep, type Logger } from '@ekslab/runtime';
import { ApiStatusError } from '../http/status.js';
import { findResource } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';
import { Registry } from '../rest/registry.js';
import { createAdmission, type AdmissionOptions } from './chain.js';
import { kubernetesServiceIp, parseCidr } from './cidr.js';

/** Relative prefix of the apiserver leases, one key per replica IP with an etcd TTL, as kube-apiserver keeps `/registry/masterleases/`. */
export const MASTER_LEASES_PREFIX = '/masterleases/';

export interface KubernetesServiceOptions {
  readonly store: EtcdStore;
  readonly admission: AdmissionOptions;
  /** This replica's address as clients inside the cluster reach it (kube-apiserver --advertise-address). */
  readonly advertiseAddress: string;
  /** The port this replica serves on (--secure-port, 6443); the Endpoints' port. */
  readonly securePort: number;
  /** The Service's port; 443 as in every Kubernetes cluster. */
  readonly servicePort?: number;
  /** How often the lease is renewed and the Endpoints reconciled; kube-apiserver: 10 s. */
  readonly intervalMs?: number;
  /** Lease TTL; a replica that stops renewing drops out of the Endpoints after this (kube-apiserver: 15 s). */
  readonly leaseTtlSeconds?: number;
  readonly log?: Logger;
  readonly now?: () => number;
}

const services = findResource('', 'v1', 'services')!;
const endpoints = findResource('', 'v1', 'endpoints')!;
const endpointSlices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

const absolute = (store: EtcdStore, rel: string): string => (store.prefix === '/' ? rel : `${store.prefix}${rel}`);

/** The `kubernetes` Service as the controlplane's kubernetesservice controller creates it. */
export function kubernetesService(opts: Pick<KubernetesServiceOptions, 'admission' | 'securePort' | 'servicePort'>): KubeObject {
  return {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: kubernetesServiceIp(parseCidr(opts.admission.serviceClusterIpRange)),
      ports: [{ name: 'https', port: opts.servicePort ?? 443, protocol: 'TCP', targetPort: opts.securePort }],
      sessionAffinity: 'None',
    },
  };
}

/** Renews this replica's lease: a fresh etcd lease each time, so a dead replica's key expires on its own. */
async function renewLease(opts: KubernetesServiceOptions): Promise<void> {
  const lease = opts.store.client.lease(opts.leaseTtlSeconds ?? 15, { autoKeepAlive: false });
  const value = jsonCodec.encode({ metadata: { name: opts.advertiseAddress }, port: opts.securePort });
  await lease.put(absolute(opts.store, `${MASTER_LEASES_PREFIX}${opts.advertiseAddress}`)).value(value);
  lease.release();
}

async function liveAddresses(opts: KubernetesServiceOptions, signal: AbortSignal): Promise<string[]> {
  const listed = await opts.store.list(MASTER_LEASES_PREFIX, { signal });
  return [...new Set(listed.items.map((l) => String(l.metadata?.name)))].sort();
}

/** Creates or converges one object: `desired` fields overwrite, everything else is kept. */
async function converge(registry: Registry, info: typeof endpoints, desired: KubeObject, fields: readonly string[], signal: AbortSignal): Promise<void> {
  const t = { info, namespace: 'default', name: desired.metadata.name! };
  const same = (o: KubeObject): boolean => fields.every((f) => JSON.stringify(o[f]) === JSON.stringify(desired[f]));
  try {
    const current = await registry.get(t, signal);
    if (same(current)) return;
  } catch (err) {
    if (!(err instanceof ApiStatusError && err.status.code === 404)) throw err;
    try {
      await registry.create(info, 'default', structuredClone(desired), { dryRun: false, signal });
      return;
    } catch (e) {
      if (!(e instanceof ApiStatusError && e.status.code === 409)) throw e;
    }
  }
  await registry.mutate(t, (o) => ({ ...o, ...Object.fromEntries(fields.map((f) => [f, structuredClone(desired[f])])) }), { dryRun: false, signal });
}

async function writeEndpoints(registry: Registry, opts: KubernetesServiceOptions, addresses: readonly string[], signal: AbortSignal): Promise<void> {
  const port = { name: 'https', port: opts.securePort, protocol: 'TCP' };
  await converge(registry, endpoints, {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: addresses.length ? [{ addresses: addresses.map((ip) => ({ ip })), ports: [port] }] : [],
  }, ['subsets'], signal);
  await converge(registry, endpointSlices, {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [port],
  }, ['addressType', 'endpoints', 'ports'], signal);
}

/**
 * One pass: the `kubernetes` Service exists (ClusterIP = first address of the range, allocated like any
 * other), this replica's lease is renewed, and the Endpoints / EndpointSlice `default/kubernetes` list
 * exactly the replicas with a live lease (this one always included), sorted.
 */
export async function reconcileKubernetesService(opts: KubernetesServiceOptions, signal: AbortSignal): Promise<string[]> {
  const registry = new Registry(opts.store, opts.now, createAdmission(opts.admission));
  const desired = kubernetesService(opts);
  try {
    await registry.get({ info: services, namespace: 'default', name: 'kubernetes' }, signal);
  } catch (err) {
    if (!(err instanceof ApiStatusError && err.status.code === 404)) throw err;
    await registry.create(services, 'default', desired, { dryRun: false, signal }).catch((e: unknown) => {
      if (!(e instanceof ApiStatusError && e.status.code === 409)) throw e;
    });
  }
  await renewLease(opts);
  const addresses = [...new Set([...(await liveAddresses(opts, signal)), opts.advertiseAddress])].sort();
  await writeEndpoints(registry, opts, addresses, signal);
  return addresses;
}

/** Drops this replica: its lease and its address in the Endpoints (what kube-apiserver does on shutdown). */
export async function removeApiserverEndpoint(opts: KubernetesServiceOptions, signal: AbortSignal): Promise<void> {
  const registry = new Registry(opts.store, opts.now);
  await opts.store.client.delete().key(absolute(opts.store, `${MASTER_LEASES_PREFIX}${opts.advertiseAddress}`));
  const addresses = (await liveAddresses(opts, signal)).filter((a) => a !== opts.advertiseAddress);
  await writeEndpoints(registry, opts, addresses, signal);
}

/**
 * Runs on every replica (no leader election, like kube-apiserver's lease endpoint reconciler) until
 * `signal` aborts, then removes this replica from the Endpoints. A replica that dies without that cleanup
 * drops out when its lease expires (`leaseTtlSeconds`) and the next pass of any live replica rewrites the
 * Endpoints. Failures are logged and retried on the next interval.
 */
export async function startKubernetesServiceReconciler(opts: KubernetesServiceOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await reconcileKubernetesService(opts, signal);
    } catch (err) {
      if (signal.aborted) break;
      opts.log?.warn({ err }, 'cannot reconcile the kubernetes Service and its Endpoints; retrying');
    }
    await sleep(opts.intervalMs ?? 10_000, signal).catch(() => undefined);
  }
  await removeApiserverEndpoint(opts, AbortSignal.timeout(5_000)).catch((err: unknown) => opts.log?.warn({ err }, 'cannot remove this apiserver from the kubernetes Endpoints'));
}
