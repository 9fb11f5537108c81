import { randomInt } from 'node:crypto';
import { AlreadyExistsError, NotFoundError, PreconditionFailedError, type EtcdStore } from '@ekslab/storage';
import { timestamp } from '../rest/objects.js';

/** The object holding a value: a Service, by namespace, name and uid. */
export interface AllocationOwner {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * One allocated value in etcd, shaped like networking.k8s.io/v1 IPAddress: the key's last segment is the
 * value, `spec.parentRef` names the owner. Only the apiserver reads these keys.
 */
export interface AllocationRecord {
  apiVersion: 'ekslab.io/v1';
  kind: string;
  metadata: { name: string; creationTimestamp: string; resourceVersion?: string };
  spec: { parentRef: { group: ''; resource: 'services' } & AllocationOwner };
  [field: string]: unknown;
}

/** The value is held by something else (ipallocator.ErrAllocated / portallocator.ErrAllocated). */
export class AlreadyAllocatedError extends Error {
  override readonly name = 'AlreadyAllocatedError';
  readonly retryable = false;
}
/** No free value is left (ErrFull: `range is full`). */
export class RangeFullError extends Error {
  override readonly name = 'RangeFullError';
  readonly retryable = false;
  constructor() {
    super('range is full');
  }
}
/** The value lies outside what the allocator hands out; the message is the allocator's ErrNotInRange. */
export class NotInRangeError extends Error {
  override readonly name = 'NotInRangeError';
  readonly retryable = false;
}

export interface EtcdAllocatorOptions {
  readonly store: EtcdStore;
  /** Relative key prefix ending in `/`, e.g. `/ekslab/ipallocations/`. */
  readonly prefix: string;
  /** `kind` written into records (`IPAddress`, `NodePort`). */
  readonly kind: string;
  /** How many values the range has; values are addressed by index 0…size-1. */
  readonly size: number;
  readonly valueAt: (index: number) => string;
  /** The index of a value, or undefined when it is not in the range. */
  readonly indexOf: (value: string) => number | undefined;
  /** Error for a requested value outside the range. */
  readonly notInRange: (value: string) => NotInRangeError;
  /** Dynamic allocation prefers indexes ≥ offset (KEP-3070's static band below). */
  readonly offset: number;
  /** Indexes dynamic allocation never picks (still allocatable on request). */
  readonly reserved?: ReadonlySet<number>;
  /** Random probes before falling back to a full scan; default 8. */
  readonly probes?: number;
  readonly now?: () => number;
}

export interface AllocateOptions {
  readonly dryRun?: boolean;
  readonly signal: AbortSignal;
}

/**
 * A range allocator whose state is in etcd, one key per allocated value, so every apiserver replica sees
 * the same allocations and two replicas can never hand out the same value: a value is taken only by a
 * create-if-absent (etcd txn on create_revision = 0), which exactly one racer wins.
 *
 * Dynamic allocation probes a few random indexes of the preferred (upper) band, then lists what is taken
 * and tries the free indexes from a random starting point, upper band first, as the bitmap allocator's
 * random-scan-with-offset does; `RangeFullError` when nothing is free. Not guaranteed: a crash between
 * allocating and writing the owner leaks the value until {@link repairServiceAllocations} reclaims it.
 */
export class EtcdAllocator {
  constructor(private readonly opts: EtcdAllocatorOptions) {}

  private key(value: string): string {
    return `${this.opts.prefix}${value}`;
  }

  private record(value: string, owner: AllocationOwner): AllocationRecord {
    return {
      apiVersion: 'ekslab.io/v1', kind: this.opts.kind,
      metadata: { name: value, creationTimestamp: timestamp((this.opts.now ?? Date.now)()) },
      spec: { parentRef: { group: '', resource: 'services', namespace: owner.namespace, name: owner.name, uid: owner.uid } },
    };
  }

  /** Takes `value` for `owner`; succeeds again if the owner already holds it (a retried create). */
  async allocate(value: string, owner: AllocationOwner, opts: AllocateOptions): Promise<void> {
    if (this.opts.indexOf(value) === undefined) throw this.opts.notInRange(value);
    if (opts.dryRun) {
      const holder = await this.holder(value, opts.signal);
      if (holder && holder.uid !== owner.uid) throw new AlreadyAllocatedError(this.alreadyMessage());
      return;
    }
    if (!(await this.tryCreate(value, owner, opts.signal))) throw new AlreadyAllocatedError(this.alreadyMessage());
  }

