// kube's pkg/controller/deployment/recreate.go: every old pod gone before the new set scales up.
import type { Pod } from '../../controller-utils/index.js';
import type { ReplicaSet } from '../replicaset/types.js';
import type { DeploymentDeps } from './deps.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import type { Deployment } from './types.js';
import { activeSets, actualCount, deploymentComplete, desiredReplicas } from './util.js';

/** `podMap`: the Deployment's pods by the uid of their controlling ReplicaSet (every set in rsList has an entry). */
export async function rolloutRecreate(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], podMap: ReadonlyMap<string, readonly Pod[]>, signal: AbortSignal): Promise<void> {
  // No new set yet, so nothing scales up before the old ones are down.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false, signal);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(deps, rs, 0, d, signal)).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) {
    await syncRolloutStatus(deps, allRSs, newRS, d, signal);
    return;
  }
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true, signal));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(deps, newRS, desiredReplicas(d), d, signal);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d, signal);
  await syncRolloutStatus(deps, allRSs, newRS, d, signal);
}

/** Any old set still reports pods, or any pod of an old set is not yet Succeeded or Failed. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: ReadonlyMap<string, readonly Pod[]>): boolean {
  if (actualCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
