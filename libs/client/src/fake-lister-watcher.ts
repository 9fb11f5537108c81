import { Status } from '@ekslab/proto';
import { ApiError } from './errors.js';
import { objectKey } from './types.js';
import type { KubeObject, ListOpts, ListPage, ListerWatcher, WatchEvent, WatchOpts } from './types.js';

interface OpenWatch<T extends KubeObject> {
  queue: WatchEvent<T>[];
  end: 'drop' | ApiError | undefined;
  wake: (() => void) | undefined;
}

/** A 410 Expired ApiError, as the apiserver sends for a compacted resourceVersion. */
export function expiredError(message = 'too old resource version'): ApiError {
  return new ApiError(Status.create({ status: 'Failure', code: 410, reason: 'Expired', message }));
}

/**
 * An in-memory, scripted ListerWatcher for tests of informers and controllers. Deterministic: no
 * timers; events reach open watches when the test calls `add`/`update`/`delete`/`bookmark`.
 *
 * - resourceVersions are a counter ("1", "2", …); a watch from RV r replays recorded events
 *   after r, or fails with 410 if r is older than the last `expire()`.
 * - `expire()` ends every open watch with a 410 ERROR; `dropWatches()` ends them cleanly (as a
 *   server timeout does); `failNext(...)` makes the next list or watch call throw.
 * - Unlike the apiserver, a watch from "" or "0" sends no initial ADDED events, and selectors
 *   and pagination are ignored (recorded in `listCalls`/`watchCalls` for assertions).
 */
export class FakeListerWatcher<T extends KubeObject> implements ListerWatcher<T> {
  readonly listCalls: ListOpts[] = [];
  readonly watchCalls: WatchOpts[] = [];
  private readonly objects = new Map<string, T>();
  private history: { rv: number; event: WatchEvent<T> }[] = [];
  private rv = 0;
  private compacted = 0;
  private readonly watches = new Set<OpenWatch<T>>();
  private readonly failures: { list: Error[]; watch: Error[] } = { list: [], watch: [] };

  /** The current resourceVersion. */
  resourceVersion(): string {
    return String(this.rv);
  }

  openWatches(): number {
    return this.watches.size;
  }

  add(obj: T): T {
    return this.write('ADDED', obj);
  }

  update(obj: T): T {
    return this.write('MODIFIED', obj);
  }

  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.objects.delete(key);
    const last = this.stamp(old);
    this.emit({ type: 'DELETED', object: last, resourceVersion: this.resourceVersion() });
    return last;
  }

  /** Sends a BOOKMARK at the current resourceVersion (after bumping it, as idle progress would). */
  bookmark(): string {
    this.rv++;
    const rv = this.resourceVersion();
    const object = { kind: 'Bookmark', metadata: { resourceVersion: rv } } as unknown as T;
    for (const w of this.watches) this.push(w, { type: 'BOOKMARK', object, resourceVersion: rv });
    return rv;
  }

  /** Compacts history at the current RV and ends every open watch with 410 Expired. */
  expire(): void {
    this.compacted = this.rv;
    this.history = [];
    for (const w of this.watches) this.end(w, expiredError());
  }

  /** Ends every open watch cleanly. */
  dropWatches(): void {
    for (const w of this.watches) this.end(w, 'drop');
  }

  /** The next `list` or `watch` call throws `err`. */
  failNext(call: 'list' | 'watch', err: Error): void {
    this.failures[call].push(err);
  }

  list(opts: ListOpts, signal: AbortSignal): Promise<ListPage<T>> {
    this.listCalls.push(opts);
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const failure = this.failures.list.shift();
    if (failure) return Promise.reject(failure);
    const items = [...this.objects.values()].map((o) => structuredClone(o));
    return Promise.resolve({ items, resourceVersion: this.resourceVersion(), continue: '' });
  }

  async *watch(opts: WatchOpts, signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    this.watchCalls.push(opts);
    const failure = this.failures.watch.shift();
    if (failure) throw failure;
    const from = opts.resourceVersion ? Number(opts.resourceVersion) : this.rv;
    if (from < this.compacted) throw expiredError(`too old resource version: ${from} (${this.compacted})`);
    const w: OpenWatch<T> = { queue: this.history.filter((h) => h.rv > from).map((h) => h.event), end: undefined, wake: undefined };
    this.watches.add(w);
    const onAbort = (): void => w.wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted) return;
        const ev = w.queue.shift();
        if (ev) {
          yield structuredClone(ev);
          continue;
        }
        if (w.end === 'drop') return;
        if (w.end) throw w.end;
        await new Promise<void>((resolve) => (w.wake = resolve));
      }
    } finally {
      this.watches.delete(w);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private write(type: 'ADDED' | 'MODIFIED', obj: T): T {
    const stored = this.stamp(obj);
    this.objects.set(objectKey(stored), stored);
    this.emit({ type, object: stored, resourceVersion: this.resourceVersion() });
    return structuredClone(stored);
  }

  private stamp(obj: T): T {
    const copy = structuredClone(obj);
    copy.metadata = { ...copy.metadata, resourceVersion: String(++this.rv) };
    return copy;
  }

  private emit(event: WatchEvent<T>): void {
    this.history.push({ rv: this.rv, event });
    for (const w of this.watches) this.push(w, event);
  }

  private push(w: OpenWatch<T>, event: WatchEvent<T>): void {
    if (w.end) return;
    w.queue.push(event);
    w.wake?.();
  }

  private end(w: OpenWatch<T>, how: 'drop' | ApiError): void {
    w.end ??= how;
    w.wake?.();
  }
}
