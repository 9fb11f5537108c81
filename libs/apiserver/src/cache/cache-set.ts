import type { Logger } from '@ekslab/runtime';
import type { EtcdStore, ListResult, StorageWatch } from '@ekslab/storage';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { CachedReads } from '../admission/types.js';
import { resources, type ResourceInfo } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';
import { TooLargeResourceVersionError } from './errors.js';
import { cacheMetrics, type CacheMetrics } from './metrics.js';
import { ResourceCache } from './resource-cache.js';
import { watchCacheResourceName } from './sizes.js';
import { defaultWindowSizing, type WindowSizing } from './window.js';

export interface WatchCacheOptions {
  readonly store: EtcdStore;
  readonly log: Logger;
  /** Event window sizing; kube-apiserver's defaults (100 … 100 × 1024 events, 75 s of history). */
  readonly sizing?: Partial<WindowSizing>;
  /** Live events one watcher may have queued before it is terminated as unresponsive; default 1000. */
  readonly watcherBufferSize?: number;
  /** How long a read waits for the cache to reach a revision (kube-apiserver's blockTimeout): 3000 ms. */
  readonly freshnessTimeoutMs?: number;
  /** How often etcd is asked for progress while a read waits (kube-apiserver: 100 ms). */
  readonly progressRequestIntervalMs?: number;
  /** Pause before re-listing or re-watching after a failure; default 1000 ms. */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
  /** Where the cache's metrics go (the ops server's registry); none when absent. */
  readonly metrics?: MetricsRegistry;
  /** Resources (`resource[.group]`, as `--watch-cache-sizes` names them) left uncached: etcd serves them. */
  readonly uncached?: ReadonlySet<string>;
}

/** A list request as the REST and gRPC layers receive it. */
export interface ListRequest {
  readonly signal: AbortSignal;
  readonly limit?: number;
  readonly continue?: string;
  /** Unset: a consistent read. "0": any state. Otherwise: at least that fresh (or exactly, with Exact). */
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** Where a watch reads its initial state and its changes: etcd itself, or the watch cache. */
export interface WatchSource {
  /** The current objects under a prefix; `consistent`: at least as fresh as etcd is now. */
  list(prefix: string, signal: AbortSignal, consistent: boolean): Promise<ListResult<KubeObject>>;
  /**
   * Changes after `fromRevision` (unset: from now); BOOKMARKs on `requestProgress()`. `afterOwnList`: the
   * revision is the one `list` just answered with (not a client's resume point).
   */
  watch(keyOrPrefix: string, fromRevision: string | undefined, bookmarks: boolean, signal: AbortSignal, afterOwnList?: boolean): Promise<StorageWatch<KubeObject>>;
}

/** Reads without a cache: every list and watch goes to etcd (resourceVersion on lists only with Exact). */
export function storageReads(store: EtcdStore): WatchSource & { listObjects(prefix: string, req: ListRequest): Promise<ListResult<KubeObject>> } {
  return {
    list: (prefix, signal) => store.list<KubeObject>(prefix, { signal }),
    watch: (keyOrPrefix, fromRevision, bookmarks, signal) =>
      store.watch<KubeObject>(keyOrPrefix, { ...(fromRevision !== undefined ? { fromRevision } : {}), progressNotify: bookmarks, signal }),
    listObjects: (prefix, req) => store.list<KubeObject>(prefix, {
      signal: req.signal, ...(req.limit ? { limit: req.limit } : {}), ...(req.continue ? { continue: req.continue } : {}),
      ...(req.resourceVersionMatch === 'Exact' && req.resourceVersion ? { resourceVersion: req.resourceVersion } : {}),
    }),
  };
}

const numeric = /^[0-9]+$/;

/**
 * One watch cache per stored resource (every entry of the resource table but the virtual ones), created
 * once per apiserver process and shared by REST and gRPC. Serves watches, lists the cache can answer
 * (kube-apiserver 1.31+ rules, ConsistentListFromCache on) and the namespace reads of NamespaceLifecycle.
 * Before a resource's cache has synced its reads go to etcd.
 */
export class WatchCacheSet {
  private readonly caches = new Map<string, ResourceCache>();
  private readonly etcd: ReturnType<typeof storageReads>;
  private readonly metrics: CacheMetrics | undefined;
  readonly freshnessTimeoutMs: number;

  constructor(private readonly opts: WatchCacheOptions) {
    this.etcd = storageReads(opts.store);
    this.metrics = opts.metrics ? cacheMetrics(opts.metrics) : undefined;
    this.freshnessTimeoutMs = opts.freshnessTimeoutMs ?? 3_000;
    const cacheOptions = {
      sizing: { ...defaultWindowSizing, ...opts.sizing },
      watcherBufferSize: opts.watcherBufferSize ?? 1_000,
      progressRequestIntervalMs: opts.progressRequestIntervalMs ?? 100,
      retryDelayMs: opts.retryDelayMs ?? 1_000,
      now: opts.now ?? Date.now,
      log: opts.log,
      ...(this.metrics ? { metrics: this.metrics } : {}),
    };
    for (const info of resources) {
      if (info.virtual || opts.uncached?.has(watchCacheResourceName(info))) continue;
      const cache = new ResourceCache(info, opts.store, cacheOptions);
      this.caches.set(cache.prefix, cache);
    }
  }

