import { labelSelectorAsSelector, type LabelSelector } from '@ekslab/apimachinery';
import { ApiError, NAMESPACE_INDEX, objectKey, type DeleteInfo, type Informer, type ReconcileResult, type ResourceClient, type WorkQueue } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import {
  ControllerExpectations, PodControl, claim, controllerOf, isPodActive, isPodReady, newControllerRef, podsToDelete, slowStartBatch,
  type OwnerReference, type Pod,
} from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import { calculateStatus, statusUpToDate } from './status.js';
import { specReplicas, type ReplicaSet, type ReplicaSetStatus } from './types.js';

/** kube's BurstReplicas: pods created or deleted at most in one sync of one ReplicaSet. */
export const BURST_REPLICAS = 500;
/** kube's statusUpdateRetries: a failed status write is retried once after a fresh GET. */
const STATUS_UPDATE_RETRIES = 1;
/** ReplicaSets by their controller's uid (for the pods of sibling sets, kube's controllerUIDIndex). */
export const RS_BY_CONTROLLER_UID = 'replicaset-controller/controllerUID';

export const rsByControllerUid = (rs: ReplicaSet): string[] => {
  const uid = controllerOf(rs)?.uid;
  return uid ? [uid] : [];
};

export interface ReplicaSetControllerOptions {
  /** The shared ReplicaSet informer, with the RS_BY_CONTROLLER_UID index. */
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  /** Written as the controller's identity (replicaset-controller). */
  readonly rsClient: ResourceClient<ReplicaSet>;
  readonly podClient: ResourceClient<Pod>;
  readonly recorder: EventRecorder;
  readonly queue: WorkQueue<string>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Default BURST_REPLICAS. */
  readonly burstReplicas?: number;
}

const ownerKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

/**
 * kube's ReplicaSet controller: keeps `spec.replicas` active pods matching each set's selector, adopting
 * orphans and releasing pods that stopped matching, and reports the counts in `status` (written through
 * replicasets/status). Creations and deletions are remembered as expectations and a set is not acted on
 * again until the informer has seen them, so a burst never creates twice from a stale cache; a new
 * leadership term builds a new controller (empty expectations) whose workers start only after the pod and
 * ReplicaSet caches hold a full, fresh list — so it starts from what exists, never from memory.
 *
 * Handlers only enqueue keys and count observations; `sync` does the work.
 */
export class ReplicaSetController {
  readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;
  private readonly burst: number;

