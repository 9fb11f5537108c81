// The job controller's arithmetic over a Job and its pods (kube's job_controller.go helpers), free of I/O.
import { isPodReady, rfc3339, type Pod } from '../../controller-utils/index.js';
import { JOB_TRACKING_FINALIZER, type Job, type JobCondition, type JobConditionType, type JobStatus } from './types.js';

/** kube's MaxUncountedPods: finished pods recorded in status.uncountedTerminatedPods per sync at most. */
export const MAX_UNCOUNTED_PODS = 500;
/** kube's MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export const hasTrackingFinalizer = (pod: Pod): boolean => pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;

export const jobSuspended = (job: Job): boolean => job.spec.suspend === true;

/** Only Failed pods are replaced (podReplacementPolicy Failed), so terminating pods are not failures yet. */
export const onlyReplaceFailedPods = (job: Job): boolean => job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;

/**
 * kube's isPodFailed: phase Failed, or — unless only failed pods are replaced — deleted before it succeeded
 * (an orphaned or evicted pod may never reach Failed).
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

/** Being deleted and not finished (controller.CountTerminatingPods). */
export function countTerminating(pods: readonly Pod[]): number {
  return pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
}

export const countReady = (pods: readonly Pod[]): number => pods.filter(isPodReady).length;

export function newCondition(type: JobConditionType, status: JobCondition['status'], reason: string, message: string, nowMs: number): JobCondition {
  const at = rfc3339(nowMs);
  return { type, status, reason, message, lastProbeTime: at, lastTransitionTime: at };
}

export function findCondition(list: readonly JobCondition[] | undefined, type: JobConditionType): JobCondition | undefined {
  return list?.find((c) => c.type === type);
}

/**
 * kube's ensureJobConditionStatus: sets the condition of `type` (replacing it when status, reason or message
 * differ); a False condition is never added where there was none. Returns whether the list changed.
 */
export function ensureCondition(status: JobStatus, type: JobConditionType, value: JobCondition['status'], reason: string, message: string, nowMs: number): boolean {
  const list = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === value && c.reason === reason && c.message === message) return false;
    list[i] = newCondition(type, value, reason, message, nowMs);
    return true;
  }
  if (value === 'False') return false;
  list.push(newCondition(type, value, reason, message, nowMs));
  return true;
}

/** activeDeadlineSeconds has passed since status.startTime (never while suspended). */
export function pastActiveDeadline(job: Job, nowMs: number): boolean {
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline === undefined || !job.status?.startTime || jobSuspended(job)) return false;
  return nowMs - Date.parse(job.status.startTime) >= deadline * 1000;
}

/** Milliseconds until activeDeadlineSeconds passes, if the Job has one and runs. */
export function untilActiveDeadline(job: Job, nowMs: number): number | undefined {
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline === undefined || !job.status?.startTime || jobSuspended(job)) return undefined;
  return Date.parse(job.status.startTime) + deadline * 1000 - nowMs;
}

/** restartPolicy OnFailure: the restarts of the running pods' containers reach backoffLimit (pastBackoffLimitOnFailure). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += c.restartCount;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/**
 * The number of pods that should be active (manageJob's wantActive): parallelism, but never more than the
 * completions still missing; without completions (a work queue) the running ones once any has succeeded.
 */
export function wantActive(job: Job, succeeded: number, active: number): number {
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  if (completions === undefined || completions === null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** The job has succeeded: enough completions (or, without completions, one success) and nothing active. */
export function completionsReached(job: Job, succeeded: number, active: number): boolean {
  const completions = job.spec.completions;
  if (completions === undefined || completions === null) return succeeded > 0 && active === 0;
  return succeeded >= completions && active === 0;
}

/**
 * kube's cleanUncountedPodsWithoutFinalizers: uids in uncountedTerminatedPods whose pods no longer carry the
 * tracking finalizer (or are gone) move into the succeeded / failed counters. Returns whether status changed.
 */
export function cleanUncounted(status: JobStatus, uidsWithFinalizer: ReadonlySet<string>): boolean {
  const uncounted = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  for (const field of ['succeeded', 'failed'] as const) {
    const list = uncounted[field] ?? [];
    const kept = list.filter((uid) => uidsWithFinalizer.has(uid));
    if (kept.length === list.length) continue;
    changed = true;
    status[field] = (status[field] ?? 0) + list.length - kept.length;
    if (kept.length > 0) uncounted[field] = kept;
    else delete uncounted[field];
  }
  return changed;
}

/**
 * When a finished pod finished (kube's getFinishedTime): the last container termination, else when it
 * stopped being Ready, else its deletion, else its creation.
 */
export function podFinishedTime(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  const finished = statuses.map((c) => c.state?.terminated?.finishedAt);
  if (statuses.length > 0 && finished.every((t) => t !== undefined)) return Math.max(...finished.map((t) => Date.parse(t ?? '')));
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp);
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}
