// ipamd's datastore: which pod holds which address, and which addresses are cooling down after a pod left.
import {
  IPS_PER_PREFIX,
  type CoolingAddress,
  type EniState,
  type InstanceLimits,
  type NodePoolState,
  type PodAssignment,
  type PoolConfig,
} from './types.js';

/** No free, non-cooling address on any ENI (ipamd's ErrNoAvailableIPInDataStore wording); the CNI turns this into `failed to assign an IP address to container`. */
export class NoAvailableAddressError extends Error {
  override readonly name = 'NoAvailableAddressError';
  /** Retryable: ipamd's reconcile loop may grow the pool. */
  readonly retryable = true;
  constructor() {
    super('AssignPodIPAddress: no available IP/Prefix addresses');
  }
}

/** The datastore refused to drop an ENI or address that is still in use. */
export class AddressInUseError extends Error {
  override readonly name = 'AddressInUseError';
  readonly retryable = false;
}

interface MutableEni {
  id: string;
  primary: boolean;
  attachedAt: number;
  ips: string[];
  prefixes: string[];
}

/**
 * Per-node bookkeeping. `assign`/`unassign` are idempotent by pod key (a retried AddNetwork gets the same
 * address back; a DelNetwork for an unknown pod is a no-op). Time is passed in, never read. Not thread-safe;
 * `snapshot()` is what `planPool` and a checkpoint consume, `restore` rebuilds from a checkpoint.
 */
export class IpamDatastore {
  private readonly enis: MutableEni[] = [];
  private readonly pods = new Map<string, PodAssignment>();
  private cooling: CoolingAddress[] = [];

  constructor(
    readonly limits: InstanceLimits,
    readonly config: PoolConfig,
  ) {}

  static restore(state: NodePoolState, config: PoolConfig): IpamDatastore {
    const ds = new IpamDatastore(state.limits, config);
    for (const eni of state.enis) ds.enis.push({ ...eni, ips: [...eni.ips], prefixes: [...eni.prefixes] });
    for (const a of state.assignments) ds.pods.set(a.podKey, a);
    ds.cooling = [...state.cooling];
    return ds;
  }

  snapshot(): NodePoolState {
    return {
      enis: this.enis.map((e): EniState => ({ ...e, ips: [...e.ips], prefixes: [...e.prefixes] })),
      assignments: [...this.pods.values()],
      cooling: [...this.cooling],
      limits: this.limits,
    };
  }

  /** Adds an attached ENI; the primary ENI is kept first whatever the order of calls. */
  addEni(eni: { id: string; primary: boolean; attachedAt: number }): void {
    if (this.enis.some((e) => e.id === eni.id)) return;
    const entry = { ...eni, ips: [], prefixes: [] };
    if (eni.primary) this.enis.unshift(entry);
    else this.enis.push(entry);
  }

  addIps(eniId: string, ips: readonly string[]): void {
    const eni = this.eni(eniId);
    for (const ip of ips) if (!eni.ips.includes(ip)) eni.ips.push(ip);
  }

  addPrefixes(eniId: string, prefixes: readonly string[]): void {
    const eni = this.eni(eniId);
    for (const p of prefixes) if (!eni.prefixes.includes(p)) eni.prefixes.push(p);
  }

  /** Drops released IPs; refuses one a pod holds (ipamd's non-forced `DelIPv4CidrFromStore`). */
  removeIps(eniId: string, ips: readonly string[]): void {
    const eni = this.eni(eniId);
    for (const ip of ips) {
      const held = [...this.pods.values()].some((a) => a.ip === ip);
      if (held) throw new AddressInUseError(`IP ${ip} is assigned to a pod`);
    }
    eni.ips = eni.ips.filter((ip) => !ips.includes(ip));
    this.cooling = this.cooling.filter((c) => !ips.includes(c.ip));
  }

  removePrefixes(eniId: string, prefixes: readonly string[]): void {
    const eni = this.eni(eniId);
    for (const p of prefixes) {
      if ([...this.pods.values()].some((a) => a.prefix === p)) throw new AddressInUseError(`prefix ${p} has pods`);
    }
    eni.prefixes = eni.prefixes.filter((p) => !prefixes.includes(p));
    this.cooling = this.cooling.filter((c) => c.prefix === undefined || !prefixes.includes(c.prefix));
  }

  removeEni(eniId: string): void {
    const eni = this.eni(eniId);
    if (eni.primary) throw new AddressInUseError(`ENI ${eniId} is the primary ENI`);
    if ([...this.pods.values()].some((a) => a.eni === eniId)) throw new AddressInUseError(`ENI ${eniId} has pods`);
    this.enis.splice(this.enis.indexOf(eni), 1);
    this.cooling = this.cooling.filter((c) => c.eni !== eniId);
  }

  /** The pod's address, assigning the first free, non-cooling one (primary ENI first) if it has none yet. */
  assign(podKey: string, now: number): PodAssignment {
    const existing = this.pods.get(podKey);
    if (existing) return existing;
    this.pruneCooling(now);
    const taken = new Set([...this.pods.values()].map((a) => a.ip));
    for (const c of this.cooling) taken.add(c.ip);
    for (const eni of this.enis) {
      const found = this.config.enablePrefixDelegation
        ? eni.prefixes.flatMap((prefix) => prefixIps(prefix).map((ip) => ({ ip, prefix })))
            .find((c) => !taken.has(c.ip))
        : eni.ips.filter((ip) => !taken.has(ip)).map((ip) => ({ ip, prefix: undefined }))[0];
      if (!found) continue;
      const assignment: PodAssignment =
        found.prefix === undefined
          ? { podKey, eni: eni.id, ip: found.ip }
          : { podKey, eni: eni.id, ip: found.ip, prefix: found.prefix };
      this.pods.set(podKey, assignment);
      return assignment;
    }
    throw new NoAvailableAddressError();
  }

  /** Frees the pod's address into cooldown; `undefined` if the pod held none (DelNetwork is idempotent). */
  unassign(podKey: string, now: number): PodAssignment | undefined {
    const a = this.pods.get(podKey);
    if (!a) return undefined;
    this.pods.delete(podKey);
    const cooling: CoolingAddress =
      a.prefix === undefined
        ? { eni: a.eni, ip: a.ip, releasedAt: now }
        : { eni: a.eni, ip: a.ip, prefix: a.prefix, releasedAt: now };
    this.cooling.push(cooling);
    return a;
  }

  get(podKey: string): PodAssignment | undefined {
    return this.pods.get(podKey);
  }

  private pruneCooling(now: number): void {
    this.cooling = this.cooling.filter((c) => now - c.releasedAt < this.config.ipCooldownMs);
  }

  private eni(id: string): MutableEni {
    const eni = this.enis.find((e) => e.id === id);
    if (!eni) throw new Error(`unknown ENI ${id}`);
    return eni;
  }
}

/** The 16 addresses of an IPv4 /28 such as `10.0.1.16/28`. */
export function prefixIps(prefix: string): string[] {
  const base = prefix.split('/')[0] ?? '';
  const n = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return Array.from({ length: IPS_PER_PREFIX }, (_, i) => {
    const v = n + i;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  });
}
