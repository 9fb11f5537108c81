import { isConflict, isNotFound, type KubeObject, type ResourceClient, type WorkQueue } from '@ekslab/client';
import { DeletionPropagation } from '@ekslab/proto';
import type { GroupVersionResource } from '@ekslab/proto';
import type { Logger } from '@ekslab/runtime';
import type { Meta, OwnerReference } from '../../controller-utils/index.js';
import { DependencyGraph, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type GraphNode, type Identity } from './graph.js';

/** A resource the collector watches: its GVR and the kind its objects (and owner references) carry. */
export interface MonitoredResource {
  readonly gvr: GroupVersionResource;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface CollectorOptions {
  readonly resources: readonly MonitoredResource[];
  /** A client of a resource acting as the collector's identity (generic-garbage-collector). */
  readonly client: (gvr: GroupVersionResource) => ResourceClient<KubeObject>;
  readonly attemptToDelete: WorkQueue<string>;
  readonly attemptToOrphan: WorkQueue<string>;
  readonly log: Logger;
}

type Change = { type: 'upsert'; obj: KubeObject; resource: MonitoredResource } | { type: 'delete'; obj: KubeObject; resource: MonitoredResource };

const apiVersionOf = (gvr: GroupVersionResource): string => (gvr.group ? `${gvr.group}/${gvr.version}` : gvr.version);
const metaOf = (obj: KubeObject): Meta => obj.metadata;
const hasFinalizer = (obj: KubeObject, f: string): boolean => metaOf(obj).finalizers?.includes(f) === true;

/**
 * kube's garbage collector (pkg/controller/garbagecollector): the graph builder turns informer events into the
 * dependency graph and queues work; `attemptToDelete` collects an object whose owners are all gone (checked with a
 * live GET of each owner, uid included), waits on owners deleting in the foreground, and finishes a foreground
 * deletion (removes `foregroundDeletion` once no dependent with blockOwnerDeletion remains); `attemptToOrphan`
 * removes an owner's references from its dependents, then its `orphan` finalizer.
 *
 * Not guaranteed: collection of resources outside `resources`; cycles of owners are not broken specially.
 */
export class GarbageCollector {
  readonly graph = new DependencyGraph();
  private readonly byKind = new Map<string, MonitoredResource>();
  private readonly absentOwners = new Map<string, true>();

  constructor(private readonly o: CollectorOptions) {
    for (const r of o.resources) this.byKind.set(`${apiVersionOf(r.gvr)}/${r.kind}`, r);
  }

  /** A group-qualified kind lookup that ignores the version (an owner may be named with another version). */
  private resourceOf(apiVersion: string, kind: string): MonitoredResource | undefined {
    const exact = this.byKind.get(`${apiVersion}/${kind}`);
    if (exact) return exact;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return this.o.resources.find((r) => r.kind === kind && r.gvr.group === group);
  }

  private identityOf(obj: KubeObject, r: MonitoredResource): Identity {
    const m = obj.metadata;
    return { gvr: r.gvr, apiVersion: apiVersionOf(r.gvr), kind: r.kind, namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' };
  }

  private ownerIdentity = (ref: OwnerReference, dependentNamespace: string): Identity | undefined => {
    const r = this.resourceOf(ref.apiVersion, ref.kind);
    if (!r) return undefined;
    return { gvr: r.gvr, apiVersion: ref.apiVersion, kind: ref.kind, namespace: r.namespaced ? dependentNamespace : '', name: ref.name, uid: ref.uid };
  };

  /** processGraphChanges for one informer event (called in event order). */
  process(change: Change): void {
    const { obj, resource } = change;
    const uid = obj.metadata.uid;
    if (!uid) return;
    if (change.type === 'delete') {
      const node = this.graph.remove(uid);
      if (!node) return;
      this.absentOwners.set(uid, true);
      for (const dep of node.dependents) this.o.attemptToDelete.add(dep);
      // A dependent going away may unblock an owner deleting in the foreground.
      for (const ref of node.owners) if (this.graph.get(ref.uid)?.deletingDependents) this.o.attemptToDelete.add(ref.uid);
      return;
    }
    const meta = metaOf(obj);
    const old = this.graph.get(uid);
    const beingDeleted = !!meta.deletionTimestamp;
    const deletingDependents = beingDeleted && hasFinalizer(obj, FOREGROUND_FINALIZER);
    const wasDeletingDependents = old?.deletingDependents === true;
    const { added, removed, virtualOwners } = this.graph.upsert(this.identityOf(obj, resource), meta.ownerReferences ?? [], beingDeleted, deletingDependents, this.ownerIdentity);
    this.absentOwners.delete(uid);
    // A virtual owner is checked against the API: present (not observed yet) or absent (then its dependents go).
    for (const v of virtualOwners) this.o.attemptToDelete.add(v.identity.uid);
    if (!old || added.length > 0 || removed.length > 0) this.o.attemptToDelete.add(uid);
    for (const ref of removed) if (this.graph.get(ref.uid)?.deletingDependents) this.o.attemptToDelete.add(ref.uid);
    if (deletingDependents && !wasDeletingDependents) {
      // startsWaitingForDependentsDeleted: the dependents go first, the owner is re-checked.
      for (const dep of this.graph.get(uid)!.dependents) this.o.attemptToDelete.add(dep);
      this.o.attemptToDelete.add(uid);
    }
    if (beingDeleted && hasFinalizer(obj, ORPHAN_FINALIZER)) this.o.attemptToOrphan.add(uid);
  }

  /** kube's attemptToDeleteItem. */
  async attemptToDelete(uid: string, signal: AbortSignal): Promise<void> {
    const item = this.graph.get(uid);
    if (!item) return;
    if (item.beingDeleted && !item.deletingDependents) return;
    const latest = await this.getLive(item.identity, signal);
    if (!latest || latest.metadata.uid !== uid) {
      // Absent: as if a delete event was observed (kube's virtual delete event).
      if (item.virtual || !latest) this.process({ type: 'delete', obj: { metadata: { uid, name: item.identity.name, namespace: item.identity.namespace } }, resource: this.resourceOf(item.identity.apiVersion, item.identity.kind)! });
      return;
    }
    if (item.virtual) {
      // The owner exists; its informer will report it. Nothing to collect.
      item.virtual = false;
      return;
    }
    if (item.deletingDependents) {
      await this.processDeletingDependents(item, latest, signal);
      return;
    }
    const refs = metaOf(latest).ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const state = await this.ownerState(ref, item.identity.namespace, signal);
      (state === 'solid' ? solid : state === 'dangling' ? dangling : waiting).push(ref);
    }
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Keep the object; drop the references to owners that are gone or deleting in the foreground.
      const drop = [...dangling, ...waiting];
      this.o.log.debug({ object: describe(item), drop: drop.map((r) => r.uid) }, 'removing dangling owner references');
      await this.patchOwnerRefs(item.identity, drop.map((r) => r.uid), latest.metadata.uid ?? '', signal);
      return;
    }
    let policy: DeletionPropagation = DeletionPropagation.BACKGROUND;
    if (waiting.length > 0 && item.dependents.size > 0) policy = DeletionPropagation.FOREGROUND;
    else if (hasFinalizer(latest, ORPHAN_FINALIZER)) policy = DeletionPropagation.ORPHAN;
    else if (hasFinalizer(latest, FOREGROUND_FINALIZER)) policy = DeletionPropagation.FOREGROUND;
    this.o.log.info({ object: describe(item), policy }, 'deleting object whose owners are gone');
    await this.deleteObject(item.identity, policy, signal);
  }

