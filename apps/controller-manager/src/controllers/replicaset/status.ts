import { LabelSelector } from '@ekslab/apimachinery';
import { isPodAvailable, isPodReady, rfc3339, type Condition, type Pod } from '../../controller-utils/index.js';
import { specReplicas, type ReplicaSet, type ReplicaSetStatus } from './types.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * kube's replicaset calculateStatus: counts of the set's active, claimed pods — fully labeled (carrying every
 * label of the template), ready, and available (ready for minReadySeconds by `nowMs`) — and the ReplicaFailure
 * condition: set (FailedCreate when pods were missing, FailedDelete when too many) by a failed manageReplicas
 * and removed by a successful one. observedGeneration is left as it was (the writer sets it).
 */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: Error | undefined, nowMs: number): ReplicaSetStatus {
  const template = LabelSelector.fromSet(rs.spec.template.metadata?.labels ?? {});
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (template.matches(pod.metadata.labels)) fullyLabeled += 1;
    if (isPodReady(pod)) {
      ready += 1;
      if (isPodAvailable(pod, minReady, nowMs)) available += 1;
    }
  }
  let conditions = rs.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const diff = pods.length - specReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: Condition = { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(nowMs), reason, message: manageError.message };
    conditions = [...conditions.filter((c) => c.type !== REPLICA_FAILURE), cond];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  return {
    replicas: pods.length,
    ...(fullyLabeled ? { fullyLabeledReplicas: fullyLabeled } : {}),
    ...(ready ? { readyReplicas: ready } : {}),
    ...(available ? { availableReplicas: available } : {}),
    ...(rs.status?.observedGeneration !== undefined ? { observedGeneration: rs.status.observedGeneration } : {}),
    ...(conditions.length ? { conditions } : {}),
  };
}

/**
 * kube's updateReplicaSetStatus short cut: nothing to write when the counts, the conditions and the
 * observed generation are already what they should be.
 */
export function statusUpToDate(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status;
  return (cur?.replicas ?? 0) === next.replicas
    && (cur?.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0)
    && (cur?.readyReplicas ?? 0) === (next.readyReplicas ?? 0)
    && (cur?.availableReplicas ?? 0) === (next.availableReplicas ?? 0)
    && (rs.metadata.generation ?? 0) === (cur?.observedGeneration ?? 0)
    && JSON.stringify(cur?.conditions ?? []) === JSON.stringify(next.conditions ?? []);
}
