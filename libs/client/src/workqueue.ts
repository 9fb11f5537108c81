import { systemClock } from '@ekslab/runtime';
import type { Clock } from '@ekslab/runtime';
import { defaultControllerRateLimiter } from './rate-limiters.js';
import type { RateLimiter } from './rate-limiters.js';

export interface WorkQueueOptions<K> {
  clock?: Clock;
  /** Default: defaultControllerRateLimiter(clock). */
  rateLimiter?: RateLimiter<K>;
}

/**
 * client-go's rate-limited delaying workqueue, in one class.
 *
 * - A key is queued at most once (`add` of a queued key is a no-op).
 * - A key is handed to one worker at a time: `add` while it is processing marks it dirty, and
 *   `done` queues it again — so its reconcile runs again after the current one, never alongside.
 * - `addAfter` waits on the clock; of several pending delays for one key the earliest wins.
 * - `addRateLimited` = `addAfter(key, rateLimiter.when(key))`; `forget` resets the key's backoff.
 * - After `shutDown`, adds are ignored; `get` still hands out keys already queued, then resolves
 *   undefined. Pending `addAfter` timers are dropped.
 *
 * Not guaranteed: order beyond FIFO of ready keys; that a key added with a delay is ever processed
 * if the queue shuts down first. Every `get` must be followed by `done`, or the key is stuck.
 */
export class WorkQueue<K = string> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  private queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { readyAt: number }>();
  private getters: ((key: K | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly timers = new AbortController();

  constructor(options: WorkQueueOptions<K> = {}) {
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds the key after `ms` (≤ 0: now). If it is already waiting to be added sooner, nothing changes. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    const entry = { readyAt };
    this.waiting.set(key, entry);
    this.clock.sleep(ms, this.timers.signal).then(
      () => {
        if (this.waiting.get(key) !== entry) return; // superseded by an earlier addAfter
        this.waiting.delete(key);
        this.add(key);
      },
      () => undefined, // shut down: delayed adds are dropped
    );
  }

  /** Adds the key after the rate limiter's delay for it (a failure: its backoff grows). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the key's backoff (call after it was processed successfully). Does not dequeue it. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key, waiting for one; undefined once the queue is shut down and empty. */
  get(): Promise<K | undefined> {
    const key = this.pop();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks the key as processed; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** Keys ready to be handed out (not processing, not waiting on a delay). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys and wakes idle `get` callers (they resolve undefined). */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.timers.abort(new Error('workqueue shut down'));
    this.waiting.clear();
    const getters = this.getters;
    this.getters = [];
    for (const g of getters) g(undefined);
  }

  /**
   * shutDown, then wait until every key handed out has been marked done (client-go's
   * ShutDownWithDrain). Keys still queued are left for running workers to drain; with no workers
   * they stay. Hazard: never call it from a worker while that worker holds a key (it would wait on itself).
   */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.processing.add(key);
      this.dirty.delete(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private pop(): K | undefined {
    if (this.queue.length === 0) return undefined;
    const key = this.queue.shift() as K;
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
