import { collectionKeyFor, StorageUnavailableError, TooOldResourceVersionError, type EtcdStore, type StorageWatch } from '@ekslab/storage';
import type { Logger } from '@ekslab/runtime';
import { sleep } from '@ekslab/runtime';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';
import { TooLargeResourceVersionError } from './errors.js';
import type { CacheMetrics } from './metrics.js';
import { CacheWatcher, keyMatcher, type TerminationReason } from './watcher.js';
import { EventWindow, type CacheEvent, type WindowSizing } from './window.js';

export interface ResourceCacheOptions {
  readonly sizing: WindowSizing;
  /** Live events a watcher may have queued before it is terminated as unresponsive. */
  readonly watcherBufferSize: number;
  /** While a request waits for freshness, etcd is asked for a progress notification this often (kube: 100 ms). */
  readonly progressRequestIntervalMs: number;
  /** Pause before re-listing / re-watching after a failure. */
  readonly retryDelayMs: number;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics?: CacheMetrics;
}

interface Waiter {
  readonly revision: bigint;
  readonly resolve: () => void;
}

/**
 * The watch cache of one resource (kube-apiserver's Cacher + watchCache): lists the resource's prefix
 * from etcd, then follows one etcd watch from that revision. It keeps the current objects by storage key,
 * a window of recent events for watches that resume from a revision, and the revision it is fresh up to
 * (`revision`), which etcd progress notifications advance even when nothing changes.
 * On TooOldResourceVersion (compaction while disconnected) it re-lists and terminates every watcher, as
 * kube-apiserver does; on a broken stream it re-watches from its revision and watchers carry on.
 * Objects handed out are the cache's own: callers must not mutate them.
 */
export class ResourceCache {
  readonly prefix: string;
  private readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;
  private readonly window: EventWindow;
  private readonly watchers = new Set<CacheWatcher>();
  private waiters: Waiter[] = [];
  private rev = 0n;
  private synced = false;
  private readonly syncedOnce: Promise<void>;
  private markSynced: () => void = () => undefined;
  private etcdWatch: StorageWatch<KubeObject> | undefined;
  /** Runs only while some read waits for freshness (kube-apiserver's progressRequester). */
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(readonly info: ResourceInfo, private readonly store: EtcdStore, private readonly opts: ResourceCacheOptions) {
    this.prefix = collectionKeyFor({ group: info.group, resource: info.resource });
    this.window = new EventWindow(opts.sizing);
    this.syncedOnce = new Promise((resolve) => (this.markSynced = resolve));
  }

  /** The revision every change up to which is in the cache. 0 before the first list. */
  get revision(): bigint {
    return this.rev;
  }

  /** True once the first list has been loaded (it stays true across re-lists). */
  hasSynced(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.objects.size;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  get capacity(): number {
    return this.window.capacity;
  }

  /** Lists, then watches, until `signal` aborts; retries after every failure. Never rejects. */
  async start(signal: AbortSignal): Promise<void> {
    let relist = true;
    try {
      while (!signal.aborted) {
        try {
          if (relist) await this.relist(signal);
          relist = false;
          await this.follow(signal);
        } catch (err) {
          if (signal.aborted) break;
          relist = err instanceof TooOldResourceVersionError || !(err instanceof StorageUnavailableError) || !this.synced;
          this.opts.log.warn({ err, resource: this.info.resource, revision: String(this.rev), relist }, relist ? 'watch cache: re-listing' : 'watch cache: watch broke; re-watching');
          await sleep(this.opts.retryDelayMs, signal).catch(() => undefined);
        }
      }
    } finally {
      clearInterval(this.progressTimer);
      this.progressTimer = undefined;
      for (const w of this.watchers) w.terminate('stopped');
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const listed = await this.store.list<KubeObject>(this.prefix, { signal });
    const revision = BigInt(listed.resourceVersion);
    this.objects.clear();
    for (const obj of listed.items) this.objects.set(this.keyOf(obj), obj);
    this.sortedKeys = undefined;
    this.window.reset(revision);
    // As kube-apiserver's cacher: a re-list ends every watch; clients resume from their last revision.
    if (this.synced) this.terminateAll('relist');
    this.advance(revision);
    this.synced = true;
    this.markSynced();
    this.opts.metrics?.initializations.inc({ resource: this.info.resource });
    this.report();
  }

  private async follow(signal: AbortSignal): Promise<void> {
    const watch = await this.store.watch<KubeObject>(this.prefix, { fromRevision: String(this.rev), progressNotify: true, signal });
    this.etcdWatch = watch;
    try {
      // Waiters may have asked while the stream was down.
      if (this.waiters.length > 0) watch.requestProgress();
      for await (const e of watch) {
        if (e.type === 'BOOKMARK') {
          this.advance(BigInt(e.resourceVersion));
          continue;
        }
        this.apply({ type: e.type, key: this.keyOf(e.object), object: e.object, revision: BigInt(e.resourceVersion), recordedAt: this.opts.now() });
      }
    } finally {
      this.etcdWatch = undefined;
      watch.close();
    }
  }

  private apply(e: CacheEvent): void {
    // Older than what the cache holds: a duplicate (one transaction may write several keys at one revision).
    if (e.revision < this.rev) return;
    const had = this.objects.has(e.key);
    if (e.type === 'DELETED') this.objects.delete(e.key);
    else this.objects.set(e.key, e.object);
    if (had !== this.objects.has(e.key)) this.sortedKeys = undefined;
    this.window.add(e);
    const resource = this.info.resource;
    this.opts.metrics?.eventsReceived.inc({ resource });
    let dispatched = 0;
    for (const w of this.watchers) {
      if (w.dispatch(e)) dispatched++;
      else this.opts.metrics?.terminatedWatchers.inc({ resource });
    }
    if (dispatched > 0) this.opts.metrics?.eventsDispatched.inc({ resource }, dispatched);
    this.advance(e.revision);
    this.report();
  }

  private advance(revision: bigint): void {
    if (revision > this.rev) this.rev = revision;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= this.rev);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > this.rev);
    for (const w of ready) w.resolve();
    this.pollProgress();
  }

