// Multi-key optimistic transactions on etcd: every EC2 operation that touches more than one record (an
// ENI and its subnet's address chunks, an instance and its ENIs) commits all of them at once, so two
// replicas never hand out the same address and a replica that dies mid-call leaves either all or none.
import { jsonCodec, type EtcdStore, type StoredObject } from '@ekslab/storage';
import { CloudApiError } from '../ports.js';

/** One attempt's view: reads at a single etcd revision, writes buffered until commit. */
export interface Tx {
  /** The record at `key` (relative to the store prefix) as of this attempt's snapshot, or undefined. */
  get<T extends StoredObject>(key: string): Promise<T | undefined>;
  put(key: string, value: StoredObject): void;
  delete(key: string): void;
}

interface Read {
  readonly modRevision: string;
  readonly value: StoredObject | undefined;
}

/** etcd's default `--max-txn-ops`; a transaction needs one compare per read and one op per write. */
const MAX_TXN_OPS = 128;

/**
 * Runs `fn` against a snapshot and commits its writes only if nothing it read has changed since
 * (compare on every read key's mod revision, or on absence); otherwise runs it again from a fresh snapshot.
 * `fn` must be free of side effects besides the Tx: it may run several times. What it throws (e.g. a
 * CloudApiError) ends the transaction with nothing written. etcd failures become CloudApiError
 * `ServiceUnavailable` (retryable). Hazard, as with every etcd client: a commit whose answer was lost
 * (timeout, connection reset) may still have been applied; it is reported as failed.
 */
export async function transact<R>(store: EtcdStore, signal: AbortSignal, fn: (tx: Tx) => R | Promise<R>): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    const reads = new Map<string, Read>();
    const writes = new Map<string, StoredObject | null>();
    let revision: string | undefined;
    const tx: Tx = {
      get: async <T extends StoredObject>(key: string): Promise<T | undefined> => {
        const w = writes.get(key);
        if (w !== undefined) return (w ?? undefined) as T | undefined;
        const cached = reads.get(key);
        if (cached) return cached.value ? (structuredClone(cached.value) as T) : undefined;
        const res = await etcd(store, signal, (o) => store.client.kv.range({ key: full(store, key), ...(revision ? { revision } : {}) }, o));
        revision ??= String(res.header.revision);
        const kv = res.kvs[0];
        const value = kv ? (jsonCodec.decode(kv.value, key) as T) : undefined;
        reads.set(key, { modRevision: kv ? String(kv.mod_revision) : '0', value });
        return value ? structuredClone(value) : undefined;
      },
      put: (key, value) => void writes.set(key, value),
      delete: (key) => void writes.set(key, null),
    };
    const result = await fn(tx);
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
    if (res.succeeded) return result;
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
