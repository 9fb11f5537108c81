// One pass of ipamd's `updateIPPoolIfRequired`: grow the pool if too low, else shrink it if too high, then free
// one surplus ENI. Pure: the caller applies the actions through EC2 and feeds the new state back next pass.
import {
  eniAddressCount,
  poolStats,
  slotsPerEni,
  targetState,
  warmIpTargetsDefined,
  type PoolStats,
} from './stats.js';
import {
  IPS_PER_PREFIX,
  type EniState,
  type InstanceLimits,
  type NodePoolState,
  type PoolAction,
  type PoolConfig,
} from './types.js';

/**
 * The actions one reconcile pass takes (at most one grow or shrink step and at most one `detach-eni`), exactly as
 * the VPC CNI decides them: WARM_IP_TARGET / MINIMUM_IP_TARGET override WARM_ENI_TARGET (and WARM_PREFIX_TARGET);
 * addresses in cooldown are never released; the primary ENI is never detached; an ENI is freed only when no pod
 * and no cooling address is on it and it is older than `minEniLifetimeMs`. Call it again after applying the
 * actions until it returns none.
 */
export function planPool(state: NodePoolState, config: PoolConfig, now: number): PoolAction[] {
  const actions: PoolAction[] = [];
  const stats = poolStats(state, config);
  if (poolTooLow(state, config, stats)) {
    const grow = growStep(state, config);
    if (grow) actions.push(grow);
  } else if (poolTooHigh(state, config, stats)) {
    actions.push(...shrinkSteps(state, config, now));
  }
  if (actions.length === 0 && shouldRemoveExtraEnis(state, config, stats)) {
    const eni = deletableEni(state, config, now);
    if (eni) actions.push({ kind: 'detach-eni', eni: eni.id });
  }
  return actions;
}

/** ipamd's `isDatastorePoolTooLow`. */
export function poolTooLow(
  state: NodePoolState,
  config: PoolConfig,
  stats: PoolStats = poolStats(state, config),
): boolean {
  const maxPods = state.limits.maxPods;
  if (maxPods !== undefined && stats.totalIps >= maxPods) return false;
  const target = targetState(state, config, stats);
  if (target) return target.short > 0;
  const warm = config.enablePrefixDelegation ? config.warmPrefixTarget : config.warmEniTarget;
  const unit = config.enablePrefixDelegation ? IPS_PER_PREFIX : slotsPerEni(state);
  return stats.availableIps < unit * warm || (warm === 0 && stats.availableIps === 0);
}

/** ipamd's `isDatastorePoolTooHigh`: only WARM_IP_TARGET/MINIMUM_IP_TARGET or WARM_PREFIX_TARGET ever shrink. */
export function poolTooHigh(
  state: NodePoolState,
  config: PoolConfig,
  stats: PoolStats = poolStats(state, config),
): boolean {
  const target = targetState(state, config, stats);
  if (target) return target.over > 0;
  if (config.enablePrefixDelegation) return stats.freePrefixes > config.warmPrefixTarget;
  return false;
}

/** ipamd's `shouldRemoveExtraENIs`: at least (target + 1) ENIs' (or prefixes') worth free, or any IP target set. */
export function shouldRemoveExtraEnis(
  state: NodePoolState,
  config: PoolConfig,
  stats: PoolStats = poolStats(state, config),
): boolean {
  // With WARM_IP_TARGET / MINIMUM_IP_TARGET ipamd always looks; getDeletableENI does the checking.
  if (warmIpTargetsDefined(config)) return true;
  const warm = (config.enablePrefixDelegation ? config.warmPrefixTarget : config.warmEniTarget) + 1;
  const unit = config.enablePrefixDelegation ? IPS_PER_PREFIX : slotsPerEni(state);
  return stats.availableIps >= warm * unit;
}

function growStep(state: NodePoolState, config: PoolConfig): PoolAction | undefined {
  const slots = slotsPerEni(state);
  const need = needed(state, config);
  // tryAssignCidrs: fill the first ENI (primary first) that still has room.
  const roomy = state.enis.find((eni) => slotCount(eni, config) < slots);
  if (roomy) {
    const count = Math.min(need, slots - slotCount(roomy, config));
    return config.enablePrefixDelegation
      ? { kind: 'assign-prefixes', eni: roomy.id, count }
      : { kind: 'assign-ips', eni: roomy.id, count };
  }
  // tryAllocateENI, only while the instance has room for one more ENI.
  if (state.enis.length >= state.limits.maxEnis) return undefined;
  return { kind: 'attach-eni', count: Math.min(need, slots) };
}

