// What a group should do next, as EC2 Auto Scaling decides it — a pure function of the stored group, its
// zones and the time, so the balancing rules are tested without etcd or EC2:
//   - an Unhealthy instance is taken out of service first (and replaced by the launch that follows);
//   - below desired: launch into the AZ with the fewest instances (ties: AZ name), skipping AZs that refused
//     capacity recently (zoneBackoff); the launch itself falls over to the other AZs in this order;
//   - above desired: terminate in the AZ with the most instances, there the instance of the oldest launch
//     configuration, then the oldest instance (AWS's default policy; its "closest to the next billing hour"
//     step is not modelled — per-second billing made it moot);
//   - at desired, AZRebalance: when an AZ has two or more instances fewer than another, launch there first
//     (the group may exceed desired, and even max by 10% / one instance), and the next step terminates in the
//     over-filled AZ.
import type { AsgInstance, AutoScalingGroup } from './types.js';

export type Step =
  | { readonly kind: 'none' }
  /** Nothing to do until `until` (epoch ms), e.g. every AZ is backing off after InsufficientInstanceCapacity. */
  | { readonly kind: 'wait'; readonly until: number }
  /** Launch one instance: try these AZs in order. */
  | { readonly kind: 'launch'; readonly zones: readonly string[]; readonly reason: 'capacity' | 'rebalance'; readonly from: number; readonly to: number }
  | { readonly kind: 'terminate'; readonly instance: AsgInstance; readonly reason: 'scale-in' | 'rebalance' | 'unhealthy'; readonly from: number; readonly to: number }
  /** A group being deleted is empty: remove it. */
  | { readonly kind: 'delete' };

/** Instances that count toward capacity: every one not being terminated. */
export function liveInstances(group: AutoScalingGroup): AsgInstance[] {
  return group.instances.filter((i) => i.lifecycleState !== 'Terminating');
}

/** Capacity as Auto Scaling counts it: live instances plus launches in flight. */
export function capacityOf(group: AutoScalingGroup): number {
  return liveInstances(group).length + group.pendingLaunches.length;
}

/** Live instances (and launches in flight, by their first-choice AZ) per AZ, for every AZ of the group. */
export function countsByZone(group: AutoScalingGroup, zones: readonly string[]): Map<string, number> {
  const counts = new Map(zones.map((z) => [z, 0]));
  for (const i of liveInstances(group)) counts.set(i.availabilityZone, (counts.get(i.availabilityZone) ?? 0) + 1);
  for (const p of group.pendingLaunches) counts.set(p.availabilityZone, (counts.get(p.availabilityZone) ?? 0) + 1);
  return counts;
}

/** The rebalance overshoot AWS allows above max: 10% of max, at least one instance. */
export function rebalanceMargin(maxSize: number): number {
  return Math.max(1, Math.floor(maxSize * 0.1));
}

/** The next step for `group` whose subnets lie in `zones` (AZ names), at `now` (epoch ms). */
export function planStep(group: AutoScalingGroup, zones: readonly string[], now: number): Step {
  const deleting = group.status === 'Delete in progress';
  const desired = deleting ? 0 : group.desiredCapacity;
  const live = liveInstances(group);
  const capacity = capacityOf(group);

  const unhealthy = live.find((i) => i.healthStatus === 'Unhealthy');
  if (unhealthy) return { kind: 'terminate', instance: unhealthy, reason: 'unhealthy', from: capacity, to: capacity - 1 };

  if (deleting && group.instances.length === 0 && group.pendingLaunches.length === 0) return { kind: 'delete' };

  const counts = countsByZone(group, zones);
  const open = zones.filter((z) => (group.zoneBackoff[z] ?? 0) <= now);
  const byFewest = (list: readonly string[]): string[] => [...list].sort((a, b) => counts.get(a)! - counts.get(b)! || a.localeCompare(b));

  if (capacity < desired) {
    if (zones.length === 0) return { kind: 'none' }; // no subnet of the group exists (any more)
    if (open.length === 0) return { kind: 'wait', until: Math.min(...zones.map((z) => group.zoneBackoff[z] ?? now)) };
    return { kind: 'launch', zones: byFewest(open), reason: 'capacity', from: capacity, to: capacity + 1 };
  }

  // Launches in flight cannot be cancelled: wait for them before deciding what to take out.
  if (group.pendingLaunches.length > 0) return { kind: 'none' };

  if (capacity > desired) {
    const victim = pickForTermination(live, counts);
    if (!victim) return { kind: 'none' };
    return { kind: 'terminate', instance: victim, reason: group.rebalancing === true ? 'rebalance' : 'scale-in', from: capacity, to: capacity - 1 };
  }

  // capacity === desired: AZRebalance, launching before terminating.
  if (group.instances.some((i) => i.lifecycleState === 'Terminating') || desired === 0) return { kind: 'none' };
  const fullest = Math.max(...zones.map((z) => counts.get(z)!));
  const target = byFewest(open)[0];
  if (target === undefined || fullest - counts.get(target)! < 2) return { kind: 'none' };
  if (capacity + 1 > Math.max(group.maxSize, desired) + rebalanceMargin(group.maxSize)) return { kind: 'none' };
  return { kind: 'launch', zones: [target], reason: 'rebalance', from: capacity, to: capacity + 1 };
}

/**
 * AWS's default termination policy: the AZ with the most instances (ties: every tied AZ), there the oldest
 * launch configuration (lowest launchGeneration), then the oldest launch time, then the instance id.
 */
export function pickForTermination(live: readonly AsgInstance[], counts: Map<string, number>): AsgInstance | undefined {
  const most = Math.max(0, ...live.map((i) => counts.get(i.availabilityZone) ?? 0));
  const candidates = live.filter((i) => (counts.get(i.availabilityZone) ?? 0) === most);
  return [...candidates].sort(
    (a, b) => a.launchGeneration - b.launchGeneration || a.launchTime.localeCompare(b.launchTime) || a.instanceId.localeCompare(b.instanceId),
  )[0];
}
