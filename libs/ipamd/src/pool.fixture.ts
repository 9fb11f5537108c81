// A fake EC2 for tests: applies planPool's actions to a datastore with made-up addresses.
import { IpamDatastore, NoAvailableAddressError } from './datastore.js';
import { planPool } from './plan.js';
import { DEFAULT_POOL_CONFIG, type InstanceLimits, type PoolAction, type PoolConfig } from './types.js';

export const T3_SMALL: InstanceLimits = { maxEnis: 3, ipv4PerEni: 4 };
export const P3DN_24XLARGE: InstanceLimits = { maxEnis: 15, ipv4PerEni: 50 };

export class FakeNode {
  readonly ds: IpamDatastore;
  now = 1_000_000;
  private nextEni = 1;
  private readonly counters = new Map<string, number>();
  readonly log: PoolAction[] = [];

  constructor(limits: InstanceLimits, overrides: Partial<PoolConfig> = {}) {
    this.ds = new IpamDatastore(limits, { ...DEFAULT_POOL_CONFIG, ...overrides });
    this.ds.addEni({ id: 'eni-0', primary: true, attachedAt: this.now });
  }

  /** One reconcile pass; returns its actions after applying them. */
  pass(): PoolAction[] {
    const actions = planPool(this.ds.snapshot(), this.ds.config, this.now);
    for (const action of actions) this.apply(action);
    this.log.push(...actions);
    return actions;
  }

  /** Reconcile until a pass does nothing (ipamd's loop runs every few seconds; 1 s per pass here). */
  converge(): void {
    for (let i = 0; i < 200; i++) {
      this.now += 1_000;
      if (this.pass().length === 0) return;
    }
    throw new Error('pool did not converge');
  }

  /** AddNetwork as the CNI sees it: retried after reconciling while no address is free. */
  addPod(podKey: string): string {
    for (let i = 0; i < 10; i++) {
      try {
        const ip = this.ds.assign(podKey, this.now).ip;
        this.converge();
        return ip;
      } catch (err) {
        if (!(err instanceof NoAvailableAddressError)) throw err;
        this.converge();
      }
    }
    throw new Error(`no address for ${podKey}`);
  }

  /** The doc tables' columns: per-ENI address counts (primary first) and unused addresses. */
  summary(): { enis: number; perEni: number[]; prefixesPerEni: number[]; total: number; unused: number } {
    const s = this.ds.snapshot();
    const prefix = this.ds.config.enablePrefixDelegation;
    const perEni = s.enis.map((e) => (prefix ? e.prefixes.length * 16 : e.ips.length));
    const total = perEni.reduce((a, b) => a + b, 0);
    return {
      enis: s.enis.length,
      perEni,
      prefixesPerEni: s.enis.map((e) => e.prefixes.length),
      total,
      unused: total - s.assignments.length,
    };
  }

  private apply(action: PoolAction): void {
    switch (action.kind) {
      case 'attach-eni': {
        const id = `eni-${this.nextEni++}`;
        this.ds.addEni({ id, primary: false, attachedAt: this.now });
        if (this.ds.config.enablePrefixDelegation) this.ds.addPrefixes(id, this.mint(id, action.count, true));
        else this.ds.addIps(id, this.mint(id, action.count, false));
        return;
      }
      case 'assign-ips':
        this.ds.addIps(action.eni, this.mint(action.eni, action.count, false));
        return;
      case 'assign-prefixes':
        this.ds.addPrefixes(action.eni, this.mint(action.eni, action.count, true));
        return;
      case 'release-ips':
        this.ds.removeIps(action.eni, action.ips);
        return;
      case 'release-prefixes':
        this.ds.removePrefixes(action.eni, action.prefixes);
        return;
      case 'detach-eni':
        this.ds.removeEni(action.eni);
        return;
    }
  }

  private mint(eni: string, count: number, prefix: boolean): string[] {
    const index = Number(eni.slice(4));
    const start = this.counters.get(eni) ?? 0;
    this.counters.set(eni, start + count);
    return Array.from({ length: count }, (_, i) =>
      prefix ? `10.${index + 1}.${start + i}.0/28` : `10.0.${index}.${start + i + 10}`,
    );
  }
}
