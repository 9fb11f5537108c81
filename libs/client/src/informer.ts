import { systemClock } from '@ekslab/runtime';
import type { Clock, Logger } from '@ekslab/runtime';
import { Reflector } from './reflector.js';
import type { ReflectorOptions, ReflectorSink } from './reflector.js';
import { Store } from './store.js';
import type { CacheReader, IndexFunc } from './store.js';
import { objectKey } from './types.js';
import type { KubeObject, ListerWatcher, WatchEvent } from './types.js';

/** Extra facts about a delete. */
export interface DeleteInfo {
  /**
   * True when the delete was inferred from a relist (the object vanished while the watch was
   * down; client-go's DeletedFinalStateUnknown): `obj` is the last state the cache saw, which
   * may be older than the object's real final state.
   */
  finalStateUnknown: boolean;
}

/**
 * Informer callbacks. Called synchronously from the informer's loop, so they must only do cheap
 * work — enqueue a key (STYLE rule 4). A handler that throws is logged and otherwise ignored.
 * `onUpdate(old, new)` also fires on resync with old === new.
 */
export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T, info: DeleteInfo): void;
}

export interface InformerOptions<T extends KubeObject> extends ReflectorOptions {
  clock?: Clock;
  /** Re-deliver onUpdate(obj, obj) for every cached object this often, ms; 0 (default) = off. */
  resyncPeriodMs?: number;
  /** Extra indexes besides the built-in `namespace` one. */
  indexers?: Record<string, IndexFunc<T>>;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

/**
 * A shared informer: a Reflector filling an indexed cache and notifying handlers.
 *
 * Delivery: initial list → onAdd each; watch ADDED/MODIFIED → onAdd or onUpdate (by whether the
 * key is cached); DELETED → onDelete with the event's last state; a relist → onAdd for new keys,
 * onUpdate for changed resourceVersions, onDelete{finalStateUnknown} for keys gone.
 *
 * Not guaranteed: that handlers see every intermediate version (a relist jumps); that the cache
 * is fresher than the API (it lags by the watch latency); ordering across different keys beyond
 * the server's resourceVersion order. Does not need leader election.
 */
export class Informer<T extends KubeObject> implements ReflectorSink<T> {
  private readonly clock: Clock;
  private readonly cache: Store<T>;
  private readonly reflector: Reflector<T>;
  private handlers: EventHandlers<T>[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private started = false;

  constructor(
    lw: ListerWatcher<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.cache = new Store<T>(options.indexers);
    this.reflector = new Reflector<T>(lw, this, options);
  }

  /** The cache. Read-only: never mutate returned objects. */
  get store(): CacheReader<T> {
    return this.cache;
  }

  /**
   * Registers handlers; if the cache already holds objects, they get onAdd for each now.
   * Returns a function that unregisters them.
   */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.push(handlers);
    for (const obj of this.cache.list()) this.call(handlers, 'onAdd', () => handlers.onAdd?.(obj));
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handlers);
    };
  }

  /** Adds indexes; allowed at any time (existing objects are indexed at once). */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.cache.addIndexers(indexers);
  }

  /** True once the first list has been stored and delivered. Stays true across relists. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced; rejects with the signal's reason if it aborts first. */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        reject(signal.reason as Error);
      };
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.syncWaiters.push(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  /** Runs the reflector (and resync) until the signal aborts. Call once. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error('informer already started');
    this.started = true;
    await Promise.all([this.reflector.run(signal), this.resyncLoop(signal)]);
  }

  /** ReflectorSink: a (re)list's complete state. */
  replace(items: T[], _resourceVersion: string): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.cache.upsert(obj);
      if (!old) this.notify('onAdd', (h) => h.onAdd?.(obj));
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.cache.delete(key) as T;
      this.notify('onDelete', (h) => h.onDelete?.(old, { finalStateUnknown: true }));
    }
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** ReflectorSink: one watch event. */
  apply(event: WatchEvent<T>): void {
    const obj = event.object;
    if (event.type === 'DELETED') {
      this.cache.delete(objectKey(obj));
      this.notify('onDelete', (h) => h.onDelete?.(obj, { finalStateUnknown: false }));
      return;
    }
    const old = this.cache.upsert(obj);
    if (old) this.notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.notify('onAdd', (h) => h.onAdd?.(obj));
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const period = this.options.resyncPeriodMs ?? 0;
    if (period <= 0) return;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(period, signal);
      } catch {
        return; // aborted
      }
      if (!this.synced) continue;
      for (const obj of this.cache.list()) this.notify('onUpdate', (h) => h.onUpdate?.(obj, obj));
    }
  }

  private notify(what: string, fn: (h: EventHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(h, what, () => fn(h));
  }

  private call(_h: EventHandlers<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.logger?.error({ err, handler: what }, 'informer: event handler threw');
    }
  }
}
