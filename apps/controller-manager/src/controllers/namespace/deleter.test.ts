import { FakeClock, isNotFound } from '@ekslab/client';
import { describe, expect, it } from 'vitest';
import { ContentDeletionError, NamespacedResourcesDeleter } from './deleter.js';
import { CONFIGMAPS, DEPLOYMENTS, FakeCluster, PODS } from './fake-cluster.test-helper.js';

const signal = new AbortController().signal;
const T0 = Date.parse('2026-11-22T04:00:00Z');

function setup() {
  const clock = new FakeClock(T0);
  const cluster = new FakeCluster(() => clock.now());
  const deleter = new NamespacedResourcesDeleter(cluster, cluster, clock);
  return { clock, cluster, deleter };
}

const cm = (ns: string, name: string, finalizers?: string[]) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...(finalizers ? { finalizers } : {}) } });
const pod = (ns: string, name: string, grace: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { nodeName: 'node-a', terminationGracePeriodSeconds: grace }, status: { phase: 'Running' } });
const conditions = (c: FakeCluster, ns: string) => Object.fromEntries((c.namespace(ns)?.status?.conditions ?? []).map((x) => [x.type, `${x.status} ${x.reason}: ${x.message}`]));

describe('NamespacedResourcesDeleter', () => {
  it('deleter — a namespace that is not being deleted, or is gone, is left alone', async () => {
    const { cluster, deleter } = setup();
    cluster.createNamespace('live');
    cluster.put(CONFIGMAPS, cm('live', 'a'));
    expect(await deleter.delete('live', signal)).toBeUndefined();
    expect(await deleter.delete('missing', signal)).toBeUndefined();
    expect(cluster.objects(CONFIGMAPS, 'live')).toHaveLength(1);
    expect(cluster.calls).toEqual([]);
  });

  it('deleter — empties the namespace (deletecollection, else one by one), writes ok conditions, then finalizes it away', async () => {
    const { cluster, deleter } = setup();
    cluster.createNamespace('x');
    cluster.put(CONFIGMAPS, cm('x', 'a'));
    cluster.put(CONFIGMAPS, cm('x', 'b'));
    cluster.put(DEPLOYMENTS, { metadata: { name: 'web', namespace: 'x' } });
    cluster.put(CONFIGMAPS, cm('other', 'keep'));
    cluster.deleteNamespace('x');
    expect(await deleter.delete('x', signal)).toBeUndefined();
    expect(cluster.namespace('x')).toBeUndefined();
    expect(cluster.objects(CONFIGMAPS, 'x')).toEqual([]);
    expect(cluster.objects(DEPLOYMENTS, 'x')).toEqual([]);
    expect(cluster.objects(CONFIGMAPS, 'other')).toHaveLength(1);
    expect(cluster.calls).toContain('delete deployments/web');
    expect(cluster.calls).toContain('deletecollection configmaps');
    expect(cluster.calls.at(-1)).toBe('finalize x []');
    expect(cluster.calls.filter((c) => c.startsWith('status'))).toEqual([
      'status x NamespaceDeletionDiscoveryFailure=False,NamespaceDeletionGroupVersionParsingFailure=False,NamespaceDeletionContentFailure=False,NamespaceContentRemaining=False,NamespaceFinalizersRemaining=False',
    ]);
  });

  it('deleter — pods in their grace period: estimate, NamespaceContentRemaining, and done once the kubelet removed them', async () => {
    const { clock, cluster, deleter } = setup();
    cluster.createNamespace('x');
    cluster.put(PODS, pod('x', 'p', 20));
    cluster.deleteNamespace('x');
    expect(await deleter.delete('x', signal)).toEqual({ estimateSeconds: 20 });
    expect(cluster.objects(PODS, 'x')[0]?.metadata.deletionTimestamp).toBeTruthy();
    expect(conditions(cluster, 'x')['NamespaceContentRemaining']).toBe('True SomeResourcesRemain: Some resources are remaining: pods. has 1 resource instances');
    expect(conditions(cluster, 'x')['NamespaceFinalizersRemaining']).toBe('False ContentHasNoFinalizers: All content-preserving finalizers finished');
    expect(cluster.namespace('x')?.spec?.finalizers).toEqual(['kubernetes']);

    await clock.advance(5_000);
    cluster.kubeletRemovesTerminatingPods();
    expect(await deleter.delete('x', signal)).toBeUndefined();
    expect(cluster.namespace('x')).toBeUndefined();
  });

  it('deleter — a pod outliving its grace period is an error (retried with backoff), not a wait', async () => {
    const { clock, cluster, deleter } = setup();
    cluster.createNamespace('x');
    cluster.put(PODS, pod('x', 'p', 5));
    cluster.deleteNamespace('x');
    expect(await deleter.delete('x', signal)).toEqual({ estimateSeconds: 5 });
    await clock.advance(5_000);
    const err = await deleter.delete('x', signal).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ContentDeletionError);
    expect((err as Error).message).toBe('unexpected items still remain in namespace: x for gvr: v1, Resource=pods');
    expect(conditions(cluster, 'x')['NamespaceDeletionContentFailure']).toBe('True ContentDeletionFailed: Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: x for gvr: v1, Resource=pods');
  });

  it('deleter — content held by finalizers: NamespaceFinalizersRemaining and a 15 s estimate', async () => {
    const { cluster, deleter } = setup();
    cluster.createNamespace('x');
    cluster.put(CONFIGMAPS, cm('x', 'held', ['example.com/hold']));
    cluster.deleteNamespace('x');
    expect(await deleter.delete('x', signal)).toEqual({ estimateSeconds: 15 });
    expect(conditions(cluster, 'x')['NamespaceFinalizersRemaining']).toBe('True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    // A repeated pass with nothing new writes no status.
    const writes = cluster.calls.filter((c) => c.startsWith('status')).length;
    await deleter.delete('x', signal);
    expect(cluster.calls.filter((c) => c.startsWith('status')).length).toBe(writes);
  });

  it('deleter — partial discovery failure is reported and the pass fails, after deleting what it found', async () => {
    const { cluster, deleter } = setup();
    cluster.createNamespace('x');
    cluster.put(CONFIGMAPS, cm('x', 'a'));
    cluster.discoveryFailure = new Error('Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: 503');
    cluster.deleteNamespace('x');
    await expect(deleter.delete('x', signal)).rejects.toBeInstanceOf(ContentDeletionError);
    expect(cluster.objects(CONFIGMAPS, 'x')).toEqual([]);
    expect(conditions(cluster, 'x')['NamespaceDeletionDiscoveryFailure']).toMatch(/^True DiscoveryFailed: Discovery failed for some groups, 1 failing/);
    cluster.discoveryFailure = undefined;
    expect(await deleter.delete('x', signal)).toBeUndefined();
    expect(cluster.namespace('x')).toBeUndefined();
  });

  it('deleter — other spec.finalizers stay; the namespace then waits for their owner', async () => {
    const { cluster, deleter } = setup();
    const ns = cluster.createNamespace('x');
    ns.spec = { finalizers: ['kubernetes', 'example.com/other'] };
    cluster.deleteNamespace('x');
    expect(await deleter.delete('x', signal)).toBeUndefined();
    expect(cluster.namespace('x')?.spec?.finalizers).toEqual(['example.com/other']);
    // Finalized by us: further passes do nothing.
    const calls = cluster.calls.length;
    await deleter.delete('x', signal);
    expect(cluster.calls.length).toBe(calls);
  });

  it('deleter — a conflicting write is retried on a fresh read', async () => {
    const { cluster, deleter } = setup();
    cluster.createNamespace('x');
    cluster.deleteNamespace('x');
    const realGet = cluster.get.bind(cluster);
    let reads = 0;
    cluster.get = async (name: string) => {
      const ns = await realGet(name);
      if (++reads === 1) cluster.touch(name); // someone writes right after our first read
      return ns;
    };
    expect(await deleter.delete('x', signal)).toBeUndefined();
    expect(cluster.namespace('x')).toBeUndefined();
    await expect(cluster.get('x')).rejects.toSatisfy(isNotFound);
  });
});