  /** The owner deletes in the foreground: delete its blocking dependents, or remove its finalizer once none is left. */
  private async processDeletingDependents(item: GraphNode, latest: KubeObject, signal: AbortSignal): Promise<void> {
    const blocking = this.graph.blockingDependents(item);
    if (blocking.length === 0) {
      this.o.log.info({ object: describe(item) }, 'no blocking dependents left; removing the foregroundDeletion finalizer');
      await this.removeFinalizer(item.identity, FOREGROUND_FINALIZER, latest, signal);
      return;
    }
    for (const dep of blocking) if (!dep.beingDeleted || dep.deletingDependents) this.o.attemptToDelete.add(dep.identity.uid);
    // Re-checked when a blocking dependent goes away (its delete event enqueues this owner).
  }

  /** kube's attemptToOrphan: remove the owner's references from its dependents, then the `orphan` finalizer. */
  async attemptToOrphan(uid: string, signal: AbortSignal): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner) return;
    for (const depUid of [...owner.dependents]) {
      const dep = this.graph.get(depUid);
      if (dep) await this.patchOwnerRefs(dep.identity, [uid], depUid, signal);
    }
    const latest = await this.getLive(owner.identity, signal);
    if (latest?.metadata.uid === uid) await this.removeFinalizer(owner.identity, ORPHAN_FINALIZER, latest, signal);
  }

  private async ownerState(ref: OwnerReference, namespace: string, signal: AbortSignal): Promise<'solid' | 'dangling' | 'waiting'> {
    if (this.absentOwners.has(ref.uid)) return 'dangling';
    const id = this.ownerIdentity(ref, namespace);
    if (!id) return 'solid'; // an owner of a kind we do not know: never collect on its account
    const owner = await this.getLive(id, signal);
    if (!owner || owner.metadata.uid !== ref.uid) {
      this.absentOwners.set(ref.uid, true);
      if (this.absentOwners.size > 10_000) this.absentOwners.delete(this.absentOwners.keys().next().value!);
      return 'dangling';
    }
    if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER)) return 'waiting';
    return 'solid';
  }

  private async getLive(id: Identity, signal: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return await this.o.client(id.gvr).get(id.name, { signal, namespace: id.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async deleteObject(id: Identity, policy: DeletionPropagation, signal: AbortSignal): Promise<void> {
    try {
      await this.o.client(id.gvr).delete(id.name, { signal, namespace: id.namespace, options: { propagationPolicy: policy, preconditions: { uid: id.uid, resourceVersion: '' } } });
    } catch (err) {
      if (isNotFound(err)) return;
      // A uid precondition failing means a new object took the name: not ours to delete.
      if (isConflict(err)) return;
      throw err;
    }
  }

  private async patchOwnerRefs(id: Identity, ownerUids: readonly string[], uid: string, signal: AbortSignal): Promise<void> {
    try {
      await this.o.client(id.gvr).patch(id.name, 'strategic-merge', {
        metadata: { ownerReferences: ownerUids.map((u) => ({ $patch: 'delete', uid: u })), uid },
      }, { signal, namespace: id.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async removeFinalizer(id: Identity, finalizer: string, latest: KubeObject, signal: AbortSignal): Promise<void> {
    let current: KubeObject | undefined = latest;
    for (let attempt = 0; attempt < 5 && current; attempt++) {
      const finalizers = metaOf(current).finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      try {
        await this.o.client(id.gvr).update({ ...current, metadata: { ...current.metadata, finalizers: finalizers.filter((f) => f !== finalizer) } }, { signal, namespace: id.namespace });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        current = await this.getLive(id, signal);
      }
    }
  }
}

const describe = (n: GraphNode): string => `${n.identity.kind} ${n.identity.namespace ? `${n.identity.namespace}/` : ''}${n.identity.name} (${n.identity.uid})`;
