import type { KubeObject } from '../rest/objects.js';
import { WatchCacheTooOldError } from './errors.js';

/** One change the cache saw, with the storage key it happened at (relative to the store prefix). */
export interface CacheEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  /** For DELETED: the last state, with resourceVersion set to the deletion's revision. */
  readonly object: KubeObject;
  readonly revision: bigint;
  /** When the cache recorded it (the injected clock), for sizing the window. */
  readonly recordedAt: number;
}

export interface WindowSizing {
  /** Smallest capacity (kube-apiserver: 100, `--default-watch-cache-size`). */
  readonly lowerBound: number;
  /** Largest capacity (kube-apiserver: 100 × 1024). */
  readonly upperBound: number;
  /** History the window tries to keep (kube-apiserver's eventFreshDuration: 75 s). */
  readonly eventFreshMs: number;
}

export const defaultWindowSizing: WindowSizing = { lowerBound: 100, upperBound: 100 * 1024, eventFreshMs: 75_000 };

/**
 * The watch cache's bounded history of recent events (kube-apiserver's watchCache ring buffer), oldest
 * first. Its capacity adapts as kube-apiserver's does: when full and the oldest event is younger than
 * `eventFreshMs` it doubles (up to `upperBound`); when full and even the newest quarter is older than
 * that, it halves (down to `lowerBound`). Events must be added in revision order.
 */
export class EventWindow {
  private events: CacheEvent[] = [];
  private head = 0;
  private cap: number;
  /** Revision of the last list the window started from: events after it are all here until one is evicted. */
  private listRevision = 0n;
  private evicted = false;

  constructor(private readonly sizing: WindowSizing = defaultWindowSizing) {
    if (sizing.lowerBound < 1 || sizing.upperBound < sizing.lowerBound) throw new RangeError(`bad watch cache sizing ${JSON.stringify(sizing)}`);
    this.cap = sizing.lowerBound;
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.events.length - this.head;
  }

  /** Forgets every event: the cache re-listed at `revision`. */
  reset(revision: bigint): void {
    this.events = [];
    this.head = 0;
    this.listRevision = revision;
    this.evicted = false;
  }

  add(event: CacheEvent): void {
    this.resize(event.recordedAt);
    if (this.size >= this.cap) {
      this.head++;
      this.evicted = true;
    }
    this.events.push(event);
    // Drop the consumed front now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  private at(i: number): CacheEvent {
    return this.events[this.head + i]!;
  }

  private resize(now: number): void {
    const size = this.size;
    if (size < this.cap) return;
    if (now - this.at(0).recordedAt < this.sizing.eventFreshMs) {
      this.cap = Math.min(this.cap * 2, this.sizing.upperBound);
      return;
    }
    const quarter = this.at(size - Math.max(1, Math.floor(this.cap / 4)));
    if (now - quarter.recordedAt > this.sizing.eventFreshMs && this.cap > this.sizing.lowerBound) {
      this.cap = Math.max(Math.floor(this.cap / 2), this.sizing.lowerBound);
      const excess = this.size - this.cap;
      if (excess > 0) {
        this.head += excess;
        this.evicted = true;
      }
    }
  }

  /**
   * The oldest revision a watch may start from: every event after it is in the window. As kube-apiserver
   * computes it, the oldest event's revision minus one, or the list revision when nothing was evicted.
   */
  oldestWatchable(): bigint {
    if (!this.evicted || this.size === 0) return this.listRevision;
    return this.at(0).revision - 1n;
  }

  /**
   * Events after `revision` whose key matches, oldest first. WatchCacheTooOldError (410 Expired) when
   * events after `revision` may have left the window.
   */
  since(revision: bigint, matches: (key: string) => boolean = () => true): CacheEvent[] {
    const oldest = this.oldestWatchable();
    if (revision < oldest) throw new WatchCacheTooOldError(revision, oldest);
    // Binary search for the first event after `revision`.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision > revision) hi = mid;
      else lo = mid + 1;
    }
    const out: CacheEvent[] = [];
    for (let i = lo; i < this.size; i++) {
      const e = this.at(i);
      if (matches(e.key)) out.push(e);
    }
    return out;
  }
}
