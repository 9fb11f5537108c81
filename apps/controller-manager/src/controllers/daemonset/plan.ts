// The DaemonSet controller's decisions, as pure functions of the cached state (kube's manage,
// podsShouldBeOnNode, rollingUpdate and updateDaemonSetStatus): which nodes need a pod, which pods go.
import { isPodAvailable, isPodReady, type Node, type Pod } from '../../controller-utils/index.js';
import type { PerKeyBackoff } from './backoff.js';
import { nodeShouldRunDaemonPod, targetNodeName } from './scheduling.js';
import { REVISION_HASH_LABEL, type DaemonSet, type DaemonSetStatus } from './types.js';
import { allowsSurge, compareDaemonPods, isPodUpdated, maxSurge, maxUnavailable, templateGeneration } from './util.js';

export interface PlannedEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** What one pass decides: nodes to create a pod for, pods (names) to delete, events, and when to look again. */
export interface Plan {
  create: string[];
  delete: string[];
  events: PlannedEvent[];
  /** Look again after this long (a failed pod waiting out its backoff). */
  requeueAfter?: number;
}

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/**
 * The DaemonSet's pods by the node they are on or meant for (getNodesToDaemonPods); pods naming no node
 * are left out, and so are terminal pods already being deleted unless `includeDeletedTerminal`.
 */
export function podsByNode(pods: readonly Pod[], includeDeletedTerminal = false): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list) list.push(pod);
    else byNode.set(node, [pod]);
  }
  return byNode;
}

/** The key of a node's failed-pod backoff: DaemonSet uid, generation and node (failedPodsBackoffKey). */
export const failedPodsBackoffKey = (ds: DaemonSet, node: string): string => `${ds.metadata.uid ?? ''}/${ds.metadata.generation ?? 0}/${node}`;

export interface ManageContext {
  readonly backoff: PerKeyBackoff;
  /** Now, ms (availability with minReadySeconds). */
  readonly now: number;
}

