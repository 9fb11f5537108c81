import { finishedCondition, type Job } from '../job/types.js';

/** A Job the TTL controller cares about: finished, with ttlSecondsAfterFinished set, not being deleted. */
export function needsCleanup(job: Job): boolean {
  return job.spec.ttlSecondsAfterFinished !== undefined && job.spec.ttlSecondsAfterFinished !== null && finishedCondition(job) !== undefined;
}

/** When the finished Job expires (its Complete/Failed condition's lastTransitionTime + ttl), ms since the epoch. */
export function expiresAt(job: Job): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const finishedAt = Date.parse(finishedCondition(job)?.lastTransitionTime ?? '');
  if (Number.isNaN(finishedAt)) return undefined;
  return finishedAt + (job.spec.ttlSecondsAfterFinished ?? 0) * 1000;
}

/**
 * kube's timeLeft: ms until the Job may be deleted (≤ 0: now), or undefined when it is not up for cleanup
 * (not finished, no TTL, or no finish time). `skewed` is true when it finished "in the future" (clock skew).
 */
export function timeLeft(job: Job, nowMs: number): { leftMs: number; skewed: boolean } | undefined {
  const at = expiresAt(job);
  if (at === undefined) return undefined;
  const finishedAt = at - (job.spec.ttlSecondsAfterFinished ?? 0) * 1000;
  return { leftMs: at - nowMs, skewed: finishedAt > nowMs };
}
