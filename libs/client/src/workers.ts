import type { Logger } from '@ekslab/runtime';
import { TerminalError } from './errors.js';
import type { EventHandlers } from './informer.js';
import { objectKey } from './types.js';
import type { KubeObject } from './types.js';
import type { WorkQueue } from './workqueue.js';

/** What a reconcile returns: nothing (done), or a request to look again after `requeueAfter` ms. */
export interface ReconcileResult {
  requeueAfter?: number;
}

export type Reconcile<K = string> = (key: K, signal: AbortSignal) => Promise<ReconcileResult | void>;

export interface RunWorkersOptions {
  logger?: Pick<Logger, 'error' | 'debug'>;
}

/**
 * Runs `n` workers over the queue until the signal aborts, then shuts the queue down and resolves
 * once every in-flight reconcile has returned. For each key a worker calls `reconcile(key, signal)`:
 *
 * - returns `{ requeueAfter }` → forget (reset backoff) and `addAfter(key, requeueAfter)`;
 * - returns otherwise → `forget(key)`;
 * - throws TerminalError → `forget(key)`, logged, not retried;
 * - throws anything else → `addRateLimited(key)` (per-key backoff + global bucket);
 * - signal aborted → nothing (an aborted reconcile is never retried).
 *
 * Not guaranteed: that a reconcile runs to completion (it gets the signal and must honour it);
 * that keys still queued at abort are ever reconciled. Does not need leader election by itself —
 * callers that do run it inside LeaderElector's onStartedLeading signal.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  reconcile: Reconcile<K>,
  signal: AbortSignal,
  options: RunWorkersOptions = {},
): Promise<void> {
  const onAbort = (): void => queue.shutDown();
  if (signal.aborted) queue.shutDown();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: n }, () => worker(queue, reconcile, signal, options)));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function worker<K>(queue: WorkQueue<K>, reconcile: Reconcile<K>, signal: AbortSignal, options: RunWorkersOptions): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    if (signal.aborted) {
      queue.done(key);
      return;
    }
    try {
      const result = await reconcile(key, signal);
      queue.forget(key);
      if (result && result.requeueAfter !== undefined) queue.addAfter(key, result.requeueAfter);
    } catch (err) {
      if (signal.aborted) {
        // aborted: neither retried nor counted as a failure
      } else if (err instanceof TerminalError) {
        queue.forget(key);
        options.logger?.error({ key, err }, 'reconcile failed terminally; not retrying');
      } else {
        options.logger?.debug({ key, err, requeues: queue.numRequeues(key) }, 'reconcile failed; retrying with backoff');
        queue.addRateLimited(key);
      }
    } finally {
      queue.done(key);
    }
  }
}

/**
 * Informer handlers that only enqueue the object's `namespace/name` key (STYLE rule 4), for
 * every add, update (including resyncs) and delete. `filter` (optional) drops objects early.
 */
export function enqueueKeys<T extends KubeObject>(queue: WorkQueue<string>, filter: (obj: T) => boolean = () => true): EventHandlers<T> {
  const enqueue = (obj: T): void => {
    if (filter(obj)) queue.add(objectKey(obj));
  };
  return { onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue };
}