/** podsShouldBeOnNode: what one node needs. */
export function planNode(node: Node, byNode: ReadonlyMap<string, Pod[]>, ds: DaemonSet, hash: string, ctx: ManageContext, plan: Plan): void {
  const nodeName = node.metadata.name ?? '';
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const daemonPods = byNode.get(nodeName);
  if (shouldRun && !daemonPods) {
    plan.create.push(nodeName);
    return;
  }
  if (shouldContinueRunning) {
    const running: Pod[] = [];
    for (const pod of daemonPods ?? []) {
      if (pod.metadata.deletionTimestamp) continue;
      const where = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} on node ${nodeName}`;
      if (pod.status?.phase === 'Failed') {
        // The kubelet may keep rejecting the pod: back off per node instead of hot-looping.
        const key = failedPodsBackoffKey(ds, nodeName);
        if (ctx.backoff.inBackoff(key)) {
          const delay = ctx.backoff.get(key);
          plan.requeueAfter = Math.min(plan.requeueAfter ?? delay, delay);
          continue;
        }
        ctx.backoff.next(key);
        plan.events.push({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${where}, will try to kill it` });
        plan.delete.push(pod.metadata.name ?? '');
      } else if (pod.status?.phase === 'Succeeded') {
        plan.events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${where}, will try to delete it` });
        plan.delete.push(pod.metadata.name ?? '');
      } else {
        running.push(pod);
      }
    }
    running.sort(compareDaemonPods);
    if (!allowsSurge(ds)) {
      // Without surge, more than one running pod on a node: all but the oldest go.
      for (const extra of running.slice(1)) plan.delete.push(extra.metadata.name ?? '');
      return;
    }
    if (running.length <= 1) {
      // Surging: a node needs at least one pod that is not being deleted.
      if (running.length === 0 && shouldRun) plan.create.push(nodeName);
      return;
    }
    // Surging: keep the oldest new and the oldest old pod; the old one goes once it is not ready or the new one is available.
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    for (const pod of running) {
      const isNew = pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
      if (isNew && !oldestNew) oldestNew = pod;
      else if (!isNew && !oldestOld) oldestOld = pod;
      else plan.delete.push(pod.metadata.name ?? '');
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, ctx.now))) {
      plan.delete.push(oldestOld.metadata.name ?? '');
    }
    return;
  }
  if (daemonPods) {
    // The node may not run the daemon pod any more: all of its pods go.
    for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) plan.delete.push(pod.metadata.name ?? '');
  }
}

/**
 * manage: every node's needs, plus the unscheduled pods meant for nodes that no longer exist (they would
 * never be scheduled, and the pod GC only removes pods bound to missing nodes).
 */
export function planManage(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, ctx: ManageContext): Plan {
  const byNode = podsByNode(pods);
  const plan: Plan = { create: [], delete: [], events: [] };
  for (const node of nodes) planNode(node, byNode, ds, hash, ctx, plan);
  const existing = new Set(nodes.map((n) => n.metadata.name ?? ''));
  for (const [node, list] of byNode) {
    if (existing.has(node)) continue;
    for (const pod of list) if (!pod.spec.nodeName) plan.delete.push(pod.metadata.name ?? '');
  }
  return plan;
}

/** findUpdatedPodsOnNode: the node's one new and one old pod; `ok` false when it has more of either. */
function updatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = templateGeneration(ds);
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}), ok: true };
}

/** updatedDesiredNodeCounts: surge and unavailability bounds; nodes that should run get an entry (maybe empty). */
export function desiredNodeCounts(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>): { surge: number; unavailable: number; desired: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired += 1;
    const name = node.metadata.name ?? '';
    if (!byNode.has(name)) byNode.set(name, []);
  }
  const unavailable = maxUnavailable(ds, desired);
  const surge = maxSurge(ds, desired);
  // An impossible configuration (both 0) falls back to one unavailable pod at a time.
  return { surge, unavailable: desired > 0 && unavailable === 0 && surge === 0 ? 1 : unavailable, desired };
}

/**
 * rollingUpdate: without surge, delete old pods while at most maxUnavailable daemon pods are unavailable
 * (manage then creates their replacements); with surge, create new pods next to old available ones on up
 * to maxSurge nodes and delete each old pod once its replacement is available.
 */
export function planRollingUpdate(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: number): Plan {
  const byNode = podsByNode(pods);
  const { surge, unavailable, desired } = desiredNodeCounts(ds, nodes, byNode);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
  const plan: Plan = { create: [], delete: [], events: [] };
  if (surge === 0) {
    let numUnavailable = 0;
    const replacements: string[] = [];
    const candidates: string[] = [];
    for (const list of byNode.values()) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(ds, list, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        // Excess pods, or a pod to create or delete: manage handles the node; it counts as unavailable.
        numUnavailable += 1;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable += 1;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replacements.push(oldPod.metadata.name ?? '');
          numUnavailable += 1;
        } else if (numUnavailable < unavailable) {
          candidates.push(oldPod.metadata.name ?? '');
        }
      }
    }
    const room = Math.min(Math.max(unavailable - numUnavailable, 0), candidates.length);
    plan.delete.push(...replacements, ...candidates.slice(0, room));
    return plan;
  }
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  const shouldRun = (name: string): boolean => {
    const node = nodeByName.get(name);
    return node !== undefined && nodeShouldRunDaemonPod(node, ds).shouldRun;
  };
  let numSurge = 0;
  let numAvailable = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const shouldNotRun: Pod[] = [];
  for (const [nodeName, list] of byNode) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(ds, list, hash);
    if (!ok) {
      numSurge += 1;
      continue;
    }
    const counted = oldPod ?? newPod;
    if (counted && available(counted)) numAvailable += 1;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(nodeName)) plan.delete.push(oldPod.metadata.name ?? '');
        else allowedNew.push(nodeName);
      } else if (!shouldRun(nodeName)) {
        shouldNotRun.push(oldPod);
      } else if (numSurge < surge) {
        candidateNew.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) numSurge += 1;
    else plan.delete.push(oldPod.metadata.name ?? '');
  }
  // With surge the owner expects full availability: pods on nodes that should no longer run them go only
  // while more pods are available than desired.
  const deletable = Math.min(Math.max(numAvailable - desired, 0), shouldNotRun.length);
  for (const pod of shouldNotRun.slice(0, deletable)) if (available(pod)) plan.delete.push(pod.metadata.name ?? '');
  const room = Math.min(Math.max(surge - numSurge, 0), candidateNew.length);
  plan.create.push(...allowedNew, ...candidateNew.slice(0, room));
  return plan;
}

export type StatusCounts = Required<Pick<DaemonSetStatus,
  'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

/** updateDaemonSetStatus's counts; a node's oldest pod (scheduled first) speaks for it. */
export function statusCounts(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: number): StatusCounts {
  const byNode = podsByNode(pods);
  const c: StatusCounts = {
    desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const list = byNode.get(node.metadata.name ?? '') ?? [];
    const scheduled = list.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled += 1;
      continue;
    }
    c.desiredNumberScheduled += 1;
    if (!scheduled) continue;
    c.currentNumberScheduled += 1;
    const pod = [...list].sort(compareDaemonPods)[0]!;
    if (isPodReady(pod)) {
      c.numberReady += 1;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) c.numberAvailable += 1;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled += 1;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}
