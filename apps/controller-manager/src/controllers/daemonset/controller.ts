import { ApiError, TerminalError, isConflict, type Informer, type KubeObject, type ReconcileResult, type ResourceClient, type WorkQueue } from '@ekslab/client';
import { labelSelectorAsSelector, type LabelSelector } from '@ekslab/apimachinery';
import type { Clock, Logger } from '@ekslab/runtime';
import {
  ControllerExpectations, PodControl, claim, controllerOf, isPodReady, newControllerRef, slowStartBatch, type Node, type Pod,
} from '../../controller-utils/index.js';
import type { EventRecorder } from '../../framework/recorder.js';
import { PerKeyBackoff, FAILED_POD_BACKOFF } from './backoff.js';
import { cleanupHistory, constructHistory, type HistoryApi } from './history.js';
import { planManage, planRollingUpdate, statusCounts, type Plan } from './plan.js';
import { nodeNameAffinity, nodeShouldRunDaemonPod } from './scheduling.js';
import { REVISION_HASH_LABEL, type ControllerRevision, type DaemonSet } from './types.js';
import { daemonPodTemplate } from './util.js';

/** kube's BurstReplicas: at most this many creations and deletions per sync. */
export const BURST_REPLICAS = 250;

export interface DaemonSetsControllerOptions {
  readonly daemonSets: Informer<DaemonSet>;
  readonly pods: Informer<Pod>;
  readonly nodes: Informer<Node>;
  readonly revisions: Informer<ControllerRevision>;
  /** Writes, as daemon-set-controller. */
  readonly clients: {
    readonly daemonSets: ResourceClient<DaemonSet>;
    readonly pods: ResourceClient<Pod>;
    readonly revisions: ResourceClient<ControllerRevision>;
  };
  readonly queue: WorkQueue<string>;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  /** Backoff before a failed daemon pod on a node is deleted again (kube: 1 s doubling to 15 min). */
  readonly failedPodBackoff?: { readonly initialMs: number; readonly maxMs: number };
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const asOwner = (ds: DaemonSet): DaemonSet => ({ ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' });
const emptySelector = (ds: DaemonSet): boolean =>
  Object.keys(ds.spec.selector?.matchLabels ?? {}).length === 0 && (ds.spec.selector?.matchExpressions ?? []).length === 0;

/**
 * kube's DaemonSetsController: one pod per eligible node, created with a `metadata.name` node affinity for
 * the scheduler to bind; pods on nodes that may no longer run them, failed (with per-node backoff) and
 * surplus pods deleted; rolling updates within maxUnavailable / maxSurge, or OnDelete; history as
 * ControllerRevisions; status through daemonsets/status. Informer handlers only enqueue `namespace/name`.
 *
 * Needs leader election: construct and `reconcile` only within one leadership term.
 */
export class DaemonSetsController {
  private readonly expectations: ControllerExpectations;
  private readonly backoff: PerKeyBackoff;
  private readonly podControl: PodControl;
  private readonly history: HistoryApi;

  constructor(private readonly o: DaemonSetsControllerOptions) {
    this.expectations = new ControllerExpectations(o.clock);
    const b = o.failedPodBackoff ?? FAILED_POD_BACKOFF;
    this.backoff = new PerKeyBackoff(o.clock, b.initialMs, b.maxMs);
    this.podControl = new PodControl({ pods: o.clients.pods, recorder: o.recorder });
    this.history = {
      revisions: o.clients.revisions, daemonSets: o.clients.daemonSets, pods: o.clients.pods,
      cachedRevisions: (ns) => o.revisions.store.byIndex('namespace', ns),
      canAdopt: (ds, s) => this.canAdopt(ds, s),
    };
    this.registerHandlers();
  }

  // ---- informer handlers: enqueue only ------------------------------------------------------------

  private registerHandlers(): void {
    const { queue } = this.o;
    this.o.daemonSets.addEventHandler({
      onAdd: (ds) => queue.add(keyOf(ds)),
      onUpdate: (_old, ds) => queue.add(keyOf(ds)),
      onDelete: (ds) => {
        this.expectations.delete(keyOf(ds));
        queue.add(keyOf(ds));
      },
    });
    this.o.revisions.addEventHandler({
      onAdd: (r) => this.enqueueOwnerOrMatching(r),
      onUpdate: (old, r) => {
        if (old.metadata.resourceVersion === r.metadata.resourceVersion) return;
        const oldRef = controllerOf(old);
        if (oldRef && oldRef.uid !== controllerOf(r)?.uid) this.enqueueOwnerOrMatching(old);
        this.enqueueOwnerOrMatching(r);
      },
      onDelete: (r) => {
        const ds = this.resolveOwner(r);
        if (ds) queue.add(keyOf(ds));
      },
    });
    this.o.pods.addEventHandler({
      onAdd: (pod) => {
        if (pod.metadata.deletionTimestamp) return this.podGone(pod);
        const ds = this.resolveOwner(pod);
        if (ds) {
          this.expectations.creationObserved(keyOf(ds));
          queue.add(keyOf(ds));
        } else if (!controllerOf(pod)) {
          this.enqueueMatching(pod);
        }
      },
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podGone(pod),
    });
    this.o.nodes.addEventHandler({
      onAdd: (node) => this.enqueueForNode(node, (ds) => nodeShouldRunDaemonPod(node, ds).shouldRun),
      onUpdate: (old, node) => this.enqueueForNode(node, (ds) => {
        const a = nodeShouldRunDaemonPod(old, ds);
        const b = nodeShouldRunDaemonPod(node, ds);
        return a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning;
      }),
      onDelete: (node) => this.enqueueForNode(node, (ds) => nodeShouldRunDaemonPod(node, ds).shouldRun),
    });
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp) {
      // Graceful deletion: the pod counts as gone now, so the controller does not wait for the kubelet.
      this.podGone(pod);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) this.podGone(old);
      return;
    }
    const oldRef = controllerOf(old);
    const ref = controllerOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const previous = this.resolveOwner(old);
      if (previous) this.o.queue.add(keyOf(previous));
    }
    if (ref) {
      const ds = this.resolveOwner(pod);
      if (!ds) return;
      this.o.queue.add(keyOf(ds));
      const minReady = ds.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.o.queue.addAfter(keyOf(ds), minReady * 1000 + 1000);
      return;
    }
    if (oldRef?.uid !== undefined || JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) this.enqueueMatching(pod);
  }

