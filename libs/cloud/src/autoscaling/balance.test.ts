import { describe, expect, it } from 'vitest';
import { planStep } from './balance.js';
import type { AsgInstance, AutoScalingGroup } from './types.js';

const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
let seq = 0;
const inst = (az: string, extra: Partial<AsgInstance> = {}): AsgInstance => {
  seq++;
  return {
    instanceId: `i-${String(seq).padStart(17, '0')}`,
    availabilityZone: az,
    subnetId: `subnet-${az}`,
    instanceType: 'm5.large',
    lifecycle: 'on-demand',
    lifecycleState: 'InService',
    healthStatus: 'Healthy',
    launchTime: new Date(Date.UTC(2026, 10, 22, 0, seq)).toISOString(),
    launchGeneration: 1,
    ...extra,
  };
};
const spread = (a: number, b: number, c: number): AsgInstance[] => [
  ...Array.from({ length: a }, () => inst('us-east-1a')),
  ...Array.from({ length: b }, () => inst('us-east-1b')),
  ...Array.from({ length: c }, () => inst('us-east-1c')),
];
const group = (desired: number, instances: AsgInstance[], extra: Partial<AutoScalingGroup> = {}): AutoScalingGroup => ({
  metadata: { name: 'g', uid: 'u' },
  autoScalingGroupName: 'g',
  autoScalingGroupArn: 'arn',
  minSize: 0,
  maxSize: 10,
  desiredCapacity: desired,
  vpcZoneIdentifier: zones.map((z) => `subnet-${z}`),
  instanceTypes: ['m5.large'],
  capacityType: 'on-demand',
  tags: {},
  createdTime: '',
  launchGeneration: 1,
  instances,
  pendingLaunches: [],
  zoneBackoff: {},
  ...extra,
});

/** Applies launches (into the first AZ offered) until the plan settles; returns the per-AZ counts. */
function converge(g: AutoScalingGroup, now = 0, impaired: ReadonlySet<string> = new Set()): number[] {
  for (let n = 0; n < 50; n++) {
    const step = planStep(g, zones, now);
    if (step.kind === 'launch') {
      const az = step.zones.find((z) => !impaired.has(z));
      if (az === undefined) return zones.map((z) => g.instances.filter((i) => i.availabilityZone === z).length);
      g.instances.push(inst(az));
    } else if (step.kind === 'terminate') {
      g.instances = g.instances.filter((i) => i !== step.instance);
    } else break;
  }
  return zones.map((z) => g.instances.filter((i) => i.availabilityZone === z).length);
}

