import type { Clock } from '@ekslab/runtime';

/** kube's failedPodsBackoff of the DaemonSet controller: 1 s, doubling, at most 15 min. */
export const FAILED_POD_BACKOFF = { initialMs: 1_000, maxMs: 15 * 60_000 } as const;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/**
 * client-go's flowcontrol.Backoff (without jitter): a per-key delay that starts at `initialMs`, doubles on
 * every `next` up to `maxMs`, and starts over when the key has been quiet for twice `maxMs`. The DaemonSet
 * controller uses it so that a node whose kubelet keeps failing its daemon pod is not hot-looped.
 */
export class PerKeyBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock, private readonly initialMs: number = FAILED_POD_BACKOFF.initialMs, private readonly maxMs: number = FAILED_POD_BACKOFF.maxMs) {}

  /** The key's current delay (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records an attempt now: the first (or first after a quiet spell) gets `initialMs`, later ones double. */
  next(key: string): void {
    const now = this.clock.now();
    this.gc(now);
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoffMs: Math.min(e.backoffMs * 2, this.maxMs), lastUpdate: now });
  }

  /** Less than the key's delay has passed since its last attempt (IsInBackOffSinceUpdate). */
  inBackoff(key: string): boolean {
    const e = this.entries.get(key);
    const now = this.clock.now();
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }

  private gc(now: number): void {
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }
}
