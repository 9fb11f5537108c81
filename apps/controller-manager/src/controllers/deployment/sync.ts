// kube's pkg/controller/deployment/sync.go: the new ReplicaSet, revisions, scaling events, history cleanup, status.
import { isAlreadyExists, isNotFound } from '@ekslab/client';
import { newControllerRef } from '../../controller-utils/index.js';
import { isNamespaceTerminating } from '../replicaset/controller.js';
import type { ReplicaSet } from '../replicaset/types.js';
import { updateDeploymentStatus, type DeploymentDeps } from './deps.js';
import { POD_TEMPLATE_HASH_LABEL, computeHash, equalIgnoreHash } from './hash.js';
import type { Deployment } from './types.js';
import {
  FAILED_RS_CREATE, FOUND_NEW_RS, NEW_REPLICA_SET, PAUSED, RESUMED, TIMED_OUT, DESIRED_REPLICAS_ANNOTATION, REVISION_ANNOTATION,
  activeSets, byCreation, byRevision, bySizeNewer, bySizeOlder, calculateStatus, desiredReplicas, findOldReplicaSets, findNewReplicaSet,
  getCondition, getProportion, hasProgressDeadline, hasRevisionHistoryLimit, isRollingUpdate, isSaturated, maxRevision, maxSurge,
  newCondition, newRSNewReplicas, replicasAnnotationsNeedUpdate, rsReplicas, sameStatus, setCondition, setNewReplicaSetAnnotations,
  setReplicasAnnotations, specCount,
} from './util.js';

export const deploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

export interface AllReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/**
 * getAllReplicaSetsAndSyncRevision: the old sets, and the new one (its revision raised above every old one,
 * the Deployment's revision annotation following it), created when `create` and missing.
 */
export async function getAllReplicaSetsAndSyncRevision(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], create: boolean, signal: AbortSignal): Promise<AllReplicaSets> {
  const oldRSs = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(deps, d, rsList, oldRSs, create, signal);
  return { newRS, oldRSs };
}

/** The Deployment's revision annotation set to `rev`; true when it changed. */
function setDeploymentRevision(d: Deployment, rev: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION_ANNOTATION] === rev) return false;
  a[REVISION_ANNOTATION] = rev;
  return true;
}

