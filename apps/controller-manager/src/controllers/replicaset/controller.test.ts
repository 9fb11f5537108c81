import { FakeClock, FakeListerWatcher, Informer, WorkQueue, settle, type ResourceClient } from '@ekslab/client';
import { createLogger } from '@ekslab/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../controller-utils/index.js';
import { FakeRecorder } from '../../framework/recorder.js';
import { RS_BY_CONTROLLER_UID, ReplicaSetController, rsByControllerUid } from './controller.js';
import type { ReplicaSet } from './types.js';

// The controller over real informers fed by scripted lister-watchers; pod writes go to a fake client whose
// creations reach the informer only when the test says so (the watch lag expectations exist for).
const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

const rsObj = (replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 1 },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } },
});
const owned = (name: string, o: { node?: string; phase?: 'Pending' | 'Running'; ready?: boolean } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, creationTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] },
  spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

async function start(sets: FakeListerWatcher<ReplicaSet>, pods: FakeListerWatcher<Pod>) {
  const stop = new AbortController();
  stops.push(stop);
  const clock = new FakeClock(Date.parse('2026-01-01T01:00:00Z'));
  const created: Pod[] = [];
  const deleted: string[] = [];
  let n = 0;
  const podClient = {
    create: (p: Pod) => Promise.resolve(void created.push({ ...p, metadata: { ...p.metadata, name: `web-${++n}`, uid: `new-${n}` } })).then(() => created.at(-1)!),
    delete: (name: string) => Promise.resolve(void deleted.push(name)).then(() => ({ object: {}, deleted: true })),
    patch: () => Promise.resolve({}),
  } as unknown as ResourceClient<Pod>;
  const rsClient = {
    update: (rs: ReplicaSet) => Promise.resolve(rs),
    get: () => Promise.resolve(rsObj(0)),
  } as unknown as ResourceClient<ReplicaSet>;
  const rsInformer = new Informer<ReplicaSet>(sets, { clock, indexers: { [RS_BY_CONTROLLER_UID]: rsByControllerUid } });
  const podInformer = new Informer<Pod>(pods, { clock });
  const controller = new ReplicaSetController({
    replicaSets: rsInformer, pods: podInformer, rsClient, podClient, recorder: new FakeRecorder(),
    queue: new WorkQueue<string>({ clock }), clock, log: createLogger('test', 'fatal'),
  });
  void rsInformer.start(stop.signal);
  void podInformer.start(stop.signal);
  await Promise.all([rsInformer.waitForSync(stop.signal), podInformer.waitForSync(stop.signal)]);
  return { controller, created, deleted, sync: () => controller.sync('ns/web', stop.signal) };
}

describe('ReplicaSetController', () => {
  it('creates the missing pods once: until the informer has seen them, a second sync creates nothing', async () => {
    const sets = new FakeListerWatcher<ReplicaSet>();
    const pods = new FakeListerWatcher<Pod>();
    sets.add(rsObj(3));
    const c = await start(sets, pods);
    await c.sync();
    expect(c.created).toHaveLength(3);
    expect(c.controller.expectations.pending('ns/web')).toEqual({ add: 3, del: 0 });
    await c.sync();
    expect(c.created).toHaveLength(3);
    for (const p of c.created) pods.add(p);
    await settle();
    expect(c.controller.expectations.satisfied('ns/web')).toBe(true);
    await c.sync();
    expect(c.created).toHaveLength(3);
  });

  it('a new controller (a new leadership term) over a fresh full list creates only what is missing', async () => {
    const sets = new FakeListerWatcher<ReplicaSet>();
    const pods = new FakeListerWatcher<Pod>();
    sets.add(rsObj(3));
    pods.add(owned('a', { node: 'n1' }));
    pods.add(owned('b', { node: 'n2' }));
    const c = await start(sets, pods);
    await c.sync();
    expect(c.created).toHaveLength(1);
    expect(c.created[0]!.metadata.generateName).toBe('web-');
  });

  it('scales down by kube\'s ranking: unscheduled, then pending, then not ready go first', async () => {
    const sets = new FakeListerWatcher<ReplicaSet>();
    const pods = new FakeListerWatcher<Pod>();
    sets.add(rsObj(2));
    pods.add(owned('ready', { node: 'n1' }));
    pods.add(owned('not-ready', { node: 'n2', ready: false }));
    pods.add(owned('unscheduled', { phase: 'Pending', ready: false }));
    pods.add(owned('pending', { node: 'n3', phase: 'Pending', ready: false }));
    pods.add(owned('ready-2', { node: 'n4' }));
    const c = await start(sets, pods);
    await c.sync();
    expect(c.deleted).toEqual(['unscheduled', 'pending', 'not-ready']);
    expect(c.controller.expectations.pending('ns/web')).toEqual({ add: 0, del: 3 });
    // Graceful deletion is seen as an update with a deletionTimestamp: that counts.
    for (const name of ['unscheduled', 'pending', 'not-ready']) pods.update({ ...owned(name), metadata: { ...owned(name).metadata, deletionTimestamp: '2026-01-01T01:00:00Z' } });
    await settle();
    expect(c.controller.expectations.satisfied('ns/web')).toBe(true);
    await c.sync();
    expect(c.deleted).toHaveLength(3);
  });
});
