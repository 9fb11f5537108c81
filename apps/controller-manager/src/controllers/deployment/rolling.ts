// kube's pkg/controller/deployment/rolling.go: RollingUpdate within maxSurge and maxUnavailable.
import type { ReplicaSet } from '../replicaset/types.js';
import type { DeploymentDeps } from './deps.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import type { Deployment } from './types.js';
import { activeSets, availableCount, byCreation, deploymentComplete, desiredReplicas, maxUnavailable, newRSNewReplicas, rsReplicas, specCount } from './util.js';

/** One step of a rolling update: scale the new set up if the surge allows, else old sets down if availability allows. */
export async function rolloutRolling(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], signal: AbortSignal): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true, signal);
  const allRSs = [...oldRSs, newRS];
  if (newRS && (await reconcileNewReplicaSet(deps, allRSs, newRS, d, signal))) {
    await syncRolloutStatus(deps, allRSs, newRS, d, signal);
    return;
  }
  if (newRS && (await reconcileOldReplicaSets(deps, allRSs, activeSets(oldRSs), newRS, d, signal))) {
    await syncRolloutStatus(deps, allRSs, newRS, d, signal);
    return;
  }
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d, signal);
  await syncRolloutStatus(deps, allRSs, newRS, d, signal);
}

async function reconcileNewReplicaSet(deps: DeploymentDeps, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet, d: Deployment, signal: AbortSignal): Promise<boolean> {
  const want = desiredReplicas(d);
  if (rsReplicas(newRS) === want) return false;
  if (rsReplicas(newRS) > want) return (await scaleReplicaSetAndRecordEvent(deps, newRS, want, d, signal)).scaled;
  const count = newRSNewReplicas(d, allRSs, newRS);
  return (await scaleReplicaSetAndRecordEvent(deps, newRS, count, d, signal)).scaled;
}

/**
 * Scales old sets down as far as availability allows: at most all pods − (replicas − maxUnavailable) − the new
 * set's unavailable pods; unhealthy old replicas go first (they cost no availability).
 */
async function reconcileOldReplicaSets(deps: DeploymentDeps, allRSs: readonly (ReplicaSet | undefined)[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment, signal: AbortSignal): Promise<boolean> {
  if (specCount(oldRSs) === 0) return false;
  const allPods = specCount(allRSs);
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  let cleaned: { oldRSs: ReplicaSet[]; count: number };
  try {
    cleaned = await cleanupUnhealthyReplicas(deps, oldRSs, d, maxScaledDown, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return false; // kube drops this error and waits for the next sync
  }
  let scaledDown = 0;
  try {
    scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(deps, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return false;
  }
  return cleaned.count + scaledDown > 0;
}

/** Scales old sets down by their unavailable replicas, oldest first, at most `maxCleanup` in all. */
async function cleanupUnhealthyReplicas(deps: DeploymentDeps, oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number, signal: AbortSignal): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sets = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sets.entries()) {
    if (total >= maxCleanup) break;
    const replicas = rsReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    const next = replicas - count;
    if (next > replicas) {
      throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''} ${replicas} -> ${next}`);
    }
    sets[i] = (await scaleReplicaSetAndRecordEvent(deps, rs, next, d, signal)).rs;
    total += count;
  }
  return { oldRSs: sets, count: total };
}

/** Scales old sets down, oldest first, by what is available beyond replicas − maxUnavailable. */
async function scaleDownOldReplicaSetsForRollingUpdate(deps: DeploymentDeps, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], d: Deployment, signal: AbortSignal): Promise<number> {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const available = availableCount(allRSs);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    const replicas = rsReplicas(rs);
    if (replicas === 0) continue;
    const count = Math.min(replicas, target - total);
    const next = replicas - count;
    if (next > replicas) {
      throw new Error(`when scaling down old RS, got invalid request to scale down ${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''} ${replicas} -> ${next}`);
    }
    await scaleReplicaSetAndRecordEvent(deps, rs, next, d, signal);
    total += count;
  }
  return total;
}
