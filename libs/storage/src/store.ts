import { circuitBreaker, ConsecutiveBreaker, handleWhen, retry } from 'cockatiel';
import { Etcd3, GRPCCancelledError, isRecoverableError, Range } from 'etcd3';
import type { IKeyValue } from 'etcd3';
import { jsonCodec, stampResourceVersion, withResourceVersion } from './codec.js';
import type { ValueCodec } from './codec.js';
import { decodeContinueToken, encodeContinueToken } from './continue-token.js';
import { callEtcd } from './etcd-call.js';
import type { CallOptions } from './etcd-call.js';
import { AlreadyExistsError, ConflictError, InvalidContinueTokenError, InvalidObjectError, NotFoundError, PreconditionFailedError, TooOldResourceVersionError } from './errors.js';
import { absoluteKey, DEFAULT_PREFIX } from './keys.js';
import type { StoredObject } from './types.js';
import { openWatch } from './watch.js';
import type { StorageWatch, WatchOptions } from './watch.js';

export interface EtcdStoreOptions {
  /** etcd client URLs; the store creates a client with {@link createEtcdClient} and closes it in `close()`. */
  endpoints?: string[];
  /** Or a client the caller owns (and closes). One of `endpoints` / `client` is required. */
  client?: Etcd3;
  /** Key prefix; default `/registry`. No trailing slash. */
  prefix?: string;
  /**
   * Upper bound for every single etcd call, including etcd3's internal retries; default 5000 ms. When the
   * cluster has lost quorum a call fails with StorageUnavailableError after at most this long.
   */
  requestTimeoutMs?: number;
  codec?: ValueCodec;
}

export interface CallOpts {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOpts {
  /** Page size; 0 or unset means everything. etcd may be asked for more than it returns. */
  limit?: number;
  /** Token from the previous page; the page is read at that page's revision. Excludes `resourceVersion`. */
  continue?: string;
  /** Read at exactly this revision (Kubernetes' resourceVersionMatch=Exact); unset or "0" means latest. */
  resourceVersion?: string;
}

export interface ListResult<T> {
  items: T[];
  /** Revision the whole list (every page) was read at. */
  resourceVersion: string;
  /** Set when more items follow. */
  continue?: string;
  /** Items after this page, as counted at the snapshot revision; set with `continue`. */
  remainingItemCount?: number;
}

export interface DeleteOptions extends CallOpts {
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * Errors that say something about the member: unavailable, timed out, reset. A call or watch the store
 * itself cancelled (a client went away, a watch was closed) says nothing about the member; etcd3's default
 * policies count those too, so a few closed watches would open the circuit breaker and fail every call to
 * a healthy member for 5 s — and they would retry a cancelled call, which must never be retried.
 */
const memberFault = (err: Error): boolean => isRecoverableError(err) && !(err instanceof GRPCCancelledError);

/**
 * Creates an etcd3 client tuned for the store: HTTP/2 keepalive so a frozen member is noticed in ~15 s,
 * no cap on response size,
 * a per-member circuit breaker (3 consecutive member faults, half-open after 5 s) and up to 3 attempts
 * across members, both counting only member faults.
 */
export function createEtcdClient(endpoints: string[], dialTimeoutMs = 5_000): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: dialTimeoutMs,
    // Responses as large as etcd sends them (kube-apiserver's etcd client: MaxCallRecvMsgSize = MaxInt32);
    // grpc-js's 4 MiB default fails an unpaginated list of a few thousand pods.
    grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000, 'grpc.max_receive_message_length': 2 ** 31 - 1 },
    faultHandling: {
      host: () => circuitBreaker(handleWhen(memberFault), { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(3) }),
      global: retry(handleWhen(memberFault), { maxAttempts: 3 }),
    },
  });
}

/**
 * Kubernetes-shaped object storage on etcd. Keys passed in are relative to the prefix (see `keyFor`);
 * every object returned carries `metadata.resourceVersion` = its etcd mod revision, which is never stored.
 * Reads are linearizable. Not guaranteed: exactly-once writes — etcd3 retries a call that failed on a
 * connection, so after an unavailability a create may report AlreadyExists for its own earlier attempt.
 */
export class EtcdStore {
  readonly prefix: string;
  readonly requestTimeoutMs: number;
  /** The underlying client, for tests and benchmarks that need raw etcd. Writes through it bypass the codec. */
  readonly client: Etcd3;
  private readonly codec: ValueCodec;
  private readonly ownsClient: boolean;

