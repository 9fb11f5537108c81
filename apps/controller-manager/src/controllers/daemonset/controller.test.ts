import { FakeClock, FakeListerWatcher, Informer, WorkQueue, type KubeObject, type ResourceClient } from '@ekslab/client';
import { createLogger } from '@ekslab/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../controller-utils/index.js';
import { FakeRecorder } from '../../framework/recorder.js';
import { DaemonSetsController } from './controller.js';
import { T0, daemonSet, node } from './fixtures.test-helper.js';
import type { ControllerRevision, DaemonSet } from './types.js';

/** Records writes; created pods get names and go nowhere until a test adds them to the pod watcher. */
function recordingClient<T extends KubeObject>(calls: string[], kind: string, created: T[] = []): ResourceClient<T> {
  let n = 0;
  const fake = {
    create: (obj: T) => {
      const name = obj.metadata.name ?? `${obj.metadata.generateName ?? ''}${n++}`;
      calls.push(`create ${kind} ${name}`);
      const made = { ...structuredClone(obj), metadata: { ...obj.metadata, name, uid: `uid-${name}`, creationTimestamp: new Date(T0).toISOString() } };
      created.push(made);
      return Promise.resolve(made);
    },
    update: (obj: T) => Promise.resolve(void calls.push(`update ${kind} ${obj.metadata.name ?? ''}`)).then(() => obj),
    patch: (name: string) => Promise.resolve(void calls.push(`patch ${kind} ${name}`)),
    delete: (name: string) => Promise.resolve(void calls.push(`delete ${kind} ${name}`)).then(() => ({ deleted: true })),
    get: () => Promise.reject(new Error('unexpected get')),
  };
  return fake as unknown as ResourceClient<T>;
}

let stop = new AbortController();
beforeEach(() => {
  stop = new AbortController();
});
const waitUntil = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};
afterEach(() => stop.abort());

async function setup(ds: DaemonSet, nodes: Node[]) {
  const clock = new FakeClock(T0);
  const watchers = { ds: new FakeListerWatcher<DaemonSet>(), pods: new FakeListerWatcher<Pod>(), nodes: new FakeListerWatcher<Node>(), revisions: new FakeListerWatcher<ControllerRevision>() };
  watchers.ds.add(ds);
  for (const n of nodes) watchers.nodes.add(n);
  const informers = {
    daemonSets: new Informer(watchers.ds, { clock }), pods: new Informer(watchers.pods, { clock }),
    nodes: new Informer(watchers.nodes, { clock }), revisions: new Informer(watchers.revisions, { clock }),
  };
  const calls: string[] = [];
  const createdPods: Pod[] = [];
  const recorder = new FakeRecorder();
  const controller = new DaemonSetsController({
    ...informers,
    clients: { daemonSets: recordingClient(calls, 'ds'), pods: recordingClient(calls, 'pod', createdPods), revisions: recordingClient(calls, 'revision') },
    queue: new WorkQueue<string>({ clock }), recorder, clock, log: createLogger('test', 'fatal', { write: () => undefined }),
  });
  for (const i of Object.values(informers)) void i.start(stop.signal);
  await Promise.all(Object.values(informers).map((i) => i.waitForSync(stop.signal)));
  return { controller, watchers, calls, recorder, informers, createdPods };
}

describe('DaemonSetsController.reconcile', () => {
  it('creates one pod per node once, not again until the cache has seen them (expectations), and replaces a deleted one', async () => {
    const { controller, calls, recorder, watchers, informers, createdPods } = await setup(daemonSet(), [node('n1'), node('n2')]);
    const podCreates = (): string[] => calls.filter((c) => c.startsWith('create pod'));
    await controller.reconcile('ns/agent', stop.signal);
    expect(podCreates()).toEqual(['create pod agent-0', 'create pod agent-1']);
    expect(createdPods.map((p) => (p.spec.affinity as { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchFields: { values: string[] }[] }[] } } })
      .nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]!.matchFields[0]!.values[0])).toEqual(['n1', 'n2']);
    expect(calls).toContain('update ds agent');
    expect(recorder.events.map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate']);

    calls.length = 0;
    await controller.reconcile('ns/agent', stop.signal);
    expect(podCreates()).toEqual([]);

    // The informer sees the pods (bound by the scheduler): expectations are met, nothing more to create.
    for (const p of createdPods) watchers.pods.add({ ...p, spec: { ...p.spec, nodeName: createdPods.indexOf(p) === 0 ? 'n1' : 'n2' } });
    await waitUntil(() => informers.pods.store.list().length === 2);
    await controller.reconcile('ns/agent', stop.signal);
    expect(podCreates()).toEqual([]);

    watchers.pods.delete('ns/agent-0');
    await waitUntil(() => informers.pods.store.list().length === 1);
    await controller.reconcile('ns/agent', stop.signal);
    expect(podCreates()).toEqual(['create pod agent-2']);
    expect(createdPods[2]?.metadata.labels).toMatchObject({ app: 'agent', 'pod-template-generation': '1' });
  });

  it('warns and does nothing for a DaemonSet selecting all pods', async () => {
    const ds = daemonSet();
    ds.spec.selector = {};
    const { controller, calls, recorder } = await setup(ds, [node('n1')]);
    await controller.reconcile('ns/agent', stop.signal);
    expect(calls).toEqual([]);
    expect(recorder.events).toEqual([{ object: 'ns/agent', type: 'Warning', reason: 'SelectingAll', message: 'This daemon set is selecting all pods. A non-empty selector is required.' }]);
  });
});
