// kube's pkg/controller/deployment/progress.go: the Progressing condition and the progress deadline.
import type { Condition } from '../../controller-utils/index.js';
import type { ReplicaSet } from '../replicaset/types.js';
import { updateDeploymentStatus, type DeploymentDeps } from './deps.js';
import type { Deployment, DeploymentStatus } from './types.js';
import {
  NEW_RS_AVAILABLE, REPLICA_SET_UPDATED, TIMED_OUT, calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut,
  getCondition, hasProgressDeadline, newCondition, removeCondition, sameStatus, setCondition,
} from './util.js';

/**
 * The status a rollout step leaves: calculateStatus plus the Progressing condition — NewReplicaSetAvailable
 * once complete, ReplicaSetUpdated (lastUpdateTime moved) on any progress, ProgressDeadlineExceeded when the
 * deadline passed without progress — and the new (else any) set's ReplicaFailure condition. Pure.
 */
export function rolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isComplete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === NEW_RS_AVAILABLE;
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS ? `ReplicaSet ${JSON.stringify(newRS.metadata.name)}` : `Deployment ${JSON.stringify(d.metadata.name)}`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE, `${subject} has successfully progressed.`, nowMs));
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition('Progressing', 'True', REPLICA_SET_UPDATED, `${subject} is progressing.`, nowMs);
      // Same reason, new lastUpdateTime: replaced outright (setCondition would keep the old one).
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(status, newCondition('Progressing', 'False', TIMED_OUT, `${subject} has timed out progressing.`, nowMs));
    }
  }
  const failure = replicaFailures(allRSs, newRS)[0];
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');
  return status;
}

/** ReplicaFailure conditions of the new set, or else of any set, as Deployment conditions. */
function replicaFailures(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Condition[] {
  const of = (rs: ReplicaSet): Condition[] => (rs.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure')
    .map((c) => ({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message }));
  const fromNew = newRS ? of(newRS) : [];
  if (fromNew.length) return fromNew;
  return allRSs.flatMap((rs) => (rs ? of(rs) : []));
}

/** syncRolloutStatus: writes rolloutStatus when it differs; otherwise schedules the next deadline check. */
export async function syncRolloutStatus(deps: DeploymentDeps, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, signal: AbortSignal): Promise<void> {
  const status = rolloutStatus(allRSs, newRS, d, deps.clock.now());
  if (sameStatus(d.status, status)) {
    const after = stuckRequeueAfter(d, status, deps.clock.now());
    if (after !== undefined) deps.enqueueAfter(d, after);
    return;
  }
  d.status = status;
  await updateDeploymentStatus(deps, d, signal);
}

/**
 * requeueStuckDeployment: when a rollout shows no progress, when to look again — the Progressing
 * condition's lastUpdateTime + progressDeadlineSeconds, plus a second against skew (kube re-queues at once,
 * rate-limited, when under a second is left; here a second later, which is the same without a busy loop).
 * Undefined when there is no deadline, no condition, or the rollout completed or already timed out.
 */
export function stuckRequeueAfter(d: Deployment, status: DeploymentStatus, nowMs: number): number | undefined {
  const cur = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !cur) return undefined;
  if (deploymentComplete(d, status) || cur.reason === TIMED_OUT) return undefined;
  const after = Date.parse(cur.lastUpdateTime ?? '') + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - nowMs;
  if (Number.isNaN(after)) return undefined;
  return Math.max(0, after) + 1000;
}