async function getNewReplicaSet(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], create: boolean, signal: AbortSignal): Promise<ReplicaSet | undefined> {
  const ns = d.metadata.namespace ?? '';
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  const now = deps.clock.now();
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReady = d.spec.minReadySeconds ?? 0;
    if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== minReady) {
      copy.spec.minReadySeconds = minReady;
      return deps.replicaSets.update(copy, { signal, namespace: ns });
    }
    let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', FOUND_NEW_RS, `Found new replica set ${JSON.stringify(copy.metadata.name)}`, now));
      needsUpdate = true;
    }
    if (needsUpdate) await updateDeploymentStatus(deps, d, signal);
    return copy;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec.template);
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(d.spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector) as { matchLabels?: Record<string, string> };
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`, namespace: ns,
      ownerReferences: [newControllerRef(d, deploymentKind.apiVersion, deploymentKind.kind)],
      labels: { ...(template.metadata.labels ?? {}) },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = count;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let createdRS: ReplicaSet;
  let alreadyExists = false;
  try {
    createdRS = await deps.replicaSets.create(newRS, { signal, namespace: ns });
  } catch (err) {
    if (signal.aborted) throw err;
    if (isAlreadyExists(err)) {
      // A slow cache or a fast resync: ours if we own it and its template is ours; otherwise a hash collision.
      const rs = deps.rsCache.get(`${ns}/${newRS.metadata.name ?? ''}`);
      if (!rs) throw err;
      const ref = rs.metadata.ownerReferences?.find((r) => r.controller);
      if (ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) {
        createdRS = rs;
        alreadyExists = true;
      } else {
        d.status ??= {};
        const before = d.status.collisionCount ?? 0;
        d.status.collisionCount = before + 1;
        try {
          await updateDeploymentStatus(deps, d, signal);
          deps.log.info({ deployment: `${ns}/${d.metadata.name ?? ''}`, oldCollisionCount: before, newCollisionCount: before + 1 }, 'Found a hash collision for deployment - bumping collisionCount to resolve it');
        } catch {
          // the original error is the one to retry on
        }
        throw err;
      }
    } else if (isNamespaceTerminating(err)) {
      throw err;
    } else {
      const msg = `Failed to create new replica set ${JSON.stringify(newRS.metadata.name)}: ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'False', FAILED_RS_CREATE, msg, now));
        await updateDeploymentStatus(deps, d, signal).catch(() => undefined);
      }
      deps.recorder.event(d, 'Warning', FAILED_RS_CREATE, msg);
      throw err;
    }
  }
  if (!alreadyExists && count > 0) {
    deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata.name ?? ''} from 0 to ${count}`);
  }
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setCondition(d.status, newCondition('Progressing', 'True', NEW_REPLICA_SET, `Created new replica set ${JSON.stringify(createdRS.metadata.name)}`, now));
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(deps, d, signal);
  return createdRS;
}

/**
 * kube's scale: proportional scaling of every active set when the Deployment's replicas change during a
 * rollout (or while paused), so a scaling event neither hastens nor undoes the rollout.
 */
export async function scale(deps: DeploymentDeps, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], signal: AbortSignal): Promise<void> {
  const want = desiredReplicas(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) === want) return;
    await scaleReplicaSetAndRecordEvent(deps, activeOrLatest, want, d, signal);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeSets(oldRSs)) await scaleReplicaSetAndRecordEvent(deps, old, 0, d, signal);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeSets([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - specCount(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const proportion = getProportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.name ?? '', rsReplicas(rs) + proportion);
      added += proportion;
    } else {
      sizes.set(rs.metadata.name ?? '', rsReplicas(rs));
    }
  }
  for (const [i, rs] of all.entries()) {
    const name = rs.metadata.name ?? '';
    // Leftovers go to the largest set.
    if (i === 0 && toAdd !== 0) sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
    await scaleReplicaSet(deps, rs, sizes.get(name) ?? 0, d, signal);
  }
}

/** deploymentutil.FindActiveOrLatest: the only active set, the newest when none is; undefined when several are active. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = activeSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

export async function scaleReplicaSetAndRecordEvent(deps: DeploymentDeps, rs: ReplicaSet, newScale: number, d: Deployment, signal: AbortSignal): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(deps, rs, newScale, d, signal);
}

/**
 * Sets the set's replicas and its desired/max-replicas annotations (one update), with kube's
 * ScalingReplicaSet event when the size changed.
 */
export async function scaleReplicaSet(deps: DeploymentDeps, rs: ReplicaSet, newScale: number, d: Deployment, signal: AbortSignal): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const sizeChanged = rsReplicas(rs) !== newScale;
  const max = desiredReplicas(d) + maxSurge(d);
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desiredReplicas(d), max)) return { scaled: false, rs };
  const oldScale = rsReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desiredReplicas(d), max);
  const updated = await deps.replicaSets.update(copy, { signal, namespace: rs.metadata.namespace ?? '' });
  if (sizeChanged) {
    const op = oldScale < newScale ? 'up' : 'down';
    deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata.name ?? ''} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeChanged, rs: updated };
}

/**
 * kube's cleanupDeployment: keeps the newest revisionHistoryLimit old sets; deletes older ones that are
 * scaled to 0, have no pods and whose latest spec the ReplicaSet controller has seen.
 */
export async function cleanupDeployment(deps: DeploymentDeps, oldRSs: readonly ReplicaSet[], d: Deployment, signal: AbortSignal): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - (d.spec.revisionHistoryLimit ?? 0);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i]!;
    if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await deps.replicaSets.delete(rs.metadata.name ?? '', { signal, namespace: rs.metadata.namespace ?? '' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** syncDeploymentStatus: writes the calculated status when it differs. */
export async function syncDeploymentStatus(deps: DeploymentDeps, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, signal: AbortSignal): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d, deps.clock.now());
  if (sameStatus(d.status, status)) return;
  d.status = status;
  await updateDeploymentStatus(deps, d, signal);
}

/** syncStatusOnly: for a Deployment being deleted. */
export async function syncStatusOnly(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], signal: AbortSignal): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false, signal);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d, signal);
}

/** kube's sync: scaling events and paused Deployments (no rollout), then history cleanup when paused, then status. */
export async function sync(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], signal: AbortSignal): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false, signal);
  await scale(deps, d, newRS, oldRSs, signal);
  if (d.spec.paused) await cleanupDeployment(deps, oldRSs, d, signal);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d, signal);
}

/**
 * checkPausedConditions: Progressing=Unknown DeploymentPaused when paused, DeploymentResumed when resumed,
 * so time spent paused never counts against the progress deadline. A timed-out condition is left alone.
 */
export async function checkPausedConditions(deps: DeploymentDeps, d: Deployment, signal: AbortSignal): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === TIMED_OUT) return;
  const pausedExists = cond?.reason === PAUSED;
  const now = deps.clock.now();
  d.status ??= {};
  if (d.spec.paused && !pausedExists) setCondition(d.status, newCondition('Progressing', 'Unknown', PAUSED, 'Deployment is paused', now));
  else if (!d.spec.paused && pausedExists) setCondition(d.status, newCondition('Progressing', 'Unknown', RESUMED, 'Deployment is resumed', now));
  else return;
  await updateDeploymentStatus(deps, d, signal);
}

/** isScalingEvent: an active set was sized for another replica count (its desired-replicas annotation). */
export async function isScalingEvent(deps: DeploymentDeps, d: Deployment, rsList: readonly ReplicaSet[], signal: AbortSignal): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false, signal);
  for (const rs of activeSets([...oldRSs, newRS])) {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    if (desired === undefined || !/^-?\d+$/.test(desired)) continue;
    if (Number(desired) !== desiredReplicas(d)) return true;
  }
  return false;
}

/** True when the Deployment selects everything (an empty selector), which kube refuses to act on. */
export function selectsEverything(d: Deployment): boolean {
  const s = d.spec.selector as { matchLabels?: Record<string, string> | null; matchExpressions?: unknown[] | null } | undefined;
  return !!s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

