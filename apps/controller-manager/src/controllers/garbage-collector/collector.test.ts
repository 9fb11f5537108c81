import { ApiError, WorkQueue, type KubeObject, type ResourceClient } from '@ekslab/client';
import { Status, type GroupVersionResource } from '@ekslab/proto';
import { createLogger } from '@ekslab/runtime';
import { describe, expect, it } from 'vitest';
import { GarbageCollector, type MonitoredResource } from './collector.js';

const CM: MonitoredResource = { gvr: { group: '', version: 'v1', resource: 'configmaps' }, kind: 'ConfigMap', namespaced: true };

/** An in-memory API of configmaps recording the collector's writes. */
class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  /** Deletes only mark the object (as a finalizer or a grace period would hold it). */
  holdDeletes = false;
  client = (_gvr: GroupVersionResource): ResourceClient<KubeObject> => ({
    get: (name: string) => {
      const o = this.objects.get(name);
      return o ? Promise.resolve(o) : Promise.reject(new ApiError(Status.create({ code: 404, reason: 'NotFound', message: `configmaps "${name}" not found` })));
    },
    delete: (name: string, opts: { options?: { propagationPolicy?: number } }) => {
      this.calls.push(`delete ${name} policy=${opts.options?.propagationPolicy ?? 0}`);
      const o = this.objects.get(name);
      if (this.holdDeletes && o) this.objects.set(name, { ...o, metadata: { ...o.metadata, deletionTimestamp: '2026-11-22T10:00:01Z' } });
      else this.objects.delete(name);
      return Promise.resolve({ object: {} as KubeObject, deleted: true });
    },
    patch: (name: string, _kind: string, patch: unknown) => {
      this.calls.push(`patch ${name} ${JSON.stringify(patch)}`);
      return Promise.resolve({} as KubeObject);
    },
    update: (obj: KubeObject) => {
      this.calls.push(`update ${obj.metadata.name ?? ''} finalizers=${JSON.stringify((obj.metadata as { finalizers?: string[] }).finalizers)}`);
      this.objects.set(obj.metadata.name ?? '', obj);
      return Promise.resolve(obj);
    },
  }) as unknown as ResourceClient<KubeObject>;
}

const obj = (name: string, owners: string[] = [], extra: Record<string, unknown> = {}, block = false): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o, uid: `uid-${o}`, ...(block ? { blockOwnerDeletion: true } : {}) })), ...extra },
});

function setup() {
  const api = new FakeApi();
  const attemptToDelete = new WorkQueue<string>();
  const attemptToOrphan = new WorkQueue<string>();
  const gc = new GarbageCollector({ resources: [CM], client: api.client, attemptToDelete, attemptToOrphan, log: createLogger('gc-test', 'fatal') });
  const add = (o: KubeObject): void => {
    api.objects.set(o.metadata.name ?? '', o);
    gc.process({ type: 'upsert', obj: o, resource: CM });
  };
  const drain = async (): Promise<string[]> => {
    const handled: string[] = [];
    const signal = AbortSignal.timeout(1000);
    while (attemptToDelete.len() > 0 || attemptToOrphan.len() > 0) {
      if (attemptToDelete.len() > 0) {
        const k = (await attemptToDelete.get())!;
        handled.push(k);
        await gc.attemptToDelete(k, signal);
        attemptToDelete.done(k);
      } else {
        const k = (await attemptToOrphan.get())!;
        await gc.attemptToOrphan(k, signal);
        attemptToOrphan.done(k);
      }
    }
    return handled;
  };
  return { api, gc, add, drain };
}

describe('GarbageCollector', () => {
  it('keeps dependents of a live owner and deletes them (background) once the owner is deleted', async () => {
    const { api, gc, add, drain } = setup();
    add(obj('owner'));
    add(obj('child', ['owner']));
    await drain();
    expect(api.calls).toEqual([]);
    api.objects.delete('owner');
    gc.process({ type: 'delete', obj: obj('owner'), resource: CM });
    await drain();
    expect(api.calls).toEqual(['delete child policy=2']);
  });

  it('collects an object whose owner was never observed and does not exist (a virtual owner)', async () => {
    const { api, add, drain } = setup();
    add(obj('orphaned', ['ghost']));
    await drain();
    expect(api.calls).toEqual(['delete orphaned policy=2']);
  });

  it('drops only the dangling reference of an object that still has a live owner', async () => {
    const { api, add, drain } = setup();
    add(obj('alive'));
    add(obj('child', ['alive', 'ghost']));
    await drain();
    expect(api.calls).toEqual([`patch child {"metadata":{"ownerReferences":[{"$patch":"delete","uid":"uid-ghost"}],"uid":"uid-child"}}`]);
  });

  it('foreground: blocking dependents are deleted first; the finalizer comes off when none is left', async () => {
    const { api, gc, add, drain } = setup();
    api.holdDeletes = true;
    add(obj('owner'));
    add(obj('child', ['owner'], {}, true));
    await drain();
    add(obj('owner', [], { deletionTimestamp: '2026-11-22T10:00:00Z', finalizers: ['foregroundDeletion'] }));
    await drain();
    // (The child may be asked to go twice before its deletion is observed, as in kube; a repeated delete is a no-op.)
    expect(new Set(api.calls)).toEqual(new Set(['delete child policy=2']));
    // The child is terminating: the owner keeps waiting.
    const before = api.calls.length;
    add(api.objects.get('child')!);
    await drain();
    expect(api.calls).toHaveLength(before);
    api.objects.delete('child');
    gc.process({ type: 'delete', obj: obj('child', ['owner'], {}, true), resource: CM });
    await drain();
    expect(api.calls.slice(before)).toEqual(['update owner finalizers=[]']);
  });

  it('orphan: the references to the owner are removed from its dependents, then its orphan finalizer', async () => {
    const { api, add, drain } = setup();
    add(obj('owner'));
    add(obj('child', ['owner']));
    await drain();
    add(obj('owner', [], { deletionTimestamp: '2026-11-22T10:00:00Z', finalizers: ['orphan'] }));
    await drain();
    expect(api.calls).toEqual([
      `patch child {"metadata":{"ownerReferences":[{"$patch":"delete","uid":"uid-owner"}],"uid":"uid-child"}}`,
      'update owner finalizers=[]',
    ]);
  });
});
