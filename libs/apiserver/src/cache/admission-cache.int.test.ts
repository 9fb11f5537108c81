import { createLogger } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmission } from '../admission/chain.js';
import { findResource } from '../resources.js';
import { Registry } from '../rest/registry.js';
import { WatchCacheSet } from './cache-set.js';

const pods = findResource('', 'v1', 'pods')!;
const namespaces = findResource('', 'v1', 'namespaces')!;
const serviceAccounts = findResource('', 'v1', 'serviceaccounts')!;
const priorityClasses = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
const log = createLogger('watch-cache-test', 'error');
const w = (): { dryRun: false; signal: AbortSignal } => ({ dryRun: false, signal: AbortSignal.timeout(10_000) });
const pod = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra } });
const admission = createAdmission({ serviceClusterIpRange: '10.100.0.0/16', serviceNodePortRange: '30000-32767', defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300 });

describe('admission reads through the watch cache', () => {
  const etcd = useEtcdCluster({ members: 1 });
  let store: EtcdStore;
  let n = 0;
  /** A fresh prefix, a registry on a running cache, and one whose cache has synced and then stopped (frozen). */
  async function fresh(): Promise<{ other: Registry; live: Registry; frozen: Registry; cache: WatchCacheSet; stop: () => void }> {
    const s = new EtcdStore({ client: store.client, prefix: `/c${++n}` });
    const other = new Registry(s, Date.now, admission);
    const running = new AbortController();
    const cache = new WatchCacheSet({ store: s, log, retryDelayMs: 100 });
    void cache.start(running.signal);
    const stopped = new AbortController();
    const frozenCache = new WatchCacheSet({ store: s, log });
    const done = frozenCache.start(stopped.signal);
    await waitFor(() => cache.hasSynced() && frozenCache.hasSynced(), { description: 'both caches synced', timeoutMs: 20_000 });
    stopped.abort(new Error('frozen'));
    await done;
    return { other, live: new Registry(s, Date.now, admission, cache), frozen: new Registry(s, Date.now, admission, frozenCache), cache, stop: () => running.abort(new Error('test over')) };
  }

  beforeAll(() => {
    store = new EtcdStore({ endpoints: etcd().endpoints });
  });
  afterAll(() => store.close());

  it('NamespaceLifecycle — a namespace the cache has not seen yet is read from etcd, so a pod in it is admitted', async () => {
    const { other, frozen, stop } = await fresh();
    await other.create(namespaces, undefined, { metadata: { name: 'brand-new' } }, w());
    const created = await frozen.create(pods, 'brand-new', pod('p'), w());
    expect(created.metadata.namespace).toBe('brand-new');
    await expect(frozen.create(pods, 'missing', pod('p'), w())).rejects.toMatchObject({ status: { code: 404, reason: 'NotFound', message: 'namespaces "missing" not found' } });
    stop();
  });

  it('NamespaceLifecycle — a terminating namespace in the cache refuses new pods (403)', async () => {
    const { other, live, cache, stop } = await fresh();
    await other.create(namespaces, undefined, { metadata: { name: 'going' } }, w());
    await other.delete({ info: namespaces, name: 'going' }, { ...w() });
    await waitFor(() => (cache.getCached('/core/namespaces/going')?.metadata.deletionTimestamp ? true : undefined), { description: 'the cache sees the namespace terminating' });
    await expect(live.create(pods, 'going', pod('p'), w())).rejects.toMatchObject({ status: { code: 403, reason: 'Forbidden' } });
    stop();
  });

  it('ServiceAccount — a cached service account lends its imagePullSecrets; a new one unknown to the cache is read from etcd', async () => {
    const { other, live, frozen, cache, stop } = await fresh();
    await other.create(namespaces, undefined, { metadata: { name: 'ns' } }, w());
    await other.create(serviceAccounts, 'ns', { metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'regcred' }] }, w());
    await waitFor(() => cache.getCached('/core/serviceaccounts/ns/builder'), { description: 'the cache has the service account' });
    const viaCache = await live.create(pods, 'ns', pod('a', { serviceAccountName: 'builder' }), w());
    expect((viaCache.spec as { imagePullSecrets?: unknown }).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    const viaEtcd = await frozen.create(pods, 'ns', pod('b', { serviceAccountName: 'builder' }), w());
    expect((viaEtcd.spec as { imagePullSecrets?: unknown }).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    await expect(live.create(pods, 'ns', pod('c', { serviceAccountName: 'nobody' }), w())).rejects.toMatchObject({ status: { code: 403 } });
    // A missing `default` is admitted without a round trip.
    expect((await live.create(pods, 'ns', pod('d'), w())).spec).toMatchObject({ serviceAccountName: 'default' });
    stop();
  });

  it('Priority — the global default class comes from the cache; a named class new to the cache from etcd', async () => {
    const { other, live, frozen, cache, stop } = await fresh();
    await other.create(namespaces, undefined, { metadata: { name: 'ns' } }, w());
    await other.create(priorityClasses, undefined, { metadata: { name: 'everyone' }, value: 1000, globalDefault: true }, w());
    await waitFor(() => cache.getCached('/scheduling.k8s.io/priorityclasses/everyone'), { description: 'the cache has the class' });
    expect((await live.create(pods, 'ns', pod('a'), w())).spec).toMatchObject({ priorityClassName: 'everyone', priority: 1000 });
    await other.create(priorityClasses, undefined, { metadata: { name: 'urgent' }, value: 5000 }, w());
    expect((await frozen.create(pods, 'ns', pod('b', { priorityClassName: 'urgent' }), w())).spec).toMatchObject({ priority: 5000 });
    stop();
  });
});
