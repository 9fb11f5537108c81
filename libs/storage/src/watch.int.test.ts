import { useEtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFor } from './keys.js';
import { EtcdStore } from './store.js';
import type { StoredObject } from './types.js';
import { WatchReader } from './watch-test-util.js';

const key = (name: string): string => keyFor({ group: 'apps', resource: 'deployments', namespace: 'watched', name });
const obj = (name: string, replicas: number): StoredObject => ({ metadata: { name, namespace: 'watched' }, spec: { replicas } });
const prefix = '/apps/deployments/watched/';

describe('EtcdStore.watch against a 3-member etcd cluster', () => {
  const etcd = useEtcdCluster({ members: 3, progressNotifyIntervalMs: 500 });
  let store: EtcdStore;
  beforeAll(() => {
    store = new EtcdStore({ endpoints: etcd().endpoints });
  });
  afterAll(() => store.close());

  it('watch — (b) from revision R delivers every later change in order, DELETED with the old object', async () => {
    const r = await store.currentRevision();
    const a1 = await store.create(key('a'), obj('a', 1));
    const a2 = await store.update(key('a'), { ...a1, spec: { replicas: 2 } });
    const b1 = await store.create(key('b'), obj('b', 1));
    const deletedA = await store.delete(key('a'));
    const watch = await store.watch(prefix, { fromRevision: r });
    const reader = new WatchReader(watch);
    const a3 = await store.create(key('a'), obj('a', 3));
    const b2 = await store.update(key('b'), { ...b1, spec: { replicas: 5 } });

    const events = await reader.changes(6);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'ADDED', 'DELETED', 'ADDED', 'MODIFIED']);
    const revisions = events.map((e) => Number(e.resourceVersion));
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(new Set(revisions).size).toBe(6);
    expect(events.map((e) => ('object' in e ? e.object : undefined))).toEqual([
      a1,
      a2,
      b1,
      { ...deletedA, metadata: { ...deletedA.metadata, resourceVersion: events[3]!.resourceVersion } },
      a3,
      b2,
    ]);
    expect(deletedA.spec).toEqual({ replicas: 2 });
    expect(Number(events[3]!.resourceVersion)).toBeGreaterThan(Number(a2.metadata!.resourceVersion));
    watch.close();
  });

  it('watch — a key watch sees only its key, starting after the given revision', async () => {
    const first = await store.create(key('solo'), obj('solo', 1));
    const watch = await store.watch(key('solo'), { fromRevision: first.metadata!.resourceVersion! });
    const reader = new WatchReader(watch);
    await store.create(key('solo-sibling'), obj('solo-sibling', 1));
    const second = await store.update(key('solo'), { ...first, spec: { replicas: 9 } });
    const [event] = await reader.changes(1);
    expect(event).toEqual({ type: 'MODIFIED', object: second, resourceVersion: second.metadata!.resourceVersion });
    watch.close();
  });

  it('watch — idle watches get progress notifications as bookmarks', async () => {
    const watch = await store.watch('/apps/deployments/idle/');
    const reader = new WatchReader(watch);
    const before = await store.currentRevision();
    const bookmark = await reader.bookmark(5_000);
    expect(Number(bookmark.resourceVersion)).toBeGreaterThanOrEqual(Number(before));
    watch.close();
  });

  it('watch — requestProgress answers with a bookmark at or after the latest write', async () => {
    const watch = await store.watch(prefix, { progressNotify: false });
    const reader = new WatchReader(watch);
    const written = await store.create(key('progress'), obj('progress', 1));
    const [added] = await reader.changes(1);
    expect(added?.resourceVersion).toBe(written.metadata!.resourceVersion);
    watch.requestProgress();
    const bookmark = await reader.bookmark(5_000);
    expect(Number(bookmark.resourceVersion)).toBeGreaterThanOrEqual(Number(written.metadata!.resourceVersion));
    watch.close();
  });

  it('watch — aborting the signal ends iteration with the reason', async () => {
    const controller = new AbortController();
    const watch = await store.watch(prefix, { signal: controller.signal, progressNotify: false });
    const reader = new WatchReader(watch);
    const reason = new Error('stop watching');
    controller.abort(reason);
    await expect(reader.next(2_000)).rejects.toBe(reason);
  });
});
