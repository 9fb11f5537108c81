import { Range } from 'etcd3';
import type { Etcd3, IEvent, IWatchResponse } from 'etcd3';
import { stampResourceVersion } from './codec.js';
import type { ValueCodec } from './codec.js';
import { callEtcd, toStorageError } from './etcd-call.js';
import { StorageUnavailableError, TooOldResourceVersionError, UnexpectedStorageError } from './errors.js';
import type { StoredObject } from './types.js';

export interface WatchOptions {
  /**
   * Deliver every change with a revision *after* this one (Kubernetes' watch resourceVersion). Unset or "0":
   * only changes from now on, with no initial state (list first, then watch from the list's revision).
   */
  fromRevision?: string;
  /**
   * Ask etcd for progress notifications, delivered as BOOKMARK events; default true. etcd sends them to an
   * idle, caught-up watch every `--experimental-watch-progress-notify-interval` (10 min by default), and
   * on demand via {@link StorageWatch.requestProgress}.
   */
  progressNotify?: boolean;
  /** Aborting ends the watch: the iterator rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED'; object: T; resourceVersion: string }
  /** `object` is the last state before deletion, with resourceVersion set to the deletion's revision. */
  | { type: 'DELETED'; object: T; resourceVersion: string }
  /** Every change up to and including `resourceVersion` has been delivered. */
  | { type: 'BOOKMARK'; resourceVersion: string };

/**
 * A watch on one etcd gRPC stream. Iterate it once; the iteration ends only by error:
 * TooOldResourceVersionError (start revision compacted: re-list), StorageUnavailableError (the stream
 * broke: re-watch from the last resourceVersion seen), or the signal's reason. Not guaranteed: that a
 * member cut off from its peers ends the watch promptly — without etcd's require-leader metadata (which
 * the etcd3 client cannot send) such a watch just goes quiet until gRPC keepalive drops the connection.
 */
export interface StorageWatch<T> extends AsyncIterable<WatchEvent<T>> {
  /** Asks etcd for a progress notification now (WatchProgressRequest); it arrives as a BOOKMARK once caught up. */
  requestProgress(): void;
  /** Ends the watch and releases the stream; a pending or later `next()` reports done. */
  close(): void;
}

export interface WatchTarget {
  key: string;
  prefix: boolean;
  display: string;
  codec: ValueCodec;
  timeoutMs: number;
}

type Stream = Awaited<ReturnType<Etcd3['watchClient']['watch']>> & { pause?(): void; resume?(): void };

const HIGH_WATER = 1_000;
const LOW_WATER = 100;

/** Opens a watch and resolves once etcd has confirmed it (bounded by `timeoutMs`). */
export async function openWatch<T extends StoredObject>(client: Etcd3, target: WatchTarget, opts: WatchOptions): Promise<StorageWatch<T>> {
  const fromRevision = opts.fromRevision && opts.fromRevision !== '0' ? opts.fromRevision : undefined;
  const ctx = { op: 'watch', key: target.display, ...(fromRevision ? { revision: fromRevision } : {}) };
  const stream: Stream = await callEtcd(ctx, target.timeoutMs, opts.signal, () => client.watchClient.watch());
  const watch = new EtcdWatch<T>(stream, target, fromRevision ?? '0', opts.signal);
  stream.write({
    create_request: {
      key: Buffer.from(target.key),
      ...(target.prefix ? { range_end: Range.prefix(target.key).end } : {}),
      ...(fromRevision ? { start_revision: (BigInt(fromRevision) + 1n).toString() } : {}),
      prev_kv: true,
      progress_notify: opts.progressNotify ?? true,
    },
  });
  await callEtcd(ctx, target.timeoutMs, opts.signal, () => watch.created).catch((err: unknown) => {
    watch.close();
    throw err;
  });
  return watch;
}

class EtcdWatch<T extends StoredObject> implements StorageWatch<T> {
  readonly created: Promise<void>;
  private readonly queue: WatchEvent<T>[] = [];
  private failure: Error | undefined;
  private closed = false;
  private released = false;
  private wake: (() => void) | undefined;
  private resolveCreated!: () => void;
  private rejectCreated!: (err: Error) => void;

  constructor(
    private readonly stream: Stream,
    private readonly target: WatchTarget,
    private readonly fromRevision: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.created = new Promise<void>((resolve, reject) => {
      this.resolveCreated = resolve;
      this.rejectCreated = reject;
    });
    this.created.catch(() => undefined);
    stream.on('data', (res) => this.onResponse(res));
    stream.on('error', (err) => this.fail(toStorageError(err, { op: 'watch', key: target.display })));
    stream.on('end', () => this.fail(new StorageUnavailableError(`etcd ended the watch stream for ${target.display}`)));
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  requestProgress(): void {
    if (!this.closed && !this.failure) this.stream.write({ progress_request: {} });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.release();
    this.wakeUp();
  }

  /**
   * Ends the stream by half-closing it, so etcd closes it with status OK. Cancelling it instead would make
   * etcd3 count a CANCELLED error against the member and reset every channel to it, failing other calls
   * in flight. A stream etcd does not end within 5 s (a member cut off) is cancelled after all.
   */
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.stream.end();
    setTimeout(() => this.stream.cancel(), 5_000).unref();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    try {
      for (;;) {
        const event = this.queue.shift();
        if (event) {
          if (this.queue.length === LOW_WATER) this.stream.resume?.();
          yield event;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.close();
    }
  }

  private readonly onAbort = (): void => {
    this.queue.length = 0;
    this.fail(this.signal?.reason as Error);
    this.close();
  };

  private onResponse(res: IWatchResponse): void {
    if (res.compact_revision && res.compact_revision !== '0') {
      this.fail(new TooOldResourceVersionError(this.fromRevision, res.compact_revision));
      return;
    }
    if (res.canceled) {
      this.fail(toStorageError(new Error(res.cancel_reason || 'watch canceled by etcd'), { op: 'watch', key: this.target.display }));
      return;
    }
    if (res.created) {
      this.resolveCreated();
      return;
    }
    try {
      if (res.events.length === 0) this.push({ type: 'BOOKMARK', resourceVersion: res.header.revision });
      for (const e of res.events) this.push(this.toEvent(e));
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private toEvent(e: IEvent): WatchEvent<T> {
    const revision = e.kv.mod_revision;
    const key = e.kv.key.toString('utf8');
    if (e.type === 'Delete') {
      if (!e.prev_kv) throw new UnexpectedStorageError(`etcd sent a delete of ${key} without its previous value`);
      return { type: 'DELETED', object: this.decode(e.prev_kv.value, key, revision), resourceVersion: revision };
    }
    const type = e.kv.create_revision === e.kv.mod_revision ? 'ADDED' : 'MODIFIED';
    return { type, object: this.decode(e.kv.value, key, revision), resourceVersion: revision };
  }

  private decode(value: Buffer, key: string, revision: string): T {
    return stampResourceVersion(this.target.codec.decode(value, key) as T, revision);
  }

  private push(event: WatchEvent<T>): void {
    if (this.closed || this.failure) return;
    this.queue.push(event);
    if (this.queue.length === HIGH_WATER) this.stream.pause?.();
    this.wakeUp();
  }

  private fail(err: Error): void {
    if (this.closed || this.failure) return;
    this.failure = err;
    this.rejectCreated(err);
    this.release();
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
