// The garbage collector's dependency graph (kube's GraphBuilder): one node per object uid, with its owner
// references and the uids that name it as an owner. Owners named before they are observed are "virtual".
import type { GroupVersionResource } from '@ekslab/proto';
import type { OwnerReference } from '../../controller-utils/index.js';

export interface Identity {
  readonly gvr: GroupVersionResource;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface GraphNode {
  identity: Identity;
  owners: OwnerReference[];
  readonly dependents: Set<string>;
  /** Has a deletionTimestamp. */
  beingDeleted: boolean;
  /** Has a deletionTimestamp and the foregroundDeletion finalizer: waits for blocking dependents. */
  deletingDependents: boolean;
  /** Named as an owner but not observed in an informer (yet). */
  virtual: boolean;
}

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The graph itself: pure bookkeeping; the collector decides what to delete. */
export class DependencyGraph {
  readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /**
   * Records an observed object. Returns the owner uids that were added and removed (for the caller to enqueue),
   * and the virtual owner nodes it had to create.
   */
  upsert(identity: Identity, owners: readonly OwnerReference[], beingDeleted: boolean, deletingDependents: boolean, ownerIdentity: (ref: OwnerReference, namespace: string) => Identity | undefined): { added: OwnerReference[]; removed: OwnerReference[]; virtualOwners: GraphNode[] } {
    let node = this.nodes.get(identity.uid);
    const before = node?.owners ?? [];
    if (!node) {
      node = { identity, owners: [], dependents: new Set(), beingDeleted, deletingDependents, virtual: false };
      this.nodes.set(identity.uid, node);
    }
    node.identity = identity;
    node.virtual = false;
    node.beingDeleted = beingDeleted;
    node.deletingDependents = deletingDependents;
    node.owners = [...owners];
    const added = owners.filter((o) => !before.some((b) => b.uid === o.uid));
    const removed = before.filter((b) => !owners.some((o) => o.uid === b.uid));
    const virtualOwners: GraphNode[] = [];
    for (const ref of removed) this.nodes.get(ref.uid)?.dependents.delete(identity.uid);
    for (const ref of owners) {
      let owner = this.nodes.get(ref.uid);
      if (!owner) {
        const id = ownerIdentity(ref, identity.namespace);
        if (!id) continue;
        owner = { identity: id, owners: [], dependents: new Set(), beingDeleted: false, deletingDependents: false, virtual: true };
        this.nodes.set(ref.uid, owner);
        virtualOwners.push(owner);
      }
      owner.dependents.add(identity.uid);
    }
    return { added, removed, virtualOwners };
  }

  /** Removes an object (deleted, or a virtual owner found absent); returns it, with its dependents still listed. */
  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    this.nodes.delete(uid);
    for (const ref of node.owners) this.nodes.get(ref.uid)?.dependents.delete(uid);
    // Its dependents keep their owner references (they are dangling now); a later virtual owner may stand in.
    return node;
  }

  /** The dependents of `owner` whose reference to it has blockOwnerDeletion=true. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const uid of owner.dependents) {
      const dep = this.nodes.get(uid);
      if (dep?.owners.some((r) => r.uid === owner.identity.uid && r.blockOwnerDeletion === true)) out.push(dep);
    }
    return out;
  }
}
