// kube's pkg/controller/deployment/util: the pure arithmetic and bookkeeping of rollouts (fenceposts,
// revisions and their annotations, proportions, progress), over plain objects.
import { rfc3339, type Condition } from '../../controller-utils/index.js';
import type { ReplicaSet } from '../replicaset/types.js';
import { equalIgnoreHash } from './hash.js';
import { ROLLING_UPDATE, type Deployment, type DeploymentStatus, type IntOrString } from './types.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** kube's maxRevHistoryLengthInChars: the revision-history annotation is kept under this length. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

// Reasons of the Progressing and Available conditions (deploymentutil).
export const REPLICA_SET_UPDATED = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE = 'ReplicaSetCreateError';
export const NEW_REPLICA_SET = 'NewReplicaSetCreated';
export const FOUND_NEW_RS = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const TIMED_OUT = 'ProgressDeadlineExceeded';
export const PAUSED = 'DeploymentPaused';
export const RESUMED = 'DeploymentResumed';
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** Go's math.MaxInt32: kube treats a progress deadline or history limit of this value as "none". */
const MAX_INT32 = 2_147_483_647;

/** The annotations a ReplicaSet never copies from its Deployment (nor a rollback from a set). */
export const annotationsToSkip: ReadonlySet<string> = new Set([
  LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
  'deployment.kubernetes.io/error-selector-overlapping-with', 'deployment.kubernetes.io/selector-updated-at',
]);

export const desiredReplicas = (d: Deployment): number => d.spec.replicas ?? 1;
export const rsReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;
export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy?.type ?? ROLLING_UPDATE) === ROLLING_UPDATE;
export const hasProgressDeadline = (d: Deployment): boolean => d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32;
export const hasRevisionHistoryLimit = (d: Deployment): boolean => d.spec.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== MAX_INT32;

