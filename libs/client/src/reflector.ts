import { systemClock } from '@ekslab/runtime';
import type { Clock, Logger } from '@ekslab/runtime';
import { Backoff } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { ApiError, isGone } from './errors.js';
import type { KubeObject, ListerWatcher, WatchEvent } from './types.js';

/** Where a reflector puts what it learns (the informer). Both calls are synchronous. */
export interface ReflectorSink<T extends KubeObject> {
  /** The complete state at `resourceVersion`, from a (re)list. */
  replace(items: T[], resourceVersion: string): void;
  /** One ADDED, MODIFIED or DELETED event (never BOOKMARK). */
  apply(event: WatchEvent<T>): void;
}

export interface ReflectorOptions {
  clock?: Clock;
  /** For jitter and watch timeouts; inject a fixed one in tests. */
  random?: () => number;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (client-go's pager default, 500); 0 = one unpaginated list. Keeps each gRPC message under 4 MiB. */
  pageSize?: number;
  /** Error backoff; default REFLECTOR_BACKOFF (800 ms → 30 s, ×2, jitter 1.0, reset after 2 min). */
  backoff?: BackoffOptions;
  /** Each watch asks the server to end after [min, 2·min) seconds; default 300 (client-go). */
  minWatchTimeoutSeconds?: number;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

/** A watch that ends this fast without any event counts as a failure (backoff), as in client-go. */
const SHORT_WATCH_MS = 1000;
/** client-go's ListPager default page size. */
export const DEFAULT_PAGE_SIZE = 500;

/**
 * List, then watch from the list's resourceVersion with bookmarks, forever (client-go's Reflector).
 *
 * - The first list asks for resourceVersion "0" (any cached state); after a 410 it asks for ""
 *   (a quorum read), as client-go does when the last RV is unavailable.
 * - A watch that ends is resumed from the last resourceVersion seen (objects and bookmarks).
 * - A 410 Expired/Gone (ERROR event or failed call) ends the cycle: backoff, then relist.
 * - Retryable failures of the watch call (503, 429, transport) back off and re-watch; other
 *   failures back off and relist. A watch that ends within 1 s without any event also backs off
 *   (client-go's "very short watch"), so a server that closes watches at once is not hammered.
 *
 * Not guaranteed: that every intermediate state is seen (the API coalesces nothing, but a relist
 * replaces history with a snapshot); timing of delivery relative to the server's commit.
 */
export class Reflector<T extends KubeObject> {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: Backoff;
  private lastRV = '';
  private lastRVUnavailable = false;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly options: ReflectorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = new Backoff(this.clock, options.backoff, this.random);
  }

  /** The resourceVersion the cache is known to be at ("" before the first list). */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Lists and watches until the signal aborts; resolves then (never rejects for an abort). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.listAndWatch(signal);
      } catch (err) {
        if (signal.aborted) return;
        if (isGone(err)) this.lastRVUnavailable = true;
        this.options.logger?.warn({ err, resourceVersion: this.lastRV }, 'reflector: list/watch failed; relisting after backoff');
      }
      try {
        await this.backoff.sleep(signal);
      } catch {
        return; // aborted
      }
    }
  }

  private async listAndWatch(signal: AbortSignal): Promise<void> {
    await this.list(signal);
    while (!signal.aborted) {
      const started = this.clock.now();
      let events = 0;
      try {
        const timeoutSeconds = Math.floor((this.options.minWatchTimeoutSeconds ?? 300) * (1 + this.random()));
        const stream = this.lw.watch(
          {
            resourceVersion: this.lastRV,
            allowWatchBookmarks: true,
            timeoutSeconds,
            labelSelector: this.options.labelSelector ?? '',
            fieldSelector: this.options.fieldSelector ?? '',
          },
          signal,
        );
        for await (const ev of stream) {
          events++;
          if (ev.type !== 'BOOKMARK') this.sink.apply(ev);
          if (ev.resourceVersion) this.lastRV = ev.resourceVersion;
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ApiError && err.retryable && !isGone(err)) {
          this.options.logger?.debug({ err }, 'reflector: watch failed; re-watching after backoff');
          await this.backoff.sleep(signal);
          continue;
        }
        throw err;
      }
      if (signal.aborted) return;
      if (events === 0 && this.clock.now() - started < SHORT_WATCH_MS) {
        this.options.logger?.debug({ resourceVersion: this.lastRV }, 'reflector: very short watch; backing off');
        await this.backoff.sleep(signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const rv = this.lastRVUnavailable ? '' : this.lastRV || '0';
    let result: { items: T[]; resourceVersion: string };
    try {
      result = await this.listPages(rv, signal);
    } catch (err) {
      if (!isGone(err) || rv === '') throw err;
      // The RV we asked for is compacted: retry at once with a quorum read (client-go does too).
      this.lastRVUnavailable = true;
      result = await this.listPages('', signal);
    }
    this.sink.replace(result.items, result.resourceVersion);
    this.lastRV = result.resourceVersion;
    this.lastRVUnavailable = false;
  }

  private async listPages(resourceVersion: string, signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }> {
    const base = {
      labelSelector: this.options.labelSelector ?? '',
      fieldSelector: this.options.fieldSelector ?? '',
      resourceVersion,
      limit: this.options.pageSize ?? DEFAULT_PAGE_SIZE,
    };
    const items: T[] = [];
    let page = await this.lw.list(base, signal);
    items.push(...page.items);
    while (page.continue) {
      page = await this.lw.list({ ...base, continue: page.continue }, signal);
      items.push(...page.items);
    }
    return { items, resourceVersion: page.resourceVersion };
  }
}