  private alreadyMessage(): string {
    return this.opts.kind === 'IPAddress' ? 'provided IP is already allocated' : 'provided port is already allocated';
  }

  /** Takes any free value for `owner` and returns it; with dryRun only finds one. */
  async allocateNext(owner: AllocationOwner, opts: AllocateOptions): Promise<string> {
    const { size, offset } = this.opts;
    const reserved = this.opts.reserved ?? new Set<number>();
    const upper: [number, number] = offset < size ? [offset, size] : [0, size];
    const lower: [number, number] = offset < size ? [0, offset] : [0, 0];
    if (!opts.dryRun) {
      for (let i = 0; i < (this.opts.probes ?? 8) && upper[1] > upper[0]; i++) {
        const index = upper[0] + randomInt(upper[1] - upper[0]);
        if (reserved.has(index)) continue;
        if (await this.tryCreate(this.opts.valueAt(index), owner, opts.signal)) return this.opts.valueAt(index);
      }
    }
    const taken = await this.taken(opts.signal);
    for (const [from, to] of [upper, lower]) {
      const span = to - from;
      if (span <= 0) continue;
      const start = randomInt(span);
      for (let k = 0; k < span; k++) {
        const index = from + ((start + k) % span);
        const value = this.opts.valueAt(index);
        if (reserved.has(index) || taken.has(value)) continue;
        if (opts.dryRun || (await this.tryCreate(value, owner, opts.signal))) return value;
      }
    }
    throw new RangeFullError();
  }

  /**
   * Frees `value` if `owner` holds it: the record is deleted at the revision it was read at, so a value
   * someone else took meanwhile is never freed. A value that is not held is fine.
   */
  async release(value: string, owner: AllocationOwner, signal: AbortSignal): Promise<void> {
    for (;;) {
      let rec: AllocationRecord;
      try {
        rec = await this.opts.store.get<AllocationRecord>(this.key(value), { signal });
      } catch (err) {
        if (err instanceof NotFoundError) return;
        throw err;
      }
      if (rec.spec.parentRef.uid !== owner.uid) return;
      try {
        await this.opts.store.delete(this.key(value), { preconditions: { resourceVersion: rec.metadata.resourceVersion! }, signal });
        return;
      } catch (err) {
        if (err instanceof NotFoundError) return;
        if (!(err instanceof PreconditionFailedError)) throw err;
      }
    }
  }

  /** Every record, for repair and tests. */
  async list(signal: AbortSignal): Promise<AllocationRecord[]> {
    return (await this.opts.store.list<AllocationRecord>(this.opts.prefix, { signal })).items;
  }

  /** Deletes a record at the revision it was read at (repair); false when it changed meanwhile. */
  async remove(rec: AllocationRecord, signal: AbortSignal): Promise<boolean> {
    try {
      await this.opts.store.delete(this.key(rec.metadata.name), { preconditions: { resourceVersion: rec.metadata.resourceVersion! }, signal });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof PreconditionFailedError) return false;
      throw err;
    }
  }

  /** Records an allocation that exists only in a Service (repair after an upgrade); false if already held. */
  adopt(value: string, owner: AllocationOwner, signal: AbortSignal): Promise<boolean> {
    return this.tryCreate(value, owner, signal);
  }

  inRange(value: string): boolean {
    return this.opts.indexOf(value) !== undefined;
  }

  private async holder(value: string, signal: AbortSignal): Promise<AllocationOwner | undefined> {
    try {
      return (await this.opts.store.get<AllocationRecord>(this.key(value), { signal })).spec.parentRef;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private async taken(signal: AbortSignal): Promise<Set<string>> {
    return new Set((await this.list(signal)).map((r) => r.metadata.name));
  }

  /** Create-if-absent; true when `owner` holds the value afterwards. */
  private async tryCreate(value: string, owner: AllocationOwner, signal: AbortSignal): Promise<boolean> {
    try {
      await this.opts.store.create(this.key(value), this.record(value, owner), { signal });
      return true;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return (await this.holder(value, signal))?.uid === owner.uid;
    }
  }
}
