// Multi-key optimistic transactions on etcd: every EC2 operation that touches more than one record (an
// ENI and its subnet's address chunks, an instance and its ENIs) commits all of them at once, so two
// replicas never hand out the same address and a replica that dies mid-call leaves either all or none.
import type { CloudEventInput } from '@ekslab/cloud-events';
import { jsonCodec, type EtcdStore, type StoredObject } from '@ekslab/storage';
import { randomBytes } from 'node:crypto';
import { CloudApiError, type EventSink } from '../ports.js';

/** One attempt's view: reads at a single etcd revision, writes buffered until commit. */
export interface Tx {
  /** The record at `key` (relative to the store prefix) as of this attempt's snapshot, or undefined. */
  get<T extends StoredObject>(key: string): Promise<T | undefined>;
  put(key: string, value: StoredObject): void;
  delete(key: string): void;
  /**
   * Announces a state change: the event is stored in the outbox with the transaction's writes (so it
   * exists if and only if the change does) and published after the commit; see {@link drainOutbox}.
   */
  emit(event: CloudEventInput): void;
}

/** An event waiting in etcd to be published: `/ec2/outbox/<ms>-<random>`. */
export interface OutboxRecord extends StoredObject {
  /** Stable across retries: the `Nats-Msg-Id` when the sink supports one, so a repeat is dropped. */
  readonly id: string;
  readonly createdAt: number;
  readonly event: CloudEventInput;
}

const OUTBOX = '/ec2/outbox/';

interface Read {
  readonly modRevision: string;
  readonly value: StoredObject | undefined;
}

class SnapshotCompacted extends Error {
  override readonly name = 'SnapshotCompacted';
}

/** etcd's default `--max-txn-ops`; a transaction needs one compare per read and one op per write. */
const MAX_TXN_OPS = 128;

/**
 * Runs `fn` against a snapshot and commits its writes only if nothing it read has changed since
 * (compare on every read key's mod revision, or on absence); otherwise runs it again from a fresh snapshot.
 * `fn` must be free of side effects besides the Tx: it may run several times. What it throws (e.g. a
 * CloudApiError) ends the transaction with nothing written. etcd failures become CloudApiError
 * `ServiceUnavailable` (retryable). Events `fn` emits are committed to the outbox with its writes and
 * published to `sink` after the commit; a failed publish does not fail the call (the drainer delivers
 * it later). Hazard, as with every etcd client: a commit whose answer was lost (timeout, connection
 * reset) may still have been applied; it is reported as failed.
 */
export async function transact<R>(store: EtcdStore, signal: AbortSignal, fn: (tx: Tx) => R | Promise<R>, sink?: EventSink): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    const reads = new Map<string, Read>();
    const writes = new Map<string, StoredObject | null>();
    const emitted: Array<{ key: string; record: OutboxRecord }> = [];
    let revision: string | undefined;
    const tx: Tx = {
      get: async <T extends StoredObject>(key: string): Promise<T | undefined> => {
        const w = writes.get(key);
        if (w !== undefined) return (w ?? undefined) as T | undefined;
        const cached = reads.get(key);
        if (cached) return cached.value ? (structuredClone(cached.value) as T) : undefined;
        const res = await etcd(store, signal, (o) => store.client.kv.range({ key: full(store, key), ...(revision ? { revision } : {}) }, o)).catch((err: unknown) => {
          // The snapshot revision was compacted away between two reads: start over from a fresh one.
          if (revision && /compacted/.test(String((err as { cause?: unknown }).cause))) throw new SnapshotCompacted();
          throw err;
        });
        revision ??= String(res.header.revision);
        const kv = res.kvs[0];
        const value = kv ? (jsonCodec.decode(kv.value, key) as T) : undefined;
        reads.set(key, { modRevision: kv ? String(kv.mod_revision) : '0', value });
        return value ? structuredClone(value) : undefined;
      },
      put: (key, value) => void writes.set(key, value),
      delete: (key) => void writes.set(key, null),
      emit: (event) => {
        if (!sink) throw new CloudApiError('InternalError', 'transaction emits an event but has no sink');
        const now = Date.now();
        const id = `${now.toString(36)}-${randomBytes(8).toString('hex')}`;
        const key = `${OUTBOX}${String(now).padStart(15, '0')}-${id}`;
        const record: OutboxRecord = { id, createdAt: now, event };
        writes.set(key, record);
        emitted.push({ key, record });
      },
    };
    let result: R;
    try {
      result = await fn(tx);
    } catch (err) {
      if (err instanceof SnapshotCompacted) continue;
      throw err;
    }
    if (writes.size === 0) return result;
    if (reads.size + writes.size > MAX_TXN_OPS) throw new CloudApiError('InternalError', `transaction too large (${reads.size} reads, ${writes.size} writes)`);
    const compare = [...reads].map(([key, r]) =>
      r.value === undefined
        ? { key: full(store, key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }
        : { key: full(store, key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: r.modRevision },
    );
    const success = [...writes].map(([key, v]) =>
      v === null ? { request_delete_range: { key: full(store, key) } } : { request_put: { key: full(store, key), value: jsonCodec.encode(v) } },
    );
    const res = await etcd(store, signal, (o) => store.client.kv.txn({ compare, success, failure: [] }, o));
    if (res.succeeded) {
      for (const e of emitted) await deliver(store, sink!, e.key, e.record, signal).catch(() => undefined);
      return result;
    }
    // Lost a race: back off (full jitter, 5 ms doubling up to 200 ms) so many writers on one chunk do not livelock.
    await pause(Math.min(200, 5 * 2 ** Math.min(attempt, 6)) * Math.random(), signal);
  }
}

