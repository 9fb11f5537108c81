import { labelSelectorAsSelector, type LabelSelector } from '@ekslab/apimachinery';
import { NAMESPACE_INDEX, TerminalError, objectKey, type Informer, type ResourceClient, type WorkQueue } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import { claim, controllerOf, newControllerRef, type OwnerReference, type Pod } from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import type { ReplicaSet } from '../replicaset/types.js';
import { updateDeploymentStatus, type DeploymentDeps } from './deps.js';
import { rolloutRecreate } from './recreate.js';
import { rollback, rollbackTo } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { checkPausedConditions, deploymentKind, isScalingEvent, selectsEverything, sync, syncStatusOnly } from './sync.js';
import { RECREATE, ROLLING_UPDATE, type Deployment } from './types.js';

export interface DeploymentControllerOptions {
  readonly deployments: Informer<Deployment>;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  /** Written as the controller's identity (deployment-controller). */
  readonly deploymentClient: ResourceClient<Deployment>;
  readonly rsClient: ResourceClient<ReplicaSet>;
  readonly recorder: EventRecorder;
  readonly queue: WorkQueue<string>;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * kube's Deployment controller: each Deployment owns ReplicaSets, one per pod template (named
 * `<deployment>-<pod-template-hash>`); a sync adopts and releases sets, then — in kube's order — reports a
 * deleted Deployment's status only, keeps a paused one's sizes, handles a scaling event proportionally,
 * or takes one step of the Recreate or RollingUpdate strategy, and writes status and conditions. It keeps
 * no memory between syncs (no expectations): a new leader starts from the caches.
 */
export class DeploymentController {
  private readonly deps: DeploymentDeps;

  constructor(private readonly o: DeploymentControllerOptions) {
    this.deps = {
      deployments: o.deploymentClient, replicaSets: o.rsClient, rsCache: o.replicaSets.store, recorder: o.recorder, clock: o.clock, log: o.log,
      enqueueAfter: (d, ms) => o.queue.addAfter(objectKey(d), ms),
    };
    o.deployments.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    o.replicaSets.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (rs) => this.enqueueOwner(rs),
    });
    o.pods.addEventHandler({ onDelete: (pod) => this.deletePod(pod) });
  }

  get queue(): WorkQueue<string> {
    return this.o.queue;
  }

  private enqueue(d: Deployment): void {
    this.o.queue.add(objectKey(d));
  }

  private resolve(namespace: string, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== deploymentKind.kind) return undefined;
    const d = this.o.deployments.store.get(`${namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(rs: ReplicaSet): void {
    const ref = controllerOf(rs);
    const d = ref && this.resolve(rs.metadata.namespace ?? '', ref);
    if (d) this.enqueue(d);
  }

  /** Deployments whose selector matches an orphan ReplicaSet's labels. */
  private deploymentsFor(rs: ReplicaSet): Deployment[] {
    return this.o.deployments.store.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '').filter((d) => {
      const s = selectorOf(d);
      return s !== undefined && !s.isEmpty() && s.matches(rs.metadata.labels);
    });
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp || controllerOf(rs)) {
      this.enqueueOwner(rs);
      return;
    }
    for (const d of this.deploymentsFor(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const d = this.resolve(old.metadata.namespace ?? '', oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      this.enqueueOwner(cur);
      return;
    }
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.deploymentsFor(cur)) this.enqueue(d);
  }

  /** A Recreate Deployment waits for its old pods to be gone: their deletions wake it. */
  private deletePod(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.o.replicaSets.store.get(`${pod.metadata.namespace ?? ''}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const dRef = controllerOf(rs);
    const d = dRef && this.resolve(rs.metadata.namespace ?? '', dRef);
    if (d?.spec.strategy?.type === RECREATE) this.enqueue(d);
  }

  /** kube's syncDeployment for one `namespace/name` key. */
  async sync(key: string, signal: AbortSignal): Promise<void> {
    const cached = this.o.deployments.store.get(key);
    if (!cached) {
      this.o.log.debug({ deployment: key }, 'Deployment has been deleted');
      return;
    }
    const d = structuredClone(cached);
    if (selectsEverything(d)) {
      this.o.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation ?? 0 };
        await updateDeploymentStatus(this.deps, d, signal);
      }
      return;
    }
    const rsList = await this.replicaSetsFor(d, signal);
    const podMap = this.podMapFor(d, rsList);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(this.deps, d, rsList, signal);
    await checkPausedConditions(this.deps, d, signal);
    if (d.spec.paused) return sync(this.deps, d, rsList, signal);
    // Not re-entrant: the request is cleared before the sets are touched again.
    if (rollbackTo(d) !== undefined) return rollback(this.deps, d, rsList, signal);
    if (await isScalingEvent(this.deps, d, rsList, signal)) return sync(this.deps, d, rsList, signal);
    const type = d.spec.strategy?.type ?? ROLLING_UPDATE;
    if (type === RECREATE) return rolloutRecreate(this.deps, d, rsList, podMap, signal);
    if (type === ROLLING_UPDATE) return rolloutRolling(this.deps, d, rsList, signal);
    throw new TerminalError(`unexpected deployment strategy type: ${String(type)}`);
  }

  /** getReplicaSetsForDeployment: the sets the Deployment controls, after adopting matching orphans and releasing strays. */
  private async replicaSetsFor(d: Deployment, signal: AbortSignal): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? '';
    let selector: LabelSelector;
    try {
      selector = labelSelectorAsSelector(d.spec.selector);
    } catch (err) {
      throw new TerminalError(`deployment ${ns}/${d.metadata.name ?? ''} has invalid label selector: ${(err as Error).message}`);
    }
    return claim(this.o.replicaSets.store.byIndex(NAMESPACE_INDEX, ns), {
      owner: d, controllerRef: newControllerRef(d, deploymentKind.apiVersion, deploymentKind.kind), selector,
      patch: async (rs, patch, s) => {
        await this.o.rsClient.patch(rs.metadata.name ?? '', 'strategic-merge', patch, { signal: s, namespace: ns });
      },
      canAdopt: async (s) => {
        const fresh = await this.o.deploymentClient.get(d.metadata.name ?? '', { signal: s, namespace: ns });
        if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`original Deployment ${ns}/${d.metadata.name ?? ''} is gone: got uid ${fresh.metadata.uid ?? ''}, wanted ${d.metadata.uid ?? ''}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${ns}/${d.metadata.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
    }, signal);
  }

  /** getPodMapForDeployment: pods matching the selector, by the uid of their set (inactive ones too). */
  private podMapFor(d: Deployment, rsList: readonly ReplicaSet[]): Map<string, Pod[]> {
    const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata.uid ?? '', []]));
    const selector = selectorOf(d);
    if (!selector) return map;
    for (const pod of this.o.pods.store.byIndex(NAMESPACE_INDEX, d.metadata.namespace ?? '')) {
      if (!selector.matches(pod.metadata.labels)) continue;
      const uid = controllerOf(pod)?.uid;
      if (uid !== undefined) map.get(uid)?.push(pod);
    }
    return map;
  }
}

function selectorOf(d: Deployment): LabelSelector | undefined {
  try {
    return labelSelectorAsSelector(d.spec.selector);
  } catch {
    return undefined;
  }
}