/**
 * intstr.GetScaledValueFromIntOrPercent: a number as is, "N%" of `total` rounded up or down. Anything else
 * throws kube's message.
 */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`);
  const raw = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/**
 * deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; when both come to 0,
 * maxUnavailable is 1 so a rollout can proceed.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

const fenceposts = (d: Deployment): { surge: number; unavailable: number } => {
  const ru = d.spec.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d));
  } catch {
    return { surge: 0, unavailable: 0 };
  }
};

/** deploymentutil.MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** deploymentutil.MaxUnavailable: 0 unless RollingUpdate with replicas; never more than the replicas. */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || desiredReplicas(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, desiredReplicas(d));
}

/** The set's revision annotation (0 when absent, undefined when not a number). */
export function revision(rs: ReplicaSet | Deployment): number | undefined {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

export function maxRevision(sets: readonly ReplicaSet[]): number {
  return sets.reduce((max, rs) => Math.max(max, revision(rs) ?? 0), 0);
}

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
/** controller.ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export const byCreation = (a: ReplicaSet, b: ReplicaSet): number =>
  created(a) - created(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0);
/** controller.ReplicaSetsBySizeOlder: larger first, older first on a tie. */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
/** controller.ReplicaSetsBySizeNewer: larger first, newer first on a tie. */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => rsReplicas(b) - rsReplicas(a) || byCreation(b, a);
/** deploymentutil.ReplicaSetsByRevision: lowest revision first, older first on a tie. */
export const byRevision = (a: ReplicaSet, b: ReplicaSet): number => (revision(a) ?? 0) - (revision(b) ?? 0) || byCreation(a, b);

/** controller.FilterActiveReplicaSets: sets with replicas > 0. */
export const activeSets = (sets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] => sets.filter((rs): rs is ReplicaSet => !!rs && rsReplicas(rs) > 0);

const sum = (sets: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number => sets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Sum of spec.replicas (GetReplicaCountForReplicaSets). */
export const specCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, rsReplicas);
/** Sum of status.replicas (GetActualReplicaCountForReplicaSets). */
export const actualCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.replicas ?? 0);
export const readyCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.readyReplicas ?? 0);
export const availableCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.availableReplicas ?? 0);

/** deploymentutil.FindNewReplicaSet: the oldest set whose template equals the Deployment's (hash label ignored). */
export function findNewReplicaSet(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** deploymentutil.FindOldReplicaSets: every set but the new one. */
export function findOldReplicaSets(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, sets);
  return sets.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

/** deploymentutil.SetReplicasAnnotations on `rs` (a copy); true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * deploymentutil.SetNewReplicaSetAnnotations on `rs` (a copy): copies the Deployment's annotations (but
 * kubectl's last-applied and the deployment.kubernetes.io ones), raises the revision to `newRevision` when
 * lower — keeping the revisions it had in revision-history (a rollback), within `limitChars` — and, for a set
 * about to be created, the desired/max replicas. True when something changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, limitChars = MAX_REV_HISTORY_LENGTH_IN_CHARS): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.hasOwn(a, REVISION_ANNOTATION);
  const oldRevision = a[REVISION_ANNOTATION] ?? '';
  if (oldRevision !== '' && !/^\d+$/.test(oldRevision)) return false;
  const oldInt = oldRevision === '' ? 0 : Number(oldRevision);
  if (oldInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') a[REVISION_HISTORY_ANNOTATION] = oldRevision;
      else {
        const old = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > limitChars && start < old.length) total -= old[start++]!.length + 1;
        if (total <= limitChars) a[REVISION_HISTORY_ANNOTATION] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/**
 * deploymentutil.NewRSNewReplicas: how far the new set may grow now. RollingUpdate: up to the surge ceiling
 * (replicas + maxSurge) over all sets, never past the Deployment's replicas; Recreate: all at once.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const ru = d.spec.strategy?.rollingUpdate;
  const { surge } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d));
  const current = specCount(allRSs);
  const maxTotal = desiredReplicas(d) + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, desiredReplicas(d) - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** deploymentutil.IsSaturated: the new set has all replicas, was sized for them, and all are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  if (desired === undefined || !/^-?\d+$/.test(desired)) return false;
  const want = desiredReplicas(d);
  return rsReplicas(rs) === want && Number(desired) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** Go's math.Round: half away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/**
 * deploymentutil.GetProportion: the share of `toAdd` (positive: scale up, negative: down) that `rs` takes,
 * proportional to its size in the Deployment before the scaling (its max-replicas annotation), never more
 * than what is left to distribute.
 */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -rsReplicas(rs);
  const maxNow = desiredReplicas(d) + maxSurge(d);
  const annotated = rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION];
  let before = annotated !== undefined && /^-?\d+$/.test(annotated) ? Number(annotated) : 0;
  // No annotation (scaled by hand): the Deployment's current size.
  if (before === 0) before = d.status?.replicas ?? 0;
  if (before === 0) return 0;
  return roundHalfAway((rsReplicas(rs) * maxNow) / before) - rsReplicas(rs);
}

// Conditions (deploymentutil.NewDeploymentCondition / SetDeploymentCondition / RemoveDeploymentCondition).

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, nowMs: number): Condition {
  const at = rfc3339(nowMs);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Adds or replaces the condition; nothing when status and reason are the same; keeps lastTransitionTime when the status is. */
export function setCondition(status: DeploymentStatus, condition: Condition): void {
  const cur = getCondition(status, condition.type);
  if (cur && cur.status === condition.status && cur.reason === condition.reason) return;
  const next = { ...condition };
  if (cur && cur.status === condition.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

/** deploymentutil.DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want
    && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** deploymentutil.DeploymentProgressing: more updated, fewer old, more ready or more available replicas than before. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** deploymentutil.DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition's lastUpdateTime. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, 'Progressing');
  if (!cond) return false;
  if (cond.reason === NEW_RS_AVAILABLE) return false;
  if (cond.reason === TIMED_OUT) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/**
 * The sync's calculateStatus: counts over the sets (unavailable = desired sizes − available, at least 0),
 * observedGeneration, the collision count kept, and the Available condition (MinimumReplicasAvailable when
 * available ≥ replicas − maxUnavailable).
 */
export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = availableCount(allRSs);
  const status: DeploymentStatus = compactStatus({
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualCount(allRSs),
    updatedReplicas: actualCount([newRS]),
    readyReplicas: readyCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specCount(allRSs) - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    ...(d.status?.conditions?.length ? { conditions: d.status.conditions.map((c) => ({ ...c })) } : {}),
  });
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition('Available', 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** The status as Go's omitempty writes it: zero counts left out. */
export function compactStatus(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    if (s[k]) out[k] = s[k];
  }
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined) out.collisionCount = s.collisionCount;
  return out;
}

/** reflect.DeepEqual of two statuses, zero counts and absent ones being the same. */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined): string => {
    const c = compactStatus(s ?? {});
    return JSON.stringify([c.observedGeneration, c.replicas, c.updatedReplicas, c.readyReplicas, c.availableReplicas, c.unavailableReplicas, c.collisionCount,
      (c.conditions ?? []).map((x) => [x.type, x.status, x.reason, x.message, x.lastUpdateTime, x.lastTransitionTime])]);
  };
  return norm(a) === norm(b);
}
