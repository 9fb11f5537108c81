import { Status } from '@ekslab/proto';
import { ApiError, isNotFound } from './errors.js';
import type { ResourceClient } from './resource-client.js';
import type { KubeObject } from './types.js';

/** coordination.k8s.io/v1 LeaseSpec, as client-go's leaselock writes it. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime, e.g. "2006-01-02T15:04:05.000000Z". */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A coordination.k8s.io/v1 Lease. */
export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export const LEASES_GVR = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;

/** Formats epoch ms as a Kubernetes MicroTime (RFC 3339, 6 fractional digits, UTC). */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Where a LeaderElector keeps its Lease: get/create/update with optimistic concurrency.
 * `update` must fail with a 409 Conflict ApiError when the lease's metadata.resourceVersion is
 * stale, and `create` with 409 AlreadyExists when it exists.
 */
export interface LeaseStore {
  /** The lease, or undefined if it does not exist. */
  get(signal: AbortSignal): Promise<Lease | undefined>;
  create(lease: Lease, signal: AbortSignal): Promise<Lease>;
  update(lease: Lease, signal: AbortSignal): Promise<Lease>;
  /** `namespace/name`, for logs. */
  describe(): string;
  /** The Lease object to create when none exists (name and namespace set). */
  template(): Lease;
}

/** A LeaseStore on the apiserver, through a ResourceClient for coordination.k8s.io/v1 leases. */
export class ResourceLeaseStore implements LeaseStore {
  constructor(
    private readonly client: ResourceClient<Lease>,
    readonly namespace: string,
    readonly name: string,
  ) {}

  async get(signal: AbortSignal): Promise<Lease | undefined> {
    try {
      return await this.client.get(this.name, { signal, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  create(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.client.create(lease, { signal, namespace: this.namespace });
  }

  update(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.client.update(lease, { signal, namespace: this.namespace });
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  template(): Lease {
    return leaseTemplate(this.namespace, this.name);
  }
}

function leaseTemplate(namespace: string, name: string): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } };
}

function failure(code: number, reason: string, message: string): ApiError {
  return new ApiError(Status.create({ status: 'Failure', code, reason, message }));
}

/** The state several MemoryLeaseStore views share (one "apiserver"). */
interface MemoryLeaseState {
  lease: Lease | undefined;
  revision: number;
}

/**
 * An in-memory LeaseStore for tests, with the apiserver's compare-and-swap on resourceVersion.
 * `connect()` gives another view of the same lease (one per candidate); setting a view's
 * `unavailable` makes its calls fail with 503, as if that candidate were partitioned away.
 */
export class MemoryLeaseStore implements LeaseStore {
  unavailable = false;

  constructor(
    readonly namespace = 'kube-system',
    readonly name = 'lease',
    private readonly state: MemoryLeaseState = { lease: undefined, revision: 0 },
  ) {}

  connect(): MemoryLeaseStore {
    return new MemoryLeaseStore(this.namespace, this.name, this.state);
  }

  /** The stored lease as it is now (a copy). */
  current(): Lease | undefined {
    return this.state.lease && structuredClone(this.state.lease);
  }

  get(signal: AbortSignal): Promise<Lease | undefined> {
    return this.op(signal, () => this.current());
  }

  create(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.op(signal, () => {
      if (this.state.lease) throw failure(409, 'AlreadyExists', `leases "${this.name}" already exists`);
      return this.store(lease);
    });
  }

  update(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.op(signal, () => {
      const stored = this.state.lease;
      if (!stored) throw failure(404, 'NotFound', `leases "${this.name}" not found`);
      if (lease.metadata.resourceVersion !== stored.metadata.resourceVersion) {
        throw failure(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version');
      }
      return this.store(lease);
    });
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  template(): Lease {
    return leaseTemplate(this.namespace, this.name);
  }

  private store(lease: Lease): Lease {
    const stored = structuredClone(lease);
    stored.metadata = { ...stored.metadata, name: this.name, namespace: this.namespace, resourceVersion: String(++this.state.revision) };
    this.state.lease = stored;
    return structuredClone(stored);
  }

  private op<R>(signal: AbortSignal, fn: () => R): Promise<R> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.unavailable) return Promise.reject(failure(503, 'ServiceUnavailable', 'lease store unavailable'));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
