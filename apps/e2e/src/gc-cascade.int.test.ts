import type { KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';

// The garbage collector alone (--controllers garbage-collector-controller) on the built apiserver: owner chains
// built by hand with ownerReferences (ConfigMaps owning ConfigMaps and Secrets), so nothing but the collector acts.
const CM = { group: '', version: 'v1', resource: 'configmaps' };
const SECRETS = { group: '', version: 'v1', resource: 'secrets' };
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
  c.startControllerManager(['garbage-collector-controller']);
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
});
