import { BucketRateLimiter, DEFAULT_BUCKET, Informer, ItemExponentialRateLimiter, MaxOfRateLimiter, WorkQueue, runWorkers, type ListerWatcher, type RateLimiter } from '@ekslab/client';
import { systemClock, type Clock, type Logger } from '@ekslab/runtime';
import type { Namespace } from './api.js';
import type { NamespacedResourcesDeleter } from './deleter.js';

export interface NamespaceControllerOptions {
  /** Lists and watches namespaces (cluster-scoped). */
  readonly namespaces: ListerWatcher<Namespace>;
  readonly deleter: NamespacedResourcesDeleter;
  /** Logs with the controller's name already bound (log.child). */
  readonly log: Logger;
  /** Namespaces reconciled at once (kube-controller-manager --concurrent-namespace-syncs, default 10). */
  readonly workers: number;
  /** Every namespace is looked at again this often (--namespace-sync-period, default 5m). */
  readonly resyncPeriodMs: number;
  readonly clock?: Clock;
  /** Receives the queue of each run (for the workqueue depth metric). */
  readonly onQueue?: (queue: WorkQueue<string> | undefined) => void;
}

/**
 * kube's namespace controller: every namespace with a deletionTimestamp is emptied and finalized by
 * the deleter. The informer's handlers only enqueue names; while content remains, the key comes back
 * after half the deleter's estimate, as kube requeues it; failures back off per key.
 *
 * Needs leader election: run `start` only on the leader, with the signal that ends with leadership.
 * Each `start` builds its own informer and queue, so a replica that leads again starts clean.
 */
export class NamespaceController {
  static readonly controllerName = 'namespace-controller';
  readonly needsLeaderElection = true;

  constructor(private readonly options: NamespaceControllerOptions) {}

  async start(signal: AbortSignal): Promise<void> {
    const { log } = this.options;
    const clock = this.options.clock ?? systemClock;
    const informer = new Informer<Namespace>(this.options.namespaces, { clock, resyncPeriodMs: this.options.resyncPeriodMs, logger: log });
    const queue = new WorkQueue<string>({ clock, rateLimiter: namespaceRateLimiter(clock) });
    informer.addEventHandler({
      onAdd: (ns) => enqueueIfDeleting(queue, ns),
      onUpdate: (_old, ns) => enqueueIfDeleting(queue, ns),
    });
    this.options.onQueue?.(queue);
    const informing = informer.start(signal);
    try {
      await informer.waitForSync(signal);
      log.info({ workers: this.options.workers }, 'caches synced; starting workers');
      await runWorkers(queue, this.options.workers, (key, s) => this.reconcile(key, s), signal, { logger: log });
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      queue.shutDown();
      this.options.onQueue?.(undefined);
      await informing;
    }
  }

  private async reconcile(name: string, signal: AbortSignal): Promise<{ requeueAfter: number } | undefined> {
    const started = Date.now();
    const remaining = await this.options.deleter.delete(name, signal);
    this.options.log.debug({ namespace: name, ms: Date.now() - started, remaining }, 'namespace synced');
    // kube: queue.AddAfter(key, estimate/2 seconds).
    return remaining ? { requeueAfter: (remaining.estimateSeconds * 1000) / 2 } : undefined;
  }
}

/** kube's nsControllerRateLimiter: a failing namespace is retried at least every minute (5 ms → 60 s), 10 qps overall. */
export function namespaceRateLimiter(clock: Clock): RateLimiter<string> {
  return new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter<string>(5, 60_000), new BucketRateLimiter<string>(DEFAULT_BUCKET.qps, DEFAULT_BUCKET.burst, clock));
}

function enqueueIfDeleting(queue: WorkQueue<string>, ns: Namespace): void {
  if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name ?? '');
}
