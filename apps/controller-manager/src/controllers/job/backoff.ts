import type { Pod } from '../../controller-utils/index.js';
import { podFinishedTime } from './status.js';

/** kube's DefaultJobPodFailureBackOff: the delay before a failed pod is replaced, doubled per failure. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** kube's MaxJobPodFailureBackOff. */
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

/** Failures of a Job's pods since its last success, and when the latest one finished. */
export interface BackoffRecord {
  readonly failuresAfterLastSuccess: number;
  readonly lastFailureTime: number | undefined;
}

const none: BackoffRecord = { failuresAfterLastSuccess: 0, lastFailureTime: undefined };

/**
 * kube's backoffStore: per Job, the failures since the last success. `next` folds in pods that newly
 * finished (not yet counted in the Job's status); the controller `save`s the result once it has recorded
 * those pods in status, so each pod counts once.
 */
export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  get(key: string): BackoffRecord {
    return this.records.get(key) ?? none;
  }

  next(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    return nextBackoffRecord(this.get(key), newSucceeded, newFailed);
  }

  save(key: string, record: BackoffRecord): void {
    this.records.set(key, record);
  }

  remove(key: string): void {
    this.records.delete(key);
  }
}

/** kube's newBackoffRecord: a success resets the count to the failures that finished after it. */
export function nextBackoffRecord(prev: BackoffRecord, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return prev;
    return { failuresAfterLastSuccess: prev.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes.at(-1) };
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return { failuresAfterLastSuccess: after.length, lastFailureTime: after.at(-1) };
}

/**
 * How long to wait before creating pods again (kube's getRemainingTimeForFailuresCount): `base` after the
 * first failure, doubling with each further one up to `max`, counted from the last failure. 0 = now.
 */
export function remainingBackoff(record: BackoffRecord, nowMs: number, base = DEFAULT_POD_FAILURE_BACKOFF_MS, max = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let delay = base;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    delay *= 2;
    if (delay >= max) {
      delay = max;
      break;
    }
  }
  delay = Math.min(delay, max);
  const elapsed = nowMs - record.lastFailureTime;
  return delay < elapsed ? 0 : delay - elapsed;
}