function full(store: EtcdStore, key: string): Buffer {
  if (!key.startsWith('/')) throw new CloudApiError('InternalError', `bad key ${key}`);
  return Buffer.from(store.prefix === '/' ? key : store.prefix + key);
}

async function etcd<T>(store: EtcdStore, signal: AbortSignal, rpc: (o: { deadline: number }) => Promise<T>): Promise<T> {
  signal.throwIfAborted();
  try {
    return await rpc({ deadline: Date.now() + store.requestTimeoutMs });
  } catch (err) {
    signal.throwIfAborted();
    throw new CloudApiError('ServiceUnavailable', 'The service is unavailable. Please try again shortly.', true, { cause: err });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Every record under `prefix` (relative, ending in `/`), at one revision. */
export async function listAll<T extends StoredObject>(store: EtcdStore, prefix: string, signal: AbortSignal): Promise<T[]> {
  try {
    return (await store.list<T>(prefix, { signal })).items;
  } catch (err) {
    signal.throwIfAborted();
    throw new CloudApiError('ServiceUnavailable', 'The service is unavailable. Please try again shortly.', true, { cause: err });
  }
}

/** A sink that can take a caller-chosen message id (the JetStream sink's `publishWithId`). */
interface IdempotentSink extends EventSink {
  publishWithId(event: CloudEventInput, msgId: string, signal?: AbortSignal): Promise<unknown>;
}
const hasIds = (s: EventSink): s is IdempotentSink => typeof (s as Partial<IdempotentSink>).publishWithId === 'function';

/** Publishes one outbox record, then removes it. A failure leaves it for {@link drainOutbox}. */
async function deliver(store: EtcdStore, sink: EventSink, key: string, record: OutboxRecord, signal: AbortSignal): Promise<void> {
  if (hasIds(sink)) await sink.publishWithId(record.event, `ec2-${record.id}`, signal);
  else await sink.publish(record.event, signal);
  await etcd(store, signal, (o) => store.client.kv.deleteRange({ key: full(store, key) }, o));
}

/**
 * Publishes outbox records older than `minAgeMs` (those whose own call could not publish them: NATS was
 * down, or the replica died after the commit), oldest first, and removes them. Delivery is at least
 * once; with a sink that takes message ids (JetStream), a repeat within the stream's duplicate window
 * is dropped. Returns how many were delivered; stops at the first failure (order is kept).
 */
export async function drainOutbox(store: EtcdStore, sink: EventSink, minAgeMs: number, signal: AbortSignal): Promise<number> {
  const due = (await listAll<OutboxRecord>(store, OUTBOX, signal)).filter((r) => r.createdAt <= Date.now() - minAgeMs);
  let n = 0;
  for (const r of due) {
    await deliver(store, sink, `${OUTBOX}${String(r.createdAt).padStart(15, '0')}-${r.id}`, r, signal);
    n++;
  }
  return n;
}
