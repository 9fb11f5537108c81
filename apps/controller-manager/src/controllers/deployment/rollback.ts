// kube's pkg/controller/deployment/rollback.go: the deprecated `rollbackTo` of extensions/v1beta1, which apps/v1
// round-trips as the deprecated.deployment.rollback.to annotation. (`kubectl rollout undo` does not use it: it
// patches the template itself.)
import type { ReplicaSet } from '../replicaset/types.js';
import type { DeploymentDeps } from './deps.js';
import { POD_TEMPLATE_HASH_LABEL, equalIgnoreHash } from './hash.js';
import { getAllReplicaSetsAndSyncRevision } from './sync.js';
import type { Deployment } from './types.js';
import { annotationsToSkip, revision } from './util.js';

/** apps.DeprecatedRollbackTo. */
export const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';

/** The revision asked for (0 = the previous one), or undefined when there is no valid request. */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata.annotations?.[ROLLBACK_TO_ANNOTATION];
  if (!v || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** deploymentutil.LastRevision: the second highest revision among the sets. */
export function lastRevision(sets: readonly (ReplicaSet | undefined)[]): number {
  let max = 0;
  let second = 0;
  for (const rs of sets) {
    const v = rs ? revision(rs) : undefined;
    if (v === undefined) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

/**
 * Rolls the Deployment's template (and its annotations) back to the set of the requested revision, then
 * clears the request — with kube's DeploymentRollback events; a revision that does not exist or a template
 * that is already current only clears the request (and says why).
 */
export async function rollback(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], signal: AbortSignal): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true, signal);
  const all = [...oldRSs, newRS];
  let target = rollbackTo(d) ?? 0;
  if (target === 0) {
    target = lastRevision(all);
    if (target === 0) {
      deps.recorder.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find last revision.');
      return clearRollbackTo(deps, d, signal);
    }
  }
  const rs = all.find((x) => x && revision(x) === target);
  if (!rs) {
    deps.recorder.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    return clearRollbackTo(deps, d, signal);
  }
  if (equalIgnoreHash(d.spec.template, rs.spec.template)) {
    deps.recorder.event(d, 'Warning', 'DeploymentRollbackTemplateUnchanged', `The rollback revision contains the same template as current deployment ${JSON.stringify(d.metadata.name)}`);
    return clearRollbackTo(deps, d, signal);
  }
  const template = structuredClone(rs.spec.template);
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  d.spec.template = { ...template, metadata: { ...(template.metadata ?? {}), labels } };
  // The Deployment takes the set's annotations, so the set it creates again carries them (change-cause).
  const kept = Object.entries(d.metadata.annotations ?? {}).filter(([k]) => annotationsToSkip.has(k));
  const copied = Object.entries(rs.metadata.annotations ?? {}).filter(([k]) => !annotationsToSkip.has(k));
  d.metadata.annotations = Object.fromEntries([...kept, ...copied]);
  await clearRollbackTo(deps, d, signal);
  deps.recorder.event(d, 'Normal', 'DeploymentRollback', `Rolled back deployment ${JSON.stringify(d.metadata.name)} to revision ${target}`);
}

async function clearRollbackTo(deps: DeploymentDeps, d: Deployment, signal: AbortSignal): Promise<void> {
  if (d.metadata.annotations) delete d.metadata.annotations[ROLLBACK_TO_ANNOTATION];
  await deps.deployments.update(d, { signal, namespace: d.metadata.namespace ?? '' });
}