  constructor(options: EtcdStoreOptions) {
    if (!options.client && !options.endpoints?.length) throw new InvalidObjectError('EtcdStore needs endpoints or a client');
    this.client = options.client ?? createEtcdClient(options.endpoints ?? []);
    this.ownsClient = !options.client;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    absoluteKey(this.prefix, '/');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.codec = options.codec ?? jsonCodec;
  }

  /** Stores a new object; AlreadyExistsError if the key exists. The object must not carry a resourceVersion. */
  async create<T extends StoredObject>(key: string, object: T, opts: CallOpts = {}): Promise<T> {
    const full = absoluteKey(this.prefix, key);
    if (object.metadata?.resourceVersion) throw new InvalidObjectError('resourceVersion should not be set on objects to be created');
    const value = this.codec.encode(object);
    const res = await this.call('create', key, opts, undefined, (o) =>
      this.client.kv.txn({ compare: [{ key: Buffer.from(full), target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key: Buffer.from(full), value } }], failure: [] }, o),
    );
    if (!res.succeeded) throw new AlreadyExistsError(key);
    return withResourceVersion(object, res.header.revision);
  }

  /** The object at `key` (a linearizable read); NotFoundError if absent. */
  async get<T extends StoredObject = StoredObject>(key: string, opts: CallOpts = {}): Promise<T> {
    const full = absoluteKey(this.prefix, key);
    const res = await this.call('get', key, opts, undefined, (o) => this.client.kv.range({ key: Buffer.from(full) }, o));
    const kv = res.kvs[0];
    if (!kv) throw new NotFoundError(key);
    return this.decode<T>(kv);
  }

  /**
   * Objects under `prefix` (relative, ending in `/`), in key order, one page at a time. Every page of one
   * listing is read at the first page's revision, so writes between pages are not seen.
   * Compacted revision (resourceVersion or continue token): TooOldResourceVersionError (410 Expired).
   */
  async list<T extends StoredObject = StoredObject>(prefix: string, opts: ListOptions = {}): Promise<ListResult<T>> {
    if (!prefix.endsWith('/')) throw new InvalidObjectError(`list prefix ${JSON.stringify(prefix)} must end with /`);
    const base = absoluteKey(this.prefix, prefix.slice(0, -1)) + '/';
    let start = base;
    let revision: string | undefined;
    if (opts.continue) {
      if (opts.resourceVersion && opts.resourceVersion !== '0') throw new InvalidContinueTokenError('specifying resourceVersion is not allowed when using continue');
      const token = decodeContinueToken(opts.continue);
      start = base + token.start;
      revision = token.revision;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      if (!/^[1-9][0-9]*$/.test(opts.resourceVersion)) throw new InvalidObjectError(`invalid resourceVersion ${JSON.stringify(opts.resourceVersion)}`);
      revision = opts.resourceVersion;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const end = Range.prefix(base).end;
    const res = await this.call('list', prefix, opts, revision, (o) =>
      this.client.kv.range({ key: Buffer.from(start), range_end: end, limit, ...(revision ? { revision } : {}) }, o),
    ).catch((err: unknown) => {
      if (err instanceof TooOldResourceVersionError && opts.continue) {
        throw new TooOldResourceVersionError(err.resourceVersion, undefined, { cause: new Error('the provided continue parameter is too old to display a consistent list result; start a new list without continue') });
      }
      throw err;
    });
    const snapshot = revision ?? res.header.revision;
    const items = res.kvs.map((kv) => this.decode<T>(kv));
    const result: ListResult<T> = { items, resourceVersion: snapshot };
    const last = res.kvs.at(-1);
    if (res.more && last) {
      result.continue = encodeContinueToken({ revision: snapshot, start: `${last.key.toString('utf8').slice(base.length)}\0` });
      result.remainingItemCount = Number(res.count) - res.kvs.length;
    }
    return result;
  }

  /**
   * Replaces the object if `object.metadata.resourceVersion` still is the key's mod revision (compare-and-swap);
   * ConflictError if someone wrote first, NotFoundError if it was deleted. Returns the object with its new revision.
   */
  async update<T extends StoredObject>(key: string, object: T, opts: CallOpts = {}): Promise<T> {
    const full = absoluteKey(this.prefix, key);
    const expected = object.metadata?.resourceVersion;
    if (!expected || !/^[1-9][0-9]*$/.test(expected)) throw new InvalidObjectError('update needs metadata.resourceVersion from a previous read');
    const value = this.codec.encode(object);
    const res = await this.call('update', key, opts, undefined, (o) =>
      this.client.kv.txn({
        compare: [{ key: Buffer.from(full), target: 'Mod', result: 'Equal', mod_revision: expected }],
        success: [{ request_put: { key: Buffer.from(full), value } }],
        failure: [{ request_range: { key: Buffer.from(full) } }],
      }, o),
    );
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range.kvs[0];
      if (!current) throw new NotFoundError(key);
      throw new ConflictError(key, expected, current.mod_revision);
    }
    return withResourceVersion(object, res.header.revision);
  }

  /**
   * Read-modify-write until it sticks: reads the object, applies `tryUpdate`, writes with CAS, and on
   * Conflict starts over from a fresh read. An unchanged result is returned without a write. Runs until
   * it succeeds, `tryUpdate` throws, or `signal` aborts: there is no attempt limit.
   */
  async guaranteedUpdate<T extends StoredObject>(key: string, tryUpdate: (current: T) => T | Promise<T>, opts: CallOpts = {}): Promise<T> {
    for (;;) {
      const current = await this.get<T>(key, opts);
      const next = await tryUpdate(structuredClone(current));
      if (this.codec.encode(next).equals(this.codec.encode(current))) return current;
      try {
        return await this.update(key, withResourceVersion(next, current.metadata!.resourceVersion!), opts);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }

  /**
   * Deletes the object and returns it as it was (its resourceVersion is its last mod revision). With
   * preconditions, checks uid / resourceVersion against the current object (PreconditionFailedError) and
   * deletes only that revision, re-reading if it changed meanwhile. NotFoundError if absent.
   */
  async delete<T extends StoredObject = StoredObject>(key: string, opts: DeleteOptions = {}): Promise<T> {
    const full = absoluteKey(this.prefix, key);
    for (;;) {
      const current = await this.get<T>(key, opts);
      const { uid, resourceVersion } = opts.preconditions ?? {};
      if (uid !== undefined && current.metadata?.uid !== uid) throw new PreconditionFailedError(key, 'uid', uid, current.metadata?.uid);
      const rev = current.metadata!.resourceVersion!;
      if (resourceVersion !== undefined && rev !== resourceVersion) throw new PreconditionFailedError(key, 'resourceVersion', resourceVersion, rev);
      const res = await this.call('delete', key, opts, undefined, (o) =>
        this.client.kv.txn({
          compare: [{ key: Buffer.from(full), target: 'Mod', result: 'Equal', mod_revision: rev }],
          success: [{ request_delete_range: { key: Buffer.from(full), prev_kv: true } }],
          failure: [],
        }, o),
      );
      const prev = res.succeeded ? res.responses[0]?.response_delete_range.prev_kvs[0] : undefined;
      if (prev) return this.decode<T>(prev);
    }
  }

  /** Watches one key, or every key under a prefix ending in `/`; see {@link openWatch}. */
  watch<T extends StoredObject = StoredObject>(keyOrPrefix: string, opts: WatchOptions = {}): Promise<StorageWatch<T>> {
    const full = keyOrPrefix.endsWith('/') ? absoluteKey(this.prefix, keyOrPrefix.slice(0, -1)) + '/' : absoluteKey(this.prefix, keyOrPrefix);
    return openWatch<T>(this.client, { key: full, prefix: keyOrPrefix.endsWith('/'), display: keyOrPrefix, codec: this.codec, timeoutMs: this.requestTimeoutMs }, opts);
  }

  /** The cluster's current revision (a linearizable read). */
  async currentRevision(opts: CallOpts = {}): Promise<string> {
    const key = Buffer.from(absoluteKey(this.prefix, '/'));
    const res = await this.call('revision', '/', opts, undefined, (o) => this.client.kv.range({ key, count_only: true }, o));
    return res.header.revision;
  }

  /**
   * Discards history before `revision` (physical: waits until etcd has done it). Afterwards reads and watches
   * at older revisions fail with TooOldResourceVersionError. The apiserver runs this periodically, as Kubernetes does.
   */
  async compact(revision: string, opts: CallOpts = {}): Promise<void> {
    await this.call('compact', '/', opts, revision, (o) => this.client.kv.compact({ revision, physical: true }, o));
  }

  /** Closes the client if the store created it. Open watches end. */
  close(): void {
    if (this.ownsClient) this.client.close();
  }

  private call<R>(op: string, key: string, opts: CallOpts, revision: string | undefined, rpc: (o: CallOptions) => Promise<R>): Promise<R> {
    return callEtcd({ op, key, ...(revision ? { revision } : {}) }, this.requestTimeoutMs, opts.signal, rpc);
  }

  private decode<T extends StoredObject>(kv: IKeyValue): T {
    const key = kv.key.toString('utf8');
    return stampResourceVersion(this.codec.decode(kv.value, key) as T, kv.mod_revision);
  }
}