  private podGone(pod: Pod): void {
    const ds = this.resolveOwner(pod);
    if (!ds) return;
    this.expectations.deletionObserved(keyOf(ds), keyOf(pod));
    this.o.queue.add(keyOf(ds));
  }

  /** The cached DaemonSet an object's controller reference names (same uid), if any. */
  private resolveOwner(obj: KubeObject): DaemonSet | undefined {
    const ref = controllerOf(obj);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const ds = this.o.daemonSets.store.get(`${obj.metadata.namespace ?? ''}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  private enqueueOwnerOrMatching(obj: KubeObject): void {
    if (controllerOf(obj)) {
      const ds = this.resolveOwner(obj);
      if (ds) this.o.queue.add(keyOf(ds));
      return;
    }
    this.enqueueMatching(obj);
  }

  /** An orphan: every DaemonSet in its namespace whose selector matches it may want to adopt it. */
  private enqueueMatching(obj: KubeObject): void {
    for (const ds of this.o.daemonSets.store.byIndex('namespace', obj.metadata.namespace ?? '')) {
      if (emptySelector(ds)) continue;
      try {
        if (labelSelectorAsSelector(ds.spec.selector).matches(obj.metadata.labels)) this.o.queue.add(keyOf(ds));
      } catch {
        // An invalid selector matches nothing.
      }
    }
  }

  private enqueueForNode(node: Node, wants: (ds: DaemonSet) => boolean): void {
    for (const ds of this.o.daemonSets.store.list()) if (wants(ds)) this.o.queue.add(keyOf(ds));
  }

  // ---- sync -----------------------------------------------------------------------------------------

  /** syncDaemonSet: converge one DaemonSet's pods, history and status. */
  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const cached = this.o.daemonSets.store.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return undefined;
    }
    const ds = asOwner(cached);
    if (emptySelector(ds)) {
      this.o.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return undefined;
    }
    if (ds.metadata.deletionTimestamp) return undefined;
    let selector: LabelSelector;
    try {
      selector = labelSelectorAsSelector(ds.spec.selector);
    } catch (err) {
      throw new TerminalError(`invalid selector of DaemonSet ${key}: ${(err as Error).message}`, { cause: err });
    }
    if (!selector.matches(ds.spec.template.metadata?.labels)) {
      // The apiserver's validation refuses this (`selector` does not match template `labels`); were it stored,
      // every pod created would be an orphan and the controller would create pods without end.
      throw new TerminalError(`DaemonSet ${key}: selector does not match template labels; not creating pods`);
    }
    const nodes = this.o.nodes.store.list();
    const { cur, old } = await constructHistory(this.history, ds, selector, signal);
    const hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    if (!this.expectations.satisfied(key)) return this.updateStatus(ds, selector, nodes, hash, false, signal);

    let requeueAfter: number | undefined;
    let failure: Error | undefined;
    try {
      const pods = await this.claimPods(ds, selector, signal);
      const manage = planManage(ds, nodes, pods, hash, { backoff: this.backoff, now: this.o.clock.now() });
      requeueAfter = manage.requeueAfter;
      await this.syncNodes(ds, key, manage, pods, hash, signal);
      if (this.expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') {
        // Nothing was created or deleted above (or it was already observed): the cache is current.
        await this.syncNodes(ds, key, planRollingUpdate(ds, nodes, pods, hash, this.o.clock.now()), pods, hash, signal);
      }
      await cleanupHistory(this.history, ds, old, pods, signal);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    const status = await this.updateStatus(ds, selector, nodes, hash, true, signal);
    if (failure !== undefined) throw failure;
    const after = [requeueAfter, status?.requeueAfter].filter((n): n is number => n !== undefined);
    return after.length ? { requeueAfter: Math.min(...after) } : undefined;
  }

  /** getDaemonPods: the namespace's pods this DaemonSet controls after adopting orphans and releasing strays. */
  private claimPods(ds: DaemonSet, selector: LabelSelector, signal: AbortSignal): Promise<Pod[]> {
    const ns = ds.metadata.namespace ?? '';
    return claim(this.o.pods.store.byIndex('namespace', ns), {
      owner: ds, controllerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'), selector,
      patch: async (pod, patch, s) => void (await this.o.clients.pods.patch(pod.metadata.name ?? '', 'strategic-merge', patch, { signal: s, namespace: ns })),
      canAdopt: (s) => this.canAdopt(ds, s),
    }, signal);
  }

  /** Adoption needs the DaemonSet as the API has it now: not deleted, not replaced by another of the same name. */
  private async canAdopt(ds: DaemonSet, signal: AbortSignal): Promise<void> {
    const ns = ds.metadata.namespace ?? '';
    const fresh = await this.o.clients.daemonSets.get(ds.metadata.name ?? '', { signal, namespace: ns });
    if (fresh.metadata.uid !== ds.metadata.uid) {
      throw new Error(`original DaemonSet ${ns}/${ds.metadata.name ?? ''} is gone: got uid ${fresh.metadata.uid ?? ''}, wanted ${ds.metadata.uid ?? ''}`);
    }
    if (fresh.metadata.deletionTimestamp) throw new Error(`${ns}/${ds.metadata.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  /**
   * syncNodes: records the plan's events, sets expectations, creates pods for the nodes (slow start, each
   * bound to its node by affinity) and deletes the pods, at most BURST_REPLICAS of each.
   */
  private async syncNodes(ds: DaemonSet, key: string, plan: Plan, pods: readonly Pod[], hash: string, signal: AbortSignal): Promise<void> {
    for (const e of plan.events) this.o.recorder.event(ds, e.type, e.reason, e.message);
    const create = plan.create.slice(0, BURST_REPLICAS);
    const byName = new Map(pods.map((p) => [p.metadata.name ?? '', p]));
    const remove = plan.delete.slice(0, BURST_REPLICAS).map((n) => byName.get(n)).filter((p): p is Pod => p !== undefined);
    if (create.length === 0 && remove.length === 0) return;
    this.expectations.expect(key, create.length, remove.map(keyOf));
    const errors: unknown[] = [];
    if (create.length > 0) {
      const template = daemonPodTemplate(ds, hash);
      const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
      let attempted = 0;
      const r = await slowStartBatch(create.length, async (i) => {
        attempted += 1;
        const node = create[i]!;
        try {
          await this.podControl.create(template, ds, ref, signal, (pod) => void (pod.spec.affinity = nodeNameAffinity(pod.spec.affinity, node)));
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          this.expectations.creationObserved(key);
          throw err;
        }
      });
      if (r.error !== undefined) {
        errors.push(r.error);
        // Creations never attempted will not be observed.
        const skipped = create.length - attempted;
        if (skipped > 0) this.expectations.lowerCreations(key, skipped);
      }
    }
    const results = await Promise.allSettled(remove.map(async (pod) => {
      let deleted: boolean;
      try {
        deleted = await this.podControl.delete(pod, ds, signal);
      } catch (err) {
        this.expectations.deletionObserved(key, keyOf(pod));
        throw err;
      }
      if (!deleted) this.expectations.deletionObserved(key, keyOf(pod));
    }));
    for (const res of results) if (res.status === 'rejected') errors.push(res.reason);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e as Error).message).join('; '));
  }

