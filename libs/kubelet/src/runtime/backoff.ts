/**
 * client-go's flowcontrol.Backoff for one key, as the kubelet uses it for CrashLoopBackOff and
 * ImagePullBackOff: `next(t)` starts at `initialMs` (or again at it when the last update is more than
 * 2 × max old) and doubles up to `maxMs`; `inBackOffSince(t0, t)` is whether `t` is still within the
 * current delay counted from `t0`.
 */
export class Backoff {
  private delay = 0;
  private lastUpdate: number | undefined;

  constructor(private readonly initialMs: number, private readonly maxMs: number) {}

  /** The current delay (Backoff.Get); 0 before the first `next`. */
  get current(): number {
    return this.delay;
  }

  get updatedAt(): number | undefined {
    return this.lastUpdate;
  }

  next(now: number): number {
    const expired = this.lastUpdate !== undefined && now - this.lastUpdate > 2 * this.maxMs;
    this.delay = this.lastUpdate === undefined || expired ? this.initialMs : Math.min(this.delay * 2, this.maxMs);
    this.lastUpdate = now;
    return this.delay;
  }

  /** IsInBackOffSince(eventTime): now − eventTime < delay (false before the first `next`). */
  inBackOffSince(eventTime: number, now: number): boolean {
    return this.lastUpdate !== undefined && now - eventTime < this.delay;
  }
}
