import { Status } from '@ekslab/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeListerWatcher } from './fake-lister-watcher.js';
import { Informer } from './informer.js';
import { enqueueKeys, runWorkers } from './workers.js';
import { WorkQueue } from './workqueue.js';
import type { KubeObject } from './types.js';

interface Pod extends KubeObject {
  spec?: { nodeName?: string };
}

function pod(namespace: string, name: string, nodeName = ''): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, spec: { nodeName } };
}

/** Records handler calls as strings: "add ns/name@rv", "update ns/name rv→rv", "delete ns/name@rv[?]". */
function setup(options: { resyncPeriodMs?: number } = {}) {
  const clock = new FakeClock();
  const lw = new FakeListerWatcher<Pod>();
  const informer = new Informer<Pod>(lw, {
    clock,
    random: () => 0,
    resyncPeriodMs: options.resyncPeriodMs ?? 0,
    indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
  });
  const events: string[] = [];
  const id = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
  informer.addEventHandler({
    onAdd: (p) => events.push(`add ${id(p)}@${p.metadata.resourceVersion}`),
    onUpdate: (o, n) => events.push(`update ${id(n)} ${o.metadata.resourceVersion}→${n.metadata.resourceVersion}`),
    onDelete: (p, info) => events.push(`delete ${id(p)}@${p.metadata.resourceVersion}${info.finalStateUnknown ? '?' : ''}`),
  });
  const ac = new AbortController();
  let running: Promise<void> | undefined;
  const start = async () => {
    running = informer.start(ac.signal);
    await informer.waitForSync(ac.signal);
    await settle();
  };
  const stop = async () => {
    ac.abort();
    await running;
  };
  stops.push(stop);
  return { clock, lw, informer, events, start, stop };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('informer', () => {
  it('informer — initial list fills the cache, delivers adds, then watches from the list RV with bookmarks', async () => {
    const { lw, informer, events, start } = setup();
    lw.add(pod('default', 'a'));
    lw.add(pod('kube-system', 'b'));
    expect(informer.hasSynced()).toBe(false);
    await start();
    expect(informer.hasSynced()).toBe(true);
    expect(events).toEqual(['add default/a@1', 'add kube-system/b@2']);
    expect(informer.store.keys().sort()).toEqual(['default/a', 'kube-system/b']);
    expect(lw.listCalls[0]?.resourceVersion).toBe('0');
    expect(lw.watchCalls[0]).toMatchObject({ resourceVersion: '2', allowWatchBookmarks: true });
    expect(lw.watchCalls[0]?.timeoutSeconds).toBe(300);
  });

  it('informer — watch events become add/update/delete, delete carries the last state', async () => {
    const { lw, informer, events, start } = setup();
    await start();
    lw.add(pod('default', 'a'));
    lw.update(pod('default', 'a', 'node-1'));
    lw.delete('default/a');
    await settle();
    expect(events).toEqual(['add default/a@1', 'update default/a 1→2', 'delete default/a@3']);
    expect(informer.store.get('default/a')).toBeUndefined();
    expect(informer.lastSyncResourceVersion()).toBe('3');
  });

  it('informer — a bookmark moves the RV, a dropped watch resumes from it without relisting', async () => {
    const { lw, informer, events, start } = setup();
    await start();
    lw.add(pod('default', 'a'));
    await settle();
    const rv = lw.bookmark();
    await settle();
    expect(informer.lastSyncResourceVersion()).toBe(rv);
    lw.dropWatches();
    await settle();
    expect(lw.listCalls).toHaveLength(1);
    expect(lw.watchCalls.map((w) => w.resourceVersion)).toEqual(['0', rv]);
    lw.update(pod('default', 'a', 'n'));
    await settle();
    expect(events).toEqual(['add default/a@1', 'update default/a 1→3']);
  });

  it('informer — 410 Expired relists after backoff (RV ""), synthesizing deletes for vanished objects', async () => {
    const { clock, lw, informer, events, start } = setup();
    lw.add(pod('default', 'keep'));
    lw.add(pod('default', 'gone'));
    lw.add(pod('default', 'changed'));
    await start();
    lw.expire();
    await settle();
    // While the informer is not watching: changes it can only learn from a relist.
    lw.delete('default/gone');
    lw.update(pod('default', 'changed', 'n'));
    lw.add(pod('default', 'new'));
    expect(lw.listCalls).toHaveLength(1);
    await clock.advance(799);
    expect(lw.listCalls).toHaveLength(1);
    await clock.advance(1); // reflector backoff: 800 ms with zero jitter
    expect(lw.listCalls.map((c) => c.resourceVersion)).toEqual(['0', '']);
    expect(events.slice(3)).toEqual(['update default/changed 3→5', 'add default/new@6', 'delete default/gone@2?']);
    expect(informer.store.keys().sort()).toEqual(['default/changed', 'default/keep', 'default/new']);
    expect(lw.watchCalls.at(-1)?.resourceVersion).toBe('6');
  });

  it('informer — failed lists back off 800 ms, 1.6 s, 3.2 s … capped at 30 s', async () => {
    const { clock, lw, informer, start } = setup();
    const unavailable = new ApiError(Status.create({ code: 503, reason: 'ServiceUnavailable', message: 'down' }));
    for (let i = 0; i < 8; i++) lw.failNext('list', unavailable);
    const started = start();
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      await clock.advanceToNext();
      times.push(clock.now());
    }
    await started;
    expect(informer.hasSynced()).toBe(true);
    const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
    expect(gaps).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('informer — resync re-delivers every cached object as an update with old === new', async () => {
    const { clock, lw, events, start } = setup({ resyncPeriodMs: 1000 });
    lw.add(pod('default', 'a'));
    await start();
    await clock.advance(1000);
    await clock.advance(1000);
    expect(events).toEqual(['add default/a@1', 'update default/a 1→1', 'update default/a 1→1']);
  });

  it('informer — indexers: built-in namespace plus custom, kept consistent on update and delete', async () => {
    const { lw, informer, start } = setup();
    lw.add(pod('default', 'a', 'node-1'));
    lw.add(pod('default', 'b', 'node-2'));
    lw.add(pod('other', 'c', 'node-1'));
    await start();
    const names = (ps: Pod[]) => ps.map((p) => p.metadata.name).sort();
    expect(names(informer.store.byIndex('namespace', 'default'))).toEqual(['a', 'b']);
    expect(names(informer.store.byIndex('byNode', 'node-1'))).toEqual(['a', 'c']);
    lw.update(pod('default', 'a', 'node-2'));
    lw.delete('other/c');
    await settle();
    expect(names(informer.store.byIndex('byNode', 'node-1'))).toEqual([]);
    expect(names(informer.store.byIndex('byNode', 'node-2'))).toEqual(['a', 'b']);
    expect(informer.store.indexValues('byNode')).toEqual(['node-2']);
    expect(() => informer.store.byIndex('nope', 'x')).toThrow(/does not exist/);
  });

  it('informer — a handler added after sync gets adds for the cached objects; waitForSync honours abort', async () => {
    const { lw, informer, start } = setup();
    lw.add(pod('default', 'a'));
    const ac = new AbortController();
    const waiting = informer.waitForSync(ac.signal);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    await start();
    const late: string[] = [];
    informer.addEventHandler({ onAdd: (p) => late.push(p.metadata.name ?? '') });
    expect(late).toEqual(['a']);
  });

  it('informer — stops promptly when the signal aborts, closing its watch', async () => {
    const { lw, start, stop } = setup();
    await start();
    expect(lw.openWatches()).toBe(1);
    await stop();
    expect(lw.openWatches()).toBe(0);
  });

  it('informer — with enqueueKeys and runWorkers: a burst of events for one key is reconciled once', async () => {
    const { clock, lw, informer, start } = setup();
    const queue = new WorkQueue<string>({ clock });
    informer.addEventHandler(enqueueKeys<Pod>(queue, (p) => p.metadata.namespace === 'default'));
    lw.add(pod('default', 'a'));
    lw.add(pod('kube-system', 'ignored'));
    await start();
    lw.update(pod('default', 'a', 'n1'));
    lw.update(pod('default', 'a', 'n2'));
    lw.add(pod('default', 'b'));
    lw.delete('default/a');
    await settle();
    expect(queue.len()).toBe(2); // add, 2 updates and delete of a: one key
    const reconciled: string[] = [];
    const ac = new AbortController();
    const workers = runWorkers(queue, 2, (key) => Promise.resolve(void reconciled.push(key)), ac.signal);
    await settle();
    expect(reconciled).toEqual(['default/a', 'default/b']);
    ac.abort();
    await workers;
  });
});