  /**
   * updateDaemonSetStatus: writes the counts through daemonsets/status when they changed (or the generation
   * was not yet observed), retrying once on a conflict. Asks to look again after minReadySeconds while
   * ready pods are not yet available.
   */
  private async updateStatus(ds: DaemonSet, selector: LabelSelector, nodes: readonly Node[], hash: string, observe: boolean, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const pods = await this.claimPods(ds, selector, signal);
    const counts = statusCounts(ds, nodes, pods, hash, this.o.clock.now());
    const minReady = ds.spec.minReadySeconds ?? 0;
    const result = minReady > 0 && counts.numberReady !== counts.numberAvailable ? { requeueAfter: minReady * 1000 } : undefined;
    const s = ds.status ?? {};
    const same = (Object.keys(counts) as (keyof typeof counts)[]).every((k) => (s[k] ?? 0) === counts[k]);
    if (same && (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)) return result;
    const ns = ds.metadata.namespace ?? '';
    let target: DaemonSet = structuredClone(ds);
    for (let attempt = 0; ; attempt++) {
      target.status = { ...target.status, ...counts, ...(observe ? { observedGeneration: ds.metadata.generation ?? 0 } : {}) };
      try {
        await this.o.clients.daemonSets.update(target, { signal, namespace: ns, subresource: 'status' });
        return result;
      } catch (err) {
        if (attempt >= 1 || !isConflict(err)) throw err;
        target = await this.o.clients.daemonSets.get(ds.metadata.name ?? '', { signal, namespace: ns });
      }
    }
  }
}

function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.status.details?.causes ?? []).some((c) => (c.reason as string | undefined) === 'NamespaceTerminating');
}