  /** Asks etcd for progress every interval while reads wait; stops when none does. */
  private pollProgress(): void {
    if (this.waiters.length === 0) {
      clearInterval(this.progressTimer);
      this.progressTimer = undefined;
      return;
    }
    this.progressTimer ??= setInterval(() => {
      if (this.waiters.length > 0) this.etcdWatch?.requestProgress();
      else this.pollProgress();
    }, this.opts.progressRequestIntervalMs);
  }

  private report(): void {
    const m = this.opts.metrics;
    if (!m) return;
    const resource = this.info.resource;
    m.objects.set({ resource }, this.objects.size);
    m.capacity.set({ resource }, this.window.capacity);
    m.resourceVersion.set({ resource }, Number(this.rev));
    m.watchers.set({ resource }, this.watchers.size);
  }

  private terminateAll(reason: TerminationReason): void {
    for (const w of [...this.watchers]) {
      w.terminate(reason);
      this.opts.metrics?.terminatedWatchers.inc({ resource: this.info.resource });
    }
  }

  /**
   * Resolves once the cache has seen everything up to `revision` (and has synced); while it waits, etcd is
   * asked for progress notifications so an idle resource still advances. TooLargeResourceVersionError when
   * that takes longer than `timeoutMs`; rejects with the signal's reason when `signal` aborts.
   */
  async waitUntilFresh(revision: bigint, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (this.synced && this.rev >= revision) return;
    signal.throwIfAborted();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let waiter: Waiter | undefined;
    let settled = false;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new TooLargeResourceVersionError(revision, this.rev)), timeoutMs);
        onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
        const enqueue = (): void => {
          if (settled) return;
          if (this.rev >= revision) return resolve();
          waiter = { revision, resolve };
          this.waiters.push(waiter);
          this.etcdWatch?.requestProgress();
          this.pollProgress();
        };
        if (this.synced) enqueue();
        else void this.syncedOnce.then(enqueue);
      });
    } finally {
      settled = true;
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.pollProgress();
      }
    }
  }

  /** Objects under `prefix` (the resource's or one namespace's, ending in `/`) in key order, at `revision`. */
  list(prefix: string = this.prefix): { items: KubeObject[]; revision: bigint } {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort(byBytes);
    const matches = keyMatcher(prefix);
    const items: KubeObject[] = [];
    for (const key of this.sortedKeys) if (matches(key)) items.push(this.objects.get(key)!);
    return { items, revision: this.rev };
  }

  /** The object at a storage key, as of `revision`. */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /**
   * Watches a key or a prefix from `fromRevision` (events after it): first what the window still holds,
   * then live events. WatchCacheTooOldError (410 Expired) when `fromRevision` is older than the window.
   * A revision newer than the cache's is waited for (events up to it are skipped).
   */
  watch(keyOrPrefix: string, fromRevision: bigint, signal?: AbortSignal): CacheWatcher {
    const replay = fromRevision < this.rev ? this.window.since(fromRevision, keyMatcher(keyOrPrefix)) : [];
    const w = new CacheWatcher(keyOrPrefix, fromRevision, replay, this.opts.watcherBufferSize, () => this.rev, (closed) => {
      this.watchers.delete(closed);
      this.report();
    }, signal);
    if (!signal?.aborted) this.watchers.add(w);
    this.report();
    return w;
  }

  /**
   * The storage key an object lives at (keyFor's layout). Built without keyFor's validation: one malformed
   * stored object must not stop the cache of its whole resource.
   */
  private keyOf(obj: KubeObject): string {
    return `${this.prefix}${this.info.namespaced ? `${obj.metadata.namespace ?? ''}/` : ''}${obj.metadata.name ?? ''}`;
  }
}

/** etcd orders keys by bytes; for the ASCII of storage keys that is plain code-unit order. */
const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