  constructor(private readonly o: ReplicaSetControllerOptions) {
    this.expectations = new ControllerExpectations(o.clock);
    this.podControl = new PodControl({ pods: o.podClient, recorder: o.recorder });
    this.burst = o.burstReplicas ?? BURST_REPLICAS;
    o.replicaSets.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.deleteRS(old);
        this.enqueue(cur);
      },
      onDelete: (rs) => this.deleteRS(rs),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod, info) => this.deletePod(pod, info),
    });
  }

  get queue(): WorkQueue<string> {
    return this.o.queue;
  }

  private enqueue(rs: ReplicaSet): void {
    this.o.queue.add(objectKey(rs));
  }

  private deleteRS(rs: ReplicaSet): void {
    const key = objectKey(rs);
    this.expectations.delete(key);
    this.o.queue.add(key);
  }

  /** The ReplicaSet a controller reference points to, if it is in the cache with that uid. */
  private resolve(namespace: string, ref: OwnerReference): ReplicaSet | undefined {
    if (ref.kind !== ownerKind.kind) return undefined;
    const rs = this.o.replicaSets.store.get(`${namespace}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  /** Sets whose selector matches an orphan pod (kube's GetPodReplicaSets). */
  private podReplicaSets(pod: Pod): ReplicaSet[] {
    const ns = pod.metadata.namespace ?? '';
    return this.o.replicaSets.store.byIndex(NAMESPACE_INDEX, ns).filter((rs) => {
      const selector = selectorOf(rs);
      return selector !== undefined && !selector.isEmpty() && selector.matches(pod.metadata.labels);
    });
  }

  private addPod(pod: Pod): void {
    // A pod already being deleted when first seen (after a restart) is no creation to count.
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.resolve(pod.metadata.namespace ?? '', ref);
      if (!rs) return;
      const key = objectKey(rs);
      this.expectations.creationObserved(key);
      this.o.queue.add(key);
      return;
    }
    for (const rs of this.podReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion: the pod is going away; count the deletion now, not when the kubelet finishes.
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const ns = cur.metadata.namespace ?? '';
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const rs = this.resolve(ns, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolve(ns, curRef);
      if (!rs) return;
      this.enqueue(rs);
      // A pod that just became ready becomes available minReadySeconds later: look again then.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.o.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.podReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Pod, _info?: DeleteInfo): void {
    const ref = controllerOf(pod);
    if (!ref) return;
    const rs = this.resolve(pod.metadata.namespace ?? '', ref);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.o.queue.add(key);
  }

  /** kube's syncReplicaSet for one `namespace/name` key. */
  async sync(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const rs = this.o.replicaSets.store.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return undefined;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = selectorOf(rs);
    if (!selector) {
      this.o.log.error({ replicaSet: key }, 'invalid pod selector; not syncing');
      return undefined;
    }
    const ns = rs.metadata.namespace ?? '';
    const active = this.o.pods.store.byIndex(NAMESPACE_INDEX, ns).filter(isPodActive);
    const pods = await claim(active, {
      owner: rs, controllerRef: newControllerRef(rs, ownerKind.apiVersion, ownerKind.kind), selector,
      patch: async (pod, patch, s) => {
        await this.o.podClient.patch(pod.metadata.name ?? '', 'strategic-merge', patch, { signal: s, namespace: ns });
      },
      canAdopt: (s) => this.recheckDeletion(rs, s),
    }, signal);

    let manageError: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, rs, key, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        manageError = err as Error;
      }
    }
    const status = calculateStatus(rs, pods, manageError, this.o.clock.now());
    const updated = await this.updateStatus(rs, status, signal);
    if (manageError) throw manageError;
    // kube: resync after minReadySeconds as a last line of defence against clock skew.
    const minReady = updated.spec.minReadySeconds ?? 0;
    const want = specReplicas(updated);
    if (minReady > 0 && (updated.status?.readyReplicas ?? 0) === want && (updated.status?.availableReplicas ?? 0) !== want) {
      return { requeueAfter: minReady * 1000 };
    }
    return undefined;
  }

  /** kube's RecheckDeletionTimestamp: adopt only for a set that still exists, unchanged, and is not being deleted. */
  private async recheckDeletion(rs: ReplicaSet, signal: AbortSignal): Promise<void> {
    const ns = rs.metadata.namespace ?? '';
    const name = rs.metadata.name ?? '';
    const fresh = await this.o.rsClient.get(name, { signal, namespace: ns });
    if (fresh.metadata.uid !== rs.metadata.uid) throw new Error(`original ReplicaSet ${ns}/${name} is gone: got uid ${fresh.metadata.uid ?? ''}, wanted ${rs.metadata.uid ?? ''}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${ns}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  /** kube's manageReplicas: create (slow start) or delete (ranked) at most `burstReplicas` pods. */
  private async manageReplicas(pods: readonly Pod[], rs: ReplicaSet, key: string, signal: AbortSignal): Promise<void> {
    const diff = pods.length - specReplicas(rs);
    if (diff < 0) {
      const n = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, n);
      this.o.log.debug({ replicaSet: key, need: specReplicas(rs), creating: n }, 'too few replicas');
      const ref = newControllerRef(rs, ownerKind.apiVersion, ownerKind.kind);
      const { successes, error } = await slowStartBatch(n, async () => {
        try {
          await this.podControl.create(rs.spec.template, rs, ref, signal);
        } catch (err) {
          // A terminating namespace refuses every create; there is nothing to do (kube counts it as done).
          if (!isNamespaceTerminating(err)) throw err;
        }
      });
      // Creations never attempted (after a failed batch) will never be observed.
      if (n - successes > 0) this.expectations.lowerCreations(key, n - successes);
      if (error) throw error as Error;
    } else if (diff > 0) {
      const n = Math.min(diff, this.burst);
      this.o.log.debug({ replicaSet: key, need: specReplicas(rs), deleting: n }, 'too many replicas');
      const victims = podsToDelete(pods, n, this.relatedPods(rs));
      this.expectations.expectDeletions(key, victims.map((p) => objectKey(p)));
      const results = await Promise.allSettled(victims.map(async (pod) => {
        try {
          // Already gone: its deletion may have been seen before it was expected; count it here.
          if (!(await this.podControl.delete(pod, rs, signal))) this.expectations.deletionObserved(key, objectKey(pod));
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(pod));
          throw err;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason as Error;
    }
  }

  /** Pods of every ReplicaSet with the same controller as `rs` (kube's getIndirectlyRelatedPods), for ranking. */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const ref = controllerOf(rs);
    if (!ref) return [];
    const seen = new Set<string>();
    const related: Pod[] = [];
    const inNamespace = this.o.pods.store.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '');
    for (const sibling of this.o.replicaSets.store.byIndex(RS_BY_CONTROLLER_UID, ref.uid)) {
      const selector = selectorOf(sibling);
      if (!selector) continue;
      for (const pod of inNamespace) {
        if (!selector.matches(pod.metadata.labels) || seen.has(pod.metadata.uid ?? '')) continue;
        seen.add(pod.metadata.uid ?? '');
        related.push(pod);
      }
    }
    return related;
  }

  /** kube's updateReplicaSetStatus: write when something changed, with observedGeneration; one retry after a GET. */
  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus, signal: AbortSignal): Promise<ReplicaSet> {
    if (statusUpToDate(rs, status)) return rs;
    const next: ReplicaSetStatus = { ...status, observedGeneration: rs.metadata.generation ?? 0 };
    const ns = rs.metadata.namespace ?? '';
    let cur = rs;
    for (let i = 0; ; i++) {
      try {
        return await this.o.rsClient.update({ ...cur, status: next }, { signal, namespace: ns, subresource: 'status' });
      } catch (err) {
        if (i >= STATUS_UPDATE_RETRIES || signal.aborted) throw err;
        cur = await this.o.rsClient.get(rs.metadata.name ?? '', { signal, namespace: ns });
      }
    }
  }
}

function selectorOf(rs: ReplicaSet): LabelSelector | undefined {
  try {
    return labelSelectorAsSelector(rs.spec.selector);
  } catch {
    return undefined;
  }
}

/** The create failed because the namespace is being deleted (StatusCause NamespaceTerminating). */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