  /** Runs every cache until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.caches.values()].map((c) => c.start(signal)));
  }

  hasSynced(): boolean {
    for (const c of this.caches.values()) if (!c.hasSynced()) return false;
    return true;
  }

  /** Resources whose cache has not synced yet (for /readyz). */
  unsynced(): string[] {
    return [...this.caches.values()].filter((c) => !c.hasSynced()).map((c) => c.info.resource);
  }

  /** The cache of a resource, or of the resource a storage key or prefix belongs to. */
  cacheFor(infoOrKey: ResourceInfo | string): ResourceCache | undefined {
    if (typeof infoOrKey !== 'string') return this.caches.get(`/${infoOrKey.group || 'core'}/${infoOrKey.resource}/`);
    const [, group, resource] = infoOrKey.split('/');
    return this.caches.get(`/${group ?? ''}/${resource ?? ''}/`);
  }

  /** The cached object at a storage key; undefined when absent or the cache has not synced. */
  getCached(key: string): KubeObject | undefined {
    return this.get(key) ?? undefined;
  }

  /** The cached object at a storage key: `null` when the synced cache has none, `undefined` when it cannot say. */
  get(key: string): KubeObject | null | undefined {
    const cache = this.cacheFor(key);
    return cache?.hasSynced() ? (cache.get(key) ?? null) : undefined;
  }

  /** This cache as admission plugins read it. */
  readonly reads: CachedReads = { get: (key) => this.get(key), list: (prefix) => this.listCached(prefix) };

  /** The cached objects under a prefix ending in `/`, in key order; `undefined` when the cache cannot say. */
  listCached(prefix: string): readonly KubeObject[] | undefined {
    const cache = this.cacheFor(prefix);
    return cache?.hasSynced() ? cache.list(prefix).items : undefined;
  }

  /**
   * A list, from the cache when it can serve it, as kube-apiserver decides (shouldDelegateList): `continue`,
   * a `limit` with a resourceVersion other than "0", and resourceVersionMatch=Exact go to etcd. "0" is
   * answered at once (a limit is then ignored); a revision N waits until the cache has it (504 Too large
   * resource version after the timeout); unset is a consistent read: the cache waits for etcd's current
   * revision and, when it does not get there in time, etcd answers instead.
   */
  async list(prefix: string, req: ListRequest): Promise<ListResult<KubeObject>> {
    const cache = this.cacheFor(prefix);
    const rv = req.resourceVersion ?? '';
    const delegate = !cache?.hasSynced() || !!req.continue || (!!req.limit && rv !== '0') || req.resourceVersionMatch === 'Exact' || (rv !== '' && !numeric.test(rv));
    if (!cache || delegate) return this.etcd.listObjects(prefix, req);
    const resource = cache.info.resource;
    if (rv === '') {
      const current = BigInt(await this.opts.store.currentRevision({ signal: req.signal }));
      try {
        await cache.waitUntilFresh(current, req.signal, this.freshnessTimeoutMs);
        this.metrics?.consistentReads.inc({ resource, success: 'true', fallback: 'false' });
      } catch (err) {
        if (!(err instanceof TooLargeResourceVersionError)) throw err;
        this.opts.log.warn({ resource, wanted: String(current), at: String(cache.revision) }, 'watch cache: consistent read fell back to etcd');
        this.metrics?.consistentReads.inc({ resource, success: 'true', fallback: 'true' });
        return this.etcd.listObjects(prefix, req);
      }
    } else if (rv !== '0') {
      await cache.waitUntilFresh(BigInt(rv), req.signal, this.freshnessTimeoutMs);
    }
    const { items, revision } = cache.list(prefix);
    return { items, resourceVersion: String(revision) };
  }

  /**
   * Watches served from the cache (etcd for a resource whose cache has not synced). A client resuming
   * from a revision etcd has compacted gets 410 Expired even when the window still holds it, so that every
   * replica, cached or not, answers a resume point alike (kube-apiserver compacts every 5 minutes and keeps
   * 75 s of window, so there the two never differ); that costs one small etcd read per resume.
   */
  watchSource(): WatchSource {
    return {
      list: (prefix, signal, consistent) => this.list(prefix, { signal, resourceVersion: consistent ? '' : '0' }),
      watch: async (keyOrPrefix, fromRevision, bookmarks, signal, afterOwnList = false) => {
        const cache = this.cacheFor(keyOrPrefix);
        if (!cache?.hasSynced() || (fromRevision !== undefined && !numeric.test(fromRevision))) return this.etcd.watch(keyOrPrefix, fromRevision, bookmarks, signal);
        const from = fromRevision === undefined ? cache.revision : BigInt(fromRevision);
        if (!afterOwnList && from < cache.revision) {
          // Reading at from + 1 fails exactly when a watch starting there would: TooOldResourceVersionError.
          await this.opts.store.list(cache.prefix, { signal, limit: 1, resourceVersion: String(from + 1n) });
        }
        return cache.watch(keyOrPrefix, from, signal);
      },
    };
  }
}

/** The watch source of a process: its watch cache when it has one, else etcd. */
export function watchSourceOf(store: EtcdStore, cache: WatchCacheSet | undefined): WatchSource {
  return cache ? cache.watchSource() : storageReads(store);
}

/** A list through the process's watch cache when it has one, else from etcd. */
export function listObjects(store: EtcdStore, cache: WatchCacheSet | undefined, prefix: string, req: ListRequest): Promise<ListResult<KubeObject>> {
  return cache ? cache.list(prefix, req) : storageReads(store).listObjects(prefix, req);
}
