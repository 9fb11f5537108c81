import { setTimeout as delay } from 'node:timers/promises';
import { WaitTimeoutError } from './errors.js';

export interface WaitForOptions {
  /** What is being waited for, used in the timeout message ("etcd member 2 to rejoin"). */
  description: string;
  /** Total time before giving up with {@link WaitTimeoutError}. Default 30 000 ms. */
  timeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  intervalMs?: number;
  /** Aborting stops the wait at once and rejects with the signal's reason (never a WaitTimeoutError). */
  signal?: AbortSignal;
}

/**
 * Polls `condition` until it returns something other than `undefined`, `null` or `false`, and resolves with
 * that value. A condition that throws counts as "not yet"; the last error becomes the `cause` of the
 * {@link WaitTimeoutError}. Each attempt gets a signal that aborts when the overall timeout expires, so a
 * hung attempt (a call to a paused container) cannot outlive the wait; a condition that ignores the signal
 * is still abandoned at the deadline, but keeps running in the background.
 */
export async function waitFor<T>(
  condition: (signal: AbortSignal) => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let lastError: unknown;
  const timedOut = (): WaitTimeoutError =>
    new WaitTimeoutError(options.description, timeoutMs, lastError === undefined ? undefined : { cause: lastError });

  for (;;) {
    options.signal?.throwIfAborted();
    if (deadline.aborted) throw timedOut();
    try {
      const value = await raceAbort(Promise.resolve(condition(signal)), signal);
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      options.signal?.throwIfAborted();
      if (deadline.aborted) throw timedOut();
      lastError = err;
    }
    try {
      await delay(intervalMs, undefined, { signal });
    } catch {
      options.signal?.throwIfAborted();
      throw timedOut();
    }
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
