import type { KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';

// The garbage collector and the pod GC alone on the built apiserver: owner chains built by hand with
// ownerReferences (ConfigMaps owning ConfigMaps and Secrets), pods bound by hand, so nothing else acts.
const CM = { group: '', version: 'v1', resource: 'configmaps' };
const SECRETS = { group: '', version: 'v1', resource: 'secrets' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const ns = 'gc';

interface Obj extends KubeObject { metadata: KubeObject['metadata'] & { ownerReferences?: { apiVersion?: string; kind?: string; uid: string; name: string; blockOwnerDeletion?: boolean }[]; finalizers?: string[] } }

let c: ControllerCluster;
const s = (): AbortSignal => AbortSignal.timeout(10_000);

async function cm(name: string, owners: Obj[] = [], block = false): Promise<Obj> {
  return c.client<Obj>(CM, ns).create({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: ns, ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name ?? '', uid: o.metadata.uid ?? '', ...(block ? { blockOwnerDeletion: true } : {}) })) },
    data: { a: '1' },
  } as Obj, { signal: s() });
}

async function exists(gvr: typeof CM, name: string): Promise<Obj | undefined> {
  try {
    return await c.client<Obj>(gvr, ns).get(name, { signal: s() });
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  c = await startControllerCluster();
  c.startControllerManager(['garbage-collector-controller', 'pod-garbage-collector-controller'],
    ['--terminated-pod-gc-threshold', '2', '--pod-gc-period', '1s', '--pod-gc-quarantine', '3s']);
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await c?.dispose();
});

describe('garbage collector', () => {
  it('background: dependents (and theirs) go after their owner is deleted', async () => {
    const owner = await cm('bg-owner');
    const child = await cm('bg-child', [owner]);
    await cm('bg-grandchild', [child]);
    await c.client<Obj>(SECRETS, ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bg-secret', namespace: ns, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'bg-owner', uid: owner.metadata.uid ?? '' }] } }, { signal: s() });
    expect((await c.kubectl(['-n', ns, 'delete', 'configmap', 'bg-owner'])).code).toBe(0);
    await waitFor(async () => !(await exists(CM, 'bg-child')) && !(await exists(CM, 'bg-grandchild')) && !(await exists(SECRETS, 'bg-secret')),
      { timeoutMs: 30_000, intervalMs: 250, description: 'child, grandchild and secret collected' });
  });

  it('foreground: the owner waits (foregroundDeletion) until its blocking dependents are gone', async () => {
    const owner = await cm('fg-owner');
    await cm('fg-child', [owner], true);
    // A finalizer of our own holds the child, so the owner must visibly wait for it.
    const child = (await exists(CM, 'fg-child'))!;
    await c.client<Obj>(CM, ns).update({ ...child, metadata: { ...child.metadata, finalizers: ['example.com/hold'] } }, { signal: s() });
    expect((await c.kubectl(['-n', ns, 'delete', 'configmap', 'fg-owner', '--cascade=foreground', '--wait=false'])).code).toBe(0);
    await waitFor(async () => (await exists(CM, 'fg-child'))?.metadata.deletionTimestamp !== undefined, { timeoutMs: 30_000, intervalMs: 250, description: 'child being deleted' });
    const waiting = await exists(CM, 'fg-owner');
    expect(waiting?.metadata.finalizers).toContain('foregroundDeletion');
    expect(waiting?.metadata.deletionTimestamp).toBeDefined();
    const held = (await exists(CM, 'fg-child'))!;
    await c.client<Obj>(CM, ns).update({ ...held, metadata: { ...held.metadata, finalizers: [] } }, { signal: s() });
    await waitFor(async () => !(await exists(CM, 'fg-owner')) && !(await exists(CM, 'fg-child')), { timeoutMs: 30_000, intervalMs: 250, description: 'owner gone after its child' });
  });

  it('orphan: dependents stay, with the reference to the deleted owner removed', async () => {
    const owner = await cm('or-owner');
    const other = await cm('or-other');
    await cm('or-child', [owner, other]);
    expect((await c.kubectl(['-n', ns, 'delete', 'configmap', 'or-owner', '--cascade=orphan'])).code).toBe(0);
    await waitFor(async () => !(await exists(CM, 'or-owner')), { timeoutMs: 30_000, intervalMs: 250, description: 'owner gone' });
    const child = await exists(CM, 'or-child');
    expect(child?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['or-other']);
  });

  it('an object whose only owner never existed (unknown uid) is collected; one with a live owner is kept', async () => {
    const live = await cm('live-owner');
    const kept = await cm('kept', [live]);
    await c.client<Obj>(CM, ns).create({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dangling', namespace: ns, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' }] },
    }, { signal: s() });
    await waitFor(async () => !(await exists(CM, 'dangling')), { timeoutMs: 30_000, intervalMs: 250, description: 'dangling collected' });
    expect((await exists(CM, 'kept'))?.metadata.uid).toBe(kept.metadata.uid);
  });

  const pod = (name: string, nodeName: string): Obj => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox:1.36' }] },
  } as Obj);

  it('pod GC: pods bound to a node that does not exist are deleted after the quarantine', async () => {
    const created = await c.client<Obj>(PODS, ns).create(pod('on-ghost', 'ghost-node'), { signal: s() });
    const start = Date.now();
    await waitFor(async () => !(await exists(PODS, 'on-ghost')), { timeoutMs: 30_000, intervalMs: 250, description: 'orphaned pod deleted' });
    // Not before the 3 s quarantine.
    expect(Date.now() - start).toBeGreaterThanOrEqual(2_500);
    expect(created.metadata.uid).toBeDefined();
  });

  it('pod GC: terminated pods above --terminated-pod-gc-threshold are deleted oldest first', async () => {
    await c.client<Obj>(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'real-node' } }, { signal: s() });
    const names = ['done-1', 'done-2', 'done-3', 'done-4'];
    for (const name of names) {
      const p = await c.client<Obj>(PODS, ns).create(pod(name, 'real-node'), { signal: s() });
      await c.client<Obj>(PODS, ns).patch(name, 'merge', { status: { phase: 'Succeeded' } }, { signal: s(), subresource: 'status' });
      expect(p.metadata.uid).toBeDefined();
      // creationTimestamp has second precision: a second apart, the age order is unambiguous.
      await new Promise((r) => setTimeout(r, 1_100));
    }
    await waitFor(async () => !(await exists(PODS, 'done-1')) && !(await exists(PODS, 'done-2')), { timeoutMs: 30_000, intervalMs: 250, description: 'the two oldest deleted' });
    expect(await exists(PODS, 'done-3')).toBeDefined();
    expect(await exists(PODS, 'done-4')).toBeDefined();
  }, 60_000);
});
