import { IPS_PER_PREFIX, type EniState, type NodePoolState, type PoolConfig } from './types.js';

export interface PoolStats {
  readonly totalIps: number;
  readonly assignedIps: number;
  /** total − assigned (cooling addresses count as available, as in ipamd's `AvailableAddresses`). */
  readonly availableIps: number;
  readonly totalPrefixes: number;
  /** Prefixes with no pod on them. */
  readonly freePrefixes: number;
}

/** Secondary IPs (or /28 prefixes) one ENI can hold: the EC2 per-ENI IPv4 limit minus the ENI's own address. */
export function slotsPerEni(state: NodePoolState): number {
  return state.limits.ipv4PerEni - 1;
}

export function eniAddressCount(eni: EniState, config: PoolConfig): number {
  return config.enablePrefixDelegation ? eni.prefixes.length * IPS_PER_PREFIX : eni.ips.length;
}

export function poolStats(state: NodePoolState, config: PoolConfig): PoolStats {
  const totalIps = state.enis.reduce((n, eni) => n + eniAddressCount(eni, config), 0);
  const assignedIps = state.assignments.length;
  const usedPrefixes = new Set(state.assignments.map((a) => a.prefix));
  const totalPrefixes = state.enis.reduce((n, eni) => n + eni.prefixes.length, 0);
  const freePrefixes = state.enis.reduce((n, eni) => n + eni.prefixes.filter((p) => !usedPrefixes.has(p)).length, 0);
  return { totalIps, assignedIps, availableIps: totalIps - assignedIps, totalPrefixes, freePrefixes };
}

export function warmIpTargetsDefined(config: PoolConfig): boolean {
  return config.warmIpTarget > 0 || config.minimumIpTarget > 0;
}

export function divCeil(x: number, y: number): number {
  return Math.ceil(x / y);
}

/**
 * ipamd's `datastoreTargetState`: how far the pool is short of / over WARM_IP_TARGET + MINIMUM_IP_TARGET, in
 * IPs, or in prefixes with prefix delegation. `undefined` when neither target is set.
 */
export function targetState(
  state: NodePoolState,
  config: PoolConfig,
  stats: PoolStats = poolStats(state, config),
): { short: number; over: number } | undefined {
  if (!warmIpTargetsDefined(config)) return undefined;
  const { warmIpTarget, minimumIpTarget } = config;
  let short = Math.max(warmIpTarget - stats.availableIps, 0);
  short = Math.max(short, minimumIpTarget - stats.totalIps);
  let over = Math.max(stats.availableIps - warmIpTarget, 0);
  over = Math.max(Math.min(over, stats.totalIps - minimumIpTarget), 0);
  if (!config.enablePrefixDelegation) return { short, over };
  const shortPrefixes = divCeil(short, IPS_PER_PREFIX);
  const neededForWarm = divCeil(stats.assignedIps + warmIpTarget, IPS_PER_PREFIX);
  const neededForMin = divCeil(minimumIpTarget, IPS_PER_PREFIX);
  let overPrefixes = Math.max(Math.min(stats.freePrefixes, stats.totalPrefixes - neededForWarm), 0);
  overPrefixes = Math.max(Math.min(overPrefixes, stats.totalPrefixes - neededForMin), 0);
  return { short: shortPrefixes, over: overPrefixes };
}