describe('planStep', () => {
  it.each([
    { name: 'desired 6 over 3 AZs → 2 per AZ', desired: 6, start: [0, 0, 0], want: [2, 2, 2] },
    { name: 'desired 4 over 3 AZs → the extra in the first AZ by name', desired: 4, start: [0, 0, 0], want: [2, 1, 1] },
    { name: 'scale-in from 3/2/2 to 5 takes from the fullest AZ, then (tied) the oldest instance', desired: 5, start: [3, 2, 2], want: [1, 2, 2] },
    { name: 'an unbalanced group at desired is rebalanced to 2/2/2', desired: 6, start: [3, 3, 0], want: [2, 2, 2] },
    { name: 'one instance over does not trigger rebalancing', desired: 4, start: [2, 1, 1], want: [2, 1, 1] },
  ])('autoscaling — $name', ({ desired, start, want }) => {
    expect(converge(group(desired, spread(start[0]!, start[1]!, start[2]!)))).toEqual(want);
  });

  it('autoscaling — launches go to the AZ with the fewest instances, the others offered as fallbacks in order', () => {
    const step = planStep(group(4, spread(1, 0, 2)), zones, 0);
    expect(step).toMatchObject({ kind: 'launch', zones: ['us-east-1b', 'us-east-1a', 'us-east-1c'], reason: 'capacity', from: 3, to: 4 });
  });

  it('autoscaling — an AZ backing off after InsufficientInstanceCapacity is skipped until the backoff ends', () => {
    const g = group(6, [], { zoneBackoff: { 'us-east-1c': 1000 } });
    expect(converge(g, 500)).toEqual([3, 3, 0]);
    // After recovery: launch in the under-filled AZ first (7 > desired 6), then terminate in an over-filled one.
    const first = planStep(g, zones, 1000);
    expect(first).toMatchObject({ kind: 'launch', zones: ['us-east-1c'], reason: 'rebalance', from: 6, to: 7 });
    expect(converge(g, 1000)).toEqual([2, 2, 2]);
  });

  it('autoscaling — every AZ backing off: wait until the earliest backoff ends', () => {
    const g = group(2, [], { zoneBackoff: { 'us-east-1a': 300, 'us-east-1b': 200, 'us-east-1c': 400 } });
    expect(planStep(g, zones, 100)).toEqual({ kind: 'wait', until: 200 });
  });

  it('autoscaling — scale-in picks the oldest launch configuration in the fullest AZ, then the oldest instance', () => {
    const old = inst('us-east-1a', { launchGeneration: 1 });
    const newer = [inst('us-east-1a', { launchGeneration: 2 }), inst('us-east-1b', { launchGeneration: 2 })];
    const g = group(2, [...newer, old], { launchGeneration: 2 });
    expect(planStep(g, zones, 0)).toMatchObject({ kind: 'terminate', instance: { instanceId: old.instanceId }, reason: 'scale-in' });
    const a = inst('us-east-1b');
    const b = inst('us-east-1b');
    expect(planStep(group(2, [b, inst('us-east-1a'), a]), zones, 0)).toMatchObject({ kind: 'terminate', instance: { instanceId: a.instanceId } });
  });

  it('autoscaling — an unhealthy instance is replaced before anything else', () => {
    const sick = inst('us-east-1b', { healthStatus: 'Unhealthy' });
    const g = group(3, [inst('us-east-1a'), sick, inst('us-east-1c')]);
    expect(planStep(g, zones, 0)).toMatchObject({ kind: 'terminate', instance: { instanceId: sick.instanceId }, reason: 'unhealthy' });
    g.instances = g.instances.filter((i) => i !== sick);
    expect(planStep(g, zones, 0)).toMatchObject({ kind: 'launch', zones: ['us-east-1b', 'us-east-1a', 'us-east-1c'] });
  });

  it('autoscaling — launches in flight count toward capacity and in their AZ; scale-in waits for them', () => {
    const pending = { activityId: 'x', owner: 'a', expiresAt: 1e9, availabilityZone: 'us-east-1a', cause: '', rebalance: false };
    expect(planStep(group(1, [], { pendingLaunches: [pending] }), zones, 0)).toEqual({ kind: 'none' });
    expect(planStep(group(2, [], { pendingLaunches: [pending] }), zones, 0)).toMatchObject({ kind: 'launch', zones: ['us-east-1b', 'us-east-1c', 'us-east-1a'] });
    expect(planStep(group(0, [inst('us-east-1b')], { pendingLaunches: [pending] }), zones, 0)).toEqual({ kind: 'none' });
  });

  it('autoscaling — rebalancing at max may overshoot by 10% of max (at least one), no more', () => {
    expect(planStep(group(6, spread(3, 3, 0), { maxSize: 6 }), zones, 0)).toMatchObject({ kind: 'launch', reason: 'rebalance', to: 7 });
    expect(planStep(group(6, [...spread(3, 3, 0), inst('us-east-1c', { lifecycleState: 'Terminating' })], { maxSize: 6 }), zones, 0)).toEqual({ kind: 'none' });
  });

  it('autoscaling — a group being deleted drains and is then removed', () => {
    const g = group(3, spread(1, 1, 1), { status: 'Delete in progress' });
    expect(planStep(g, zones, 0)).toMatchObject({ kind: 'terminate', reason: 'scale-in' });
    g.instances = [];
    expect(planStep(g, zones, 0)).toEqual({ kind: 'delete' });
  });
});
