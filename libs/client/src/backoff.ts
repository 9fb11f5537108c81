import type { Clock } from '@ekslab/runtime';

export interface BackoffOptions {
  /** First delay; default 800 ms. */
  initialMs?: number;
  /** Delays stop growing here (before jitter); default 30 s. */
  maxMs?: number;
  /** Growth factor; default 2. */
  factor?: number;
  /** Each delay d becomes d + random·jitter·d; default 1.0 (so the cap is [30 s, 60 s)). */
  jitter?: number;
  /** Start over at `initialMs` when no backoff was taken for this long; default 2 min. */
  resetMs?: number;
}

/** The reflector's defaults (client-go's NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0)). */
export const REFLECTOR_BACKOFF: Required<BackoffOptions> = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1, resetMs: 120_000 };

/**
 * Jittered exponential backoff that resets after a quiet period (client-go's
 * exponentialBackoffManagerImpl). `random` is injectable for deterministic tests.
 */
export class Backoff {
  private readonly o: Required<BackoffOptions>;
  private current: number;
  private lastStart: number | undefined;

  constructor(
    private readonly clock: Clock,
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.o = { ...REFLECTOR_BACKOFF, ...options };
    this.current = this.o.initialMs;
  }

  /** The next delay in ms; each call grows the following one. */
  next(): number {
    const now = this.clock.now();
    if (this.lastStart === undefined || now - this.lastStart > this.o.resetMs) this.current = this.o.initialMs;
    this.lastStart = now;
    const d = this.current;
    this.current = Math.min(this.current * this.o.factor, this.o.maxMs);
    return this.o.jitter > 0 ? d + this.random() * this.o.jitter * d : d;
  }

  /** Sleeps for the next delay; rejects with the signal's reason if aborted. */
  sleep(signal: AbortSignal): Promise<void> {
    return this.clock.sleep(this.next(), signal);
  }
}
