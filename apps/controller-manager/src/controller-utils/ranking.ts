import { isPodActive, isPodReady, podCondition } from './pods.js';
import type { Pod } from './types.js';

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const deletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata.annotations?.[deletionCostAnnotation]);
  return Number.isInteger(v) ? v : 0;
}

function readySince(pod: Pod): number {
  const t = podCondition(pod, 'Ready')?.lastTransitionTime;
  return t ? Date.parse(t) : 0;
}

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((max, c) => Math.max(max, c.restartCount), 0);
}

/**
 * kube's ActivePodsWithRanks ordering: the pods a controller should delete first sort first —
 * unassigned before assigned; Pending before Unknown before Running; not ready before ready; lower
 * pod-deletion-cost first; more pods of the controller on the same node (`rank`, higher first); ready for
 * less time first; more restarts first; newer first. `rank` defaults to 0 for every pod.
 */
export function compareForDeletion(a: Pod, b: Pod, rank: (p: Pod) => number = () => 0): number {
  const assigned = Number(!!a.spec.nodeName) - Number(!!b.spec.nodeName);
  if (assigned) return assigned;
  const phase = (phaseRank[a.status?.phase ?? 'Pending'] ?? 0) - (phaseRank[b.status?.phase ?? 'Pending'] ?? 0);
  if (phase) return phase;
  const ready = Number(isPodReady(a)) - Number(isPodReady(b));
  if (ready) return ready;
  const cost = deletionCost(a) - deletionCost(b);
  if (cost) return cost;
  const ranked = rank(b) - rank(a);
  if (ranked) return ranked;
  if (isPodReady(a) && isPodReady(b)) {
    const since = readySince(b) - readySince(a);
    if (since) return since;
  }
  const restarted = restarts(b) - restarts(a);
  if (restarted) return restarted;
  return Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '') || 0;
}

/**
 * The first `n` pods to delete, by compareForDeletion ranked as kube's getPodsRankedByRelatedPodsOnSameNode:
 * a pod's rank is the number of active `related` pods on its node (kube passes the pods of every ReplicaSet
 * with the same controller; default: the set itself). (kube skips the sort when all
 * pods go; sorting anyway changes nothing but the order of the deletes.)
 */
export function podsToDelete(pods: readonly Pod[], n: number, related: readonly Pod[] = pods): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of related) if (p.spec.nodeName && isPodActive(p)) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const rank = (p: Pod): number => (p.spec.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, Math.max(0, n));
}