/** IPs (or prefixes) to ask for: a whole ENI under WARM_ENI_TARGET, else what the targets are short of. */
function needed(state: NodePoolState, config: PoolConfig): number {
  const target = targetState(state, config);
  if (config.enablePrefixDelegation) {
    // getPrefixesNeeded: at least one; WARM_IP_TARGET takes precedence over WARM_PREFIX_TARGET.
    if (target) return Math.max(1, target.short);
    return Math.max(1, config.warmPrefixTarget - poolStats(state, config).freePrefixes);
  }
  return target ? target.short : slotsPerEni(state);
}

function slotCount(eni: EniState, config: PoolConfig): number {
  return config.enablePrefixDelegation ? eni.prefixes.length : eni.ips.length;
}

function inUse(state: NodePoolState, config: PoolConfig, now: number): { ips: Set<string>; prefixes: Set<string> } {
  const ips = new Set<string>();
  const prefixes = new Set<string>();
  for (const a of state.assignments) {
    ips.add(a.ip);
    if (a.prefix) prefixes.add(a.prefix);
  }
  for (const c of state.cooling) {
    if (now - c.releasedAt >= config.ipCooldownMs) continue;
    ips.add(c.ip);
    if (c.prefix) prefixes.add(c.prefix);
  }
  return { ips, prefixes };
}

/** decreaseDatastorePool → findFreeableCidrs: release up to `over` unused, non-cooling IPs (or prefixes). */
function shrinkSteps(state: NodePoolState, config: PoolConfig, now: number): PoolAction[] {
  const target = targetState(state, config);
  let over = target ? target.over : poolStats(state, config).freePrefixes - config.warmPrefixTarget;
  const busy = inUse(state, config, now);
  const actions: PoolAction[] = [];
  // Secondary ENIs first, newest first, so the primary ENI keeps its addresses longest.
  for (const eni of [...state.enis].reverse()) {
    if (over <= 0) break;
    if (config.enablePrefixDelegation) {
      const prefixes = eni.prefixes.filter((p) => !busy.prefixes.has(p)).slice(0, over);
      if (prefixes.length === 0) continue;
      over -= prefixes.length;
      actions.push({ kind: 'release-prefixes', eni: eni.id, prefixes });
    } else {
      const ips = eni.ips.filter((ip) => !busy.ips.has(ip)).slice(0, over);
      if (ips.length === 0) continue;
      over -= ips.length;
      actions.push({ kind: 'release-ips', eni: eni.id, ips });
    }
  }
  return actions;
}

/** Datastore `getDeletableENI`: a non-primary ENI with no pods, no cooling address, old enough, not needed. */
function deletableEni(state: NodePoolState, config: PoolConfig, now: number): EniState | undefined {
  const stats = poolStats(state, config);
  const busyEnis = new Set(state.assignments.map((a) => a.eni));
  for (const c of state.cooling) if (now - c.releasedAt < config.ipCooldownMs) busyEnis.add(c.eni);
  for (const eni of state.enis) {
    if (eni.primary || busyEnis.has(eni.id)) continue;
    if (now - eni.attachedAt < config.minEniLifetimeMs) continue;
    const eniIps = eniAddressCount(eni, config);
    if (warmIpTargetsDefined(config)) {
      // isRequiredForWarmIPTarget / isRequiredForMinimumIPTarget
      if (stats.availableIps - eniIps < config.warmIpTarget) continue;
      // In prefix mode MINIMUM_IP_TARGET counts whole prefixes (20 means 32).
      const minimum = config.enablePrefixDelegation
        ? Math.ceil(config.minimumIpTarget / IPS_PER_PREFIX) * IPS_PER_PREFIX
        : config.minimumIpTarget;
      if (stats.totalIps - eniIps < minimum) continue;
    } else if (config.enablePrefixDelegation) {
      // isRequiredForWarmPrefixTarget
      if (stats.freePrefixes - eni.prefixes.length < config.warmPrefixTarget) continue;
    }
    return eni;
  }
  return undefined;
}

/** Max pods the VPC CNI calculator gives in secondary-IP mode: ENIs × (IPv4 per ENI − 1) + 2. */
export function maxPodsFor(limits: Pick<InstanceLimits, 'maxEnis' | 'ipv4PerEni'>): number {
  return limits.maxEnis * (limits.ipv4PerEni - 1) + 2;
}
