import type { Clock } from '@ekslab/runtime';

/**
 * How long to wait before an item is retried (client-go's workqueue.RateLimiter). `when` records
 * a failure and returns the delay in ms; `forget` clears the item's history.
 */
export interface RateLimiter<K = string> {
  when(item: K): number;
  forget(item: K): void;
  numRequeues(item: K): number;
}

/**
 * Per-item exponential backoff: base × 2^failures, capped at max (client-go's
 * ItemExponentialFailureRateLimiter). The failure count grows until `forget`.
 */
export class ItemExponentialRateLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {}

  when(item: K): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const backoff = this.baseMs * 2 ** exp;
    return Number.isFinite(backoff) && backoff < this.maxMs ? backoff : this.maxMs;
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket, shared by all items: `qps` tokens a second, at most `burst` saved
 * (client-go's BucketRateLimiter over golang.org/x/time/rate). Every `when` takes a token; once
 * the bucket is empty it goes into debt, so delays grow by 1/qps per call. Per-item state: none.
 */
export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter); every one records the failure. */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(item: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(item)));
  }

  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/** client-go's DefaultControllerRateLimiter numbers. */
export const DEFAULT_ITEM_BACKOFF = { baseMs: 5, maxMs: 1_000_000 } as const;
export const DEFAULT_BUCKET = { qps: 10, burst: 100 } as const;

/**
 * client-go's DefaultControllerRateLimiter: max(per-item exponential 5 ms → 1000 s, overall
 * token bucket 10 qps / burst 100). The bucket is only consulted on failures, so successes are
 * not rate limited.
 */
export function defaultControllerRateLimiter<K = string>(clock: Clock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialRateLimiter<K>(DEFAULT_ITEM_BACKOFF.baseMs, DEFAULT_ITEM_BACKOFF.maxMs),
    new BucketRateLimiter<K>(DEFAULT_BUCKET.qps, DEFAULT_BUCKET.burst, clock),
  );
}
