import type { StorageWatch, WatchEvent } from '@ekslab/storage';
import type { KubeObject } from '../rest/objects.js';
import type { CacheEvent } from './window.js';

/** Why a watcher ended without its client asking. */
export type TerminationReason = 'unresponsive' | 'relist' | 'stopped';

/** Whether a storage key is watched: the exact key, or everything under a prefix ending in `/`. */
export const keyMatcher = (keyOrPrefix: string): ((key: string) => boolean) =>
  keyOrPrefix.endsWith('/') ? (key) => key.startsWith(keyOrPrefix) : (key) => key === keyOrPrefix;

/**
 * One client's watch on a resource cache (kube-apiserver's cacheWatcher). It first yields the replayed
 * events (from the window, or the initial state), then live events the cache dispatches to it. The live
 * queue is bounded by `bufferSize`: the cache never waits for a client, and a watcher that falls that far
 * behind is terminated — its iteration just ends and the client re-watches from the last resourceVersion
 * it saw, as with kube-apiserver. Aborting `signal` makes the iteration reject with the signal's reason.
 */
export class CacheWatcher implements StorageWatch<KubeObject> {
  readonly matches: (key: string) => boolean;
  private readonly live: WatchEvent<KubeObject>[] = [];
  private liveHead = 0;
  private replayIndex = 0;
  private closed = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  terminated: TerminationReason | undefined;

  constructor(
    keyOrPrefix: string,
    /** Only events after this revision are delivered. */
    private readonly after: bigint,
    private readonly replay: readonly CacheEvent[],
    private readonly bufferSize: number,
    /** The cache's current revision, for bookmarks. */
    private readonly currentRevision: () => bigint,
    private readonly onClose: (w: CacheWatcher) => void,
    private readonly signal?: AbortSignal,
  ) {
    this.matches = keyMatcher(keyOrPrefix);
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Events waiting to be read (replay and live). */
  get pending(): number {
    return this.replay.length - this.replayIndex + this.live.length - this.liveHead;
  }

  /**
   * Hands the watcher one event the cache just recorded; false (and the watcher is terminated) when its
   * live queue is full. Events at or before the watcher's start revision, and other keys, are skipped.
   */
  dispatch(e: CacheEvent): boolean {
    if (this.closed) return false;
    if (e.revision <= this.after || !this.matches(e.key)) return true;
    if (this.live.length - this.liveHead >= this.bufferSize) {
      this.terminate('unresponsive');
      return false;
    }
    this.live.push({ type: e.type, object: e.object, resourceVersion: String(e.revision) });
    this.wakeUp();
    return true;
  }

  /** Queues a BOOKMARK at the cache's current revision: every event up to it is queued before it. */
  requestProgress(): void {
    if (this.closed) return;
    const rev = this.currentRevision();
    if (rev <= this.after || this.live.length - this.liveHead >= this.bufferSize) return;
    this.live.push({ type: 'BOOKMARK', resourceVersion: String(rev) });
    this.wakeUp();
  }

  /** Ends the watch for a reason of the cache's (slow client, re-list, shutdown); queued events are dropped. */
  terminate(reason: TerminationReason): void {
    if (this.closed) return;
    this.terminated = reason;
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live.length = 0;
    this.liveHead = 0;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.onClose(this);
    this.wakeUp();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<KubeObject>> {
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        if (this.closed) return;
        const e = this.take();
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.close();
    }
  }

  private take(): WatchEvent<KubeObject> | undefined {
    while (this.replayIndex < this.replay.length) {
      const e = this.replay[this.replayIndex++]!;
      if (e.revision > this.after && this.matches(e.key)) return { type: e.type, object: e.object, resourceVersion: String(e.revision) };
    }
    if (this.liveHead >= this.live.length) return undefined;
    const e = this.live[this.liveHead]!;
    this.live[this.liveHead++] = undefined as never;
    if (this.liveHead === this.live.length) {
      this.live.length = 0;
      this.liveHead = 0;
    }
    return e;
  }

  private readonly onAbort = (): void => {
    this.failure = (this.signal?.reason as Error | undefined) ?? new Error('watch aborted');
    this.close();
  };

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
