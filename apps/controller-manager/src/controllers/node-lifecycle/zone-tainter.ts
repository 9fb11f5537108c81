import type { Clock } from '@ekslab/runtime';

/**
 * kube's RateLimitedTimedQueue for one zone (zoneNoExecuteTainter): nodes waiting to be tainted, handed out
 * in order by a token bucket of `qps` with burst 1 (flowcontrol.NewTokenBucketRateLimiter). qps 0 hands out
 * nothing (kube swaps in a limiter that always refuses). A node already queued keeps its place.
 */
export class ZoneTainter {
  private readonly queue: string[] = [];
  private tokens = 1;
  private last: number;

  constructor(private readonly clock: Clock, private qps: number) {
    this.last = clock.now();
  }

  /** SwapLimiter: a new rate; the bucket starts full again (as kube's new limiter does) unless qps is 0. */
  swapLimiter(qps: number): void {
    if (qps === this.qps) return;
    this.qps = qps;
    this.tokens = qps > 0 ? 1 : 0;
    this.last = this.clock.now();
  }

  add(node: string): void {
    if (!this.queue.includes(node)) this.queue.push(node);
  }

  remove(node: string): boolean {
    const i = this.queue.indexOf(node);
    if (i >= 0) this.queue.splice(i, 1);
    return i >= 0;
  }

  /** Every queued node (kube's Clear when all zones are down). */
  clear(): void {
    this.queue.length = 0;
  }

  get size(): number {
    return this.queue.length;
  }

  /** The nodes the bucket lets through now, in order (kube's Try over the queue). */
  take(): string[] {
    if (this.qps <= 0) return [];
    const now = this.clock.now();
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    const out: string[] = [];
    while (this.queue.length > 0 && this.tokens >= 1) {
      out.push(this.queue.shift()!);
      this.tokens -= 1;
    }
    return out;
  }
}
