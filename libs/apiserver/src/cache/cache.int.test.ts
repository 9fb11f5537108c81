import { createLogger } from '@ekslab/runtime';
import { EtcdStore, keyFor, TooOldResourceVersionError, type StorageWatch, type WatchEvent } from '@ekslab/storage';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../rest/objects.js';
import { WatchCacheSet } from './cache-set.js';
import { TooLargeResourceVersionError } from './errors.js';

const log = createLogger('watch-cache-test', 'error');
const cmKey = (ns: string, name: string): string => keyFor({ group: '', resource: 'configmaps', namespace: ns, name });
const secretKey = (ns: string, name: string): string => keyFor({ group: '', resource: 'secrets', namespace: ns, name });
const cm = (ns: string, name: string, v = '0'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } });
const secret = (ns: string, name: string): KubeObject => ({ metadata: { name, namespace: ns } });
const CMS = '/core/configmaps/';

type Change = [type: string, name: string, rv: string];
const changeOf = (e: WatchEvent<KubeObject>): Change => [e.type, e.type === 'BOOKMARK' ? '' : e.object.metadata.name ?? '', e.resourceVersion];

/** The next `count` non-bookmark events, each within `timeoutMs`; fails if the watch ends first. */
async function changes(watch: StorageWatch<KubeObject>, count: number, timeoutMs = 10_000): Promise<Change[]> {
  const it = watch[Symbol.asyncIterator]();
  const out: Change[] = [];
  while (out.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([it.next(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${out.length}/${count} events within ${timeoutMs} ms`)), timeoutMs)))]).finally(() => clearTimeout(timer));
    if (r.done) throw new Error(`watch ended after ${out.length}/${count} events`);
    if (r.value.type !== 'BOOKMARK') out.push(changeOf(r.value));
  }
  return out;
}

/** Whether the watch's iteration ends (rather than yields) within `timeoutMs`. */
async function ends(watch: StorageWatch<KubeObject>, timeoutMs = 10_000): Promise<boolean> {
  const it = watch[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([it.next(), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), deadline - Date.now())))]).finally(() => clearTimeout(timer));
    if (r === 'timeout') return false;
    if (r.done) return true;
  }
  return false;
}

describe('WatchCacheSet over real etcd', () => {
  const etcd = useEtcdCluster({ members: 3 });
  const ac = new AbortController();
  let writer: EtcdStore;
  let cacheStore: EtcdStore;
  let cache: WatchCacheSet;
  let metrics: MetricsRegistry;
  let running: Promise<void>;

  beforeAll(async () => {
    // The cache's replica talks to member 0 only, so a test can cut it off; the writer ("another replica") to the others.
    writer = new EtcdStore({ endpoints: etcd().endpoints.slice(1), requestTimeoutMs: 2_000 });
    cacheStore = new EtcdStore({ endpoints: [etcd().endpoint(0)], requestTimeoutMs: 2_000 });
    metrics = new MetricsRegistry();
    cache = new WatchCacheSet({ store: cacheStore, log, metrics, retryDelayMs: 200, watcherBufferSize: 200, sizing: { lowerBound: 50, upperBound: 50 }, freshnessTimeoutMs: 3_000 });
    running = cache.start(ac.signal);
    await waitFor(() => cache.hasSynced(), { description: 'every resource cache synced', timeoutMs: 30_000 });
  }, 60_000);

  afterAll(async () => {
    ac.abort(new Error('test over'));
    await running;
    writer.close();
    cacheStore.close();
  });

  it('cache — a list from the cache equals the etcd list, for the resource and for one namespace', async () => {
    for (const ns of ['a', 'b', 'c']) for (let i = 0; i < 5; i++) await writer.create(cmKey(ns, `cm-${i}`), cm(ns, `cm-${i}`));
    await writer.delete(cmKey('b', 'cm-3'));
    await writer.guaranteedUpdate<KubeObject>(cmKey('c', 'cm-1'), (o) => ({ ...o, data: { v: 'changed' } }));
    const signal = AbortSignal.timeout(10_000);
    for (const prefix of [CMS, '/core/configmaps/b/']) {
      const fromCache = await cache.list(prefix, { signal });
      const fromEtcd = await writer.list<KubeObject>(prefix);
      expect(fromCache.items).toEqual(fromEtcd.items);
      expect(BigInt(fromCache.resourceVersion)).toBeGreaterThanOrEqual(BigInt(fromEtcd.resourceVersion));
    }
    // resourceVersion=0 answers at once with whatever the cache holds (by now, the same).
    expect((await cache.list(CMS, { signal, resourceVersion: '0' })).items).toEqual((await writer.list<KubeObject>(CMS)).items);
  });

  it('cache — a watch from a revision in the window replays exactly the missing events, in order (as etcd does)', async () => {
    const from = await writer.currentRevision();
    await writer.create(cmKey('replay', 'x'), cm('replay', 'x'));
    await writer.create(cmKey('replay', 'y'), cm('replay', 'y'));
    await writer.guaranteedUpdate<KubeObject>(cmKey('replay', 'x'), (o) => ({ ...o, data: { v: '1' } }));
    await writer.delete(cmKey('replay', 'y'));
    await writer.create(cmKey('other', 'z'), cm('other', 'z'));
    const latest = await writer.currentRevision();
    await cache.list(CMS, { signal: AbortSignal.timeout(5_000) }); // the cache has caught up
    const expected = await changes(await writer.watch<KubeObject>('/core/configmaps/replay/', { fromRevision: from, progressNotify: false }), 4);
    const ctl = new AbortController();
    const watch = await cache.watchSource().watch('/core/configmaps/replay/', from, false, ctl.signal);
    expect(await changes(watch, 4)).toEqual(expected);
    expect(expected.map(([type, name]) => `${type} ${name}`)).toEqual(['ADDED x', 'ADDED y', 'MODIFIED x', 'DELETED y']);
    // Then live: the next change arrives after the replay.
    const next = changes(watch, 1);
    const created = await writer.create(cmKey('replay', 'live'), cm('replay', 'live'));
    expect(await next).toEqual([['ADDED', 'live', created.metadata.resourceVersion]]);
    expect(BigInt(created.metadata.resourceVersion!)).toBeGreaterThan(BigInt(latest));
    ctl.abort();
  });

  it('cache — a watch from a revision older than the window is 410 Expired (too old resource version)', async () => {
    const from = await writer.currentRevision();
    for (let i = 0; i < 60; i++) await writer.create(cmKey('window', `w-${i}`), cm('window', `w-${i}`));
    await cache.list(CMS, { signal: AbortSignal.timeout(5_000) });
    const err = await cache.watchSource().watch(CMS, from, false, AbortSignal.timeout(5_000)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TooOldResourceVersionError);
    expect(err).toMatchObject({ code: 410, reason: 'Expired' });
    expect((err as Error).message).toMatch(new RegExp(`^too old resource version: ${from} \\(\\d+\\)$`));
  });

  it('cache — a list at a resourceVersion the cache never reaches is 504 Too large resource version', async () => {
    const far = BigInt(await writer.currentRevision()) + 1_000n;
    const err = await cache.list(CMS, { signal: AbortSignal.timeout(10_000), resourceVersion: String(far), resourceVersionMatch: 'NotOlderThan' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeResourceVersionError);
    expect(err).toMatchObject({ status: { code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 } } });
  });

  it('cache — a consistent list sees a write made just before through another replica, even on an idle resource', async () => {
    for (let i = 0; i < 10; i++) {
      const created = await writer.create(cmKey('consistent', `c-${i}`), cm('consistent', `c-${i}`));
      const listed = await cache.list('/core/configmaps/consistent/', { signal: AbortSignal.timeout(5_000) });
      expect(listed.items.map((o) => o.metadata.name)).toContain(`c-${i}`);
      expect(BigInt(listed.resourceVersion)).toBeGreaterThanOrEqual(BigInt(created.metadata.resourceVersion!));
    }
    // Secrets saw no change: only etcd progress notifications can bring its cache up to the current revision.
    await writer.create(cmKey('consistent', 'bump'), cm('consistent', 'bump'));
    const current = BigInt(await writer.currentRevision());
    const secrets = await cache.list('/core/secrets/', { signal: AbortSignal.timeout(5_000) });
    expect(BigInt(secrets.resourceVersion)).toBeGreaterThanOrEqual(current);
    const reads = await metrics.getSingleMetric('apiserver_watch_cache_consistent_read_total')!.get();
    const fallbacks = reads.values.filter((v) => v.labels['fallback'] === 'true').reduce((n, v) => n + v.value, 0);
    const served = reads.values.filter((v) => v.labels['fallback'] === 'false').reduce((n, v) => n + v.value, 0);
    expect(fallbacks).toBe(0);
    expect(served).toBeGreaterThanOrEqual(11);
  });

  it('cache — many watchers all see every event, in order; a watcher that stops reading is terminated without holding the others', async () => {
    const from = await writer.currentRevision();
    const ctl = new AbortController();
    const source = cache.watchSource();
    const watchers = await Promise.all(Array.from({ length: 50 }, () => source.watch('/core/configmaps/fanout/', from, false, ctl.signal)));
    const stuck = await source.watch('/core/configmaps/fanout/', from, false, ctl.signal);
    const seen = watchers.map((w) => changes(w, 250, 20_000));
    const written: Change[] = [];
    for (let i = 0; i < 250; i++) {
      const o = await writer.create(cmKey('fanout', `f-${i}`), cm('fanout', `f-${i}`));
      written.push(['ADDED', `f-${i}`, o.metadata.resourceVersion!]);
    }
    for (const s of await Promise.all(seen)) expect(s).toEqual(written);
    // 250 events > the 200-event watcher buffer: the watcher nobody read was closed; its iteration ends.
    expect(await ends(stuck, 5_000)).toBe(true);
    const terminated = await metrics.getSingleMetric('apiserver_terminated_watchers_total')!.get();
    expect(terminated.values.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(1);
    ctl.abort();
  }, 60_000);

  it('cache — resuming from a revision etcd compacted is 410 Expired even while the window still holds it', async () => {
    const from = await writer.currentRevision();
    await writer.create(cmKey('compacted', 'a'), cm('compacted', 'a'));
    const latest = (await writer.create(cmKey('compacted', 'b'), cm('compacted', 'b'))).metadata.resourceVersion!;
    await cache.list(CMS, { signal: AbortSignal.timeout(5_000) });
    const ctl = new AbortController();
    // Before compaction the window serves it.
    expect(await changes(await cache.watchSource().watch('/core/configmaps/compacted/', from, false, ctl.signal), 2)).toHaveLength(2);
    await writer.compact(latest);
    await expect(cache.watchSource().watch('/core/configmaps/compacted/', from, false, ctl.signal)).rejects.toMatchObject({ code: 410, reason: 'Expired' });
    ctl.abort();
  });

  it('cache — a resource left uncached (--watch-cache-sizes secrets#0) is listed and watched from etcd', async () => {
    const partial = new WatchCacheSet({ store: writer, log, uncached: new Set(['secrets']) });
    expect(partial.cacheFor('/core/secrets/')).toBeUndefined();
    expect(partial.cacheFor('/core/configmaps/')).toBeDefined();
    expect(partial.unsynced()).not.toContain('secrets');
    await writer.create(secretKey('uncached', 's1'), secret('uncached', 's1'));
    const signal = AbortSignal.timeout(5_000);
    // Never started, yet it answers: the list and the watch go to etcd.
    const listed = await partial.list('/core/secrets/uncached/', { signal });
    expect(listed.items.map((o) => o.metadata.name)).toEqual(['s1']);
    const ctl = new AbortController();
    const watch = await partial.watchSource().watch('/core/secrets/uncached/', listed.resourceVersion, false, ctl.signal);
    const next = changes(watch, 1);
    const created = await writer.create(secretKey('uncached', 's2'), secret('uncached', 's2'));
    expect(await next).toEqual([['ADDED', 's2', created.metadata.resourceVersion]]);
    ctl.abort();
  });

  it('cache — compaction while its etcd member is down: the cache re-lists, ends its watchers, and matches etcd again', async () => {
    const secretsCache = cache.cacheFor('/core/secrets/')!;
    await writer.create(secretKey('relist', 'before'), secret('relist', 'before'));
    await cache.list('/core/secrets/', { signal: AbortSignal.timeout(5_000) });
    const before = String(secretsCache.revision);
    const ctl = new AbortController();
    const watcher = await cache.watchSource().watch('/core/secrets/', before, false, ctl.signal);
    const watcherEnded = ends(watcher, 60_000);

    await etcd().stop(0);
    for (let i = 0; i < 5; i++) await writer.create(secretKey('relist', `during-${i}`), secret('relist', `during-${i}`));
    await writer.delete(secretKey('relist', 'before'));
    await writer.compact(await writer.currentRevision());
    await etcd().start(0);
    await etcd().waitHealthy({ timeoutMs: 60_000 });

    const latest = BigInt(await writer.currentRevision());
    await waitFor(() => secretsCache.revision >= latest, { description: 'the secrets cache back at the current revision', timeoutMs: 60_000, intervalMs: 200 });
    expect(await watcherEnded).toBe(true);
    const inits = await metrics.getSingleMetric('apiserver_watch_cache_initializations_total')!.get();
    expect(inits.values.find((v) => v.labels['resource'] === 'secrets')?.value).toBeGreaterThanOrEqual(2);
    const fromCache = await cache.list('/core/secrets/relist/', { signal: AbortSignal.timeout(10_000) });
    expect(fromCache.items).toEqual((await writer.list<KubeObject>('/core/secrets/relist/')).items);
    expect(fromCache.items.map((o) => o.metadata.name)).toEqual(['during-0', 'during-1', 'during-2', 'during-3', 'during-4']);
    // The events during the outage are not in the window: resuming from before it is 410, from now works.
    await expect(cache.watchSource().watch('/core/secrets/', before, false, ctl.signal)).rejects.toBeInstanceOf(TooOldResourceVersionError);
    const again = await cache.watchSource().watch('/core/secrets/relist/', String(secretsCache.revision), false, ctl.signal);
    const next = changes(again, 1);
    const created = await writer.create(secretKey('relist', 'after'), secret('relist', 'after'));
    expect(await next).toEqual([['ADDED', 'after', created.metadata.resourceVersion]]);
    ctl.abort();
  }, 180_000);
});
