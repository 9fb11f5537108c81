import { ApiError, type KubeObject, type ResourceClient } from '@ekslab/client';
import { labelSelectorAsSelector } from '@ekslab/apimachinery';
import { Status } from '@ekslab/proto';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../controller-utils/index.js';
import { daemonPod, daemonSet } from './fixtures.test-helper.js';
import { cleanupHistory, constructHistory, type HistoryApi } from './history.js';
import type { ControllerRevision, DaemonSet } from './types.js';
import { computeHash, revisionData } from './util.js';

/** Just enough of a ResourceClient over a map (namespace/name → object) for the history functions. */
function fakeClient<T extends KubeObject>(store: Map<string, T>, calls: string[], kind: string): ResourceClient<T> {
  const key = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;
  const fake = {
    create: (obj: T, o: { namespace?: string }) => {
      const k = key(o.namespace, obj.metadata.name ?? '');
      if (store.has(k)) return Promise.reject(new ApiError(Status.create({ status: 'Failure', code: 409, reason: 'AlreadyExists', message: 'exists' })));
      calls.push(`create ${kind} ${obj.metadata.name ?? ''}`);
      store.set(k, structuredClone(obj));
      return Promise.resolve(structuredClone(obj));
    },
    get: (name: string, o: { namespace?: string }) => Promise.resolve(structuredClone(store.get(key(o.namespace, name))!)),
    update: (obj: T, o: { namespace?: string }) => {
      calls.push(`update ${kind} ${obj.metadata.name ?? ''}`);
      store.set(key(o.namespace, obj.metadata.name ?? ''), structuredClone(obj));
      return Promise.resolve(structuredClone(obj));
    },
    patch: (name: string) => Promise.resolve(void calls.push(`patch ${kind} ${name}`)),
    delete: (name: string, o: { namespace?: string }) => {
      calls.push(`delete ${kind} ${name}`);
      store.delete(key(o.namespace, name));
      return Promise.resolve({ deleted: true });
    },
    inNamespace: () => fake,
    listAll: () => Promise.resolve({ items: [], resourceVersion: '1' }),
  };
  return fake as unknown as ResourceClient<T>;
}

function setup(ds: DaemonSet) {
  const revisions = new Map<string, ControllerRevision>();
  const calls: string[] = [];
  const api: HistoryApi = {
    revisions: fakeClient(revisions, calls, 'revision'),
    daemonSets: fakeClient(new Map([[`ns/${ds.metadata.name ?? ''}`, ds]]), calls, 'daemonset'),
    pods: fakeClient(new Map<string, Pod>(), calls, 'pod'),
    cachedRevisions: () => [...revisions.values()],
    canAdopt: () => Promise.resolve(),
  };
  return { api, revisions, calls };
}

const withImage = (image: string): DaemonSet => {
  const ds = daemonSet();
  ds.spec.template.spec.containers = [{ name: 'c', image }];
  return ds;
};
const selector = labelSelectorAsSelector({ matchLabels: { app: 'agent' } });
const signal = AbortSignal.timeout(5_000);

describe('DaemonSet history', () => {
  it('creates revision 1 named <ds>-<hash>, labelled with the hash, owned by the DaemonSet, holding the undo patch', async () => {
    const ds = withImage('agent:1');
    const { api } = setup(ds);
    const { cur, old } = await constructHistory(api, ds, selector, signal);
    const hash = computeHash(ds.spec.template);
    expect(cur.metadata.name).toBe(`agent-${hash}`);
    expect(cur.metadata.labels).toEqual({ app: 'agent', 'controller-revision-hash': hash });
    expect(cur.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
    expect([cur.revision, cur.data, old]).toEqual([1, revisionData(ds), []]);
  });

  it('a new template gets the next revision; going back to an old template renumbers that revision instead of creating one', async () => {
    const v1 = withImage('agent:1');
    const { api, revisions, calls } = setup(v1);
    await constructHistory(api, v1, selector, signal);
    const second = await constructHistory(api, withImage('agent:2'), selector, signal);
    expect([second.cur.revision, second.old.map((r) => r.revision)]).toEqual([2, [1]]);
    calls.length = 0;
    const undone = await constructHistory(api, withImage('agent:1'), selector, signal);
    expect([undone.cur.revision, undone.old.map((r) => r.revision)]).toEqual([3, [2]]);
    expect(calls).toEqual([`update revision agent-${computeHash(v1.spec.template)}`]);
    expect(revisions.size).toBe(2);
  });

  it('cleanup deletes the oldest revisions beyond revisionHistoryLimit, sparing one a live pod still runs', async () => {
    const ds = withImage('agent:9');
    ds.spec.revisionHistoryLimit = 2;
    const { api, calls } = setup(ds);
    const old = [1, 2, 3].map((n): ControllerRevision => ({ metadata: { name: `agent-h${n}`, namespace: 'ns', labels: { 'controller-revision-hash': `h${n}` } }, revision: n }));
    await cleanupHistory(api, ds, old, [daemonPod('p', 'n1', { hash: 'h1' })], signal);
    expect(calls).toEqual(['delete revision agent-h2']);
  });
});
