// The Auto Scaling reconcile loop. Every cloud replica runs it, without leader election: each step (one
// launch, one termination) is first *claimed* by a CAS update of the group's etcd key — a launch adds a
// PendingLaunch that already counts toward capacity, a termination marks the instance Terminating — and only
// the replica whose CAS succeeded calls EC2. Two replicas that plan the same step from the same revision
// race on that write; the loser re-reads and re-plans, seeing the winner's claim. So capacity never exceeds
// desired (AZRebalance's deliberate one-instance overshoot aside) and no instance is launched twice.
//
// Why claims rather than a leader lease: a lease does not fence (a paused leader may still act after it
// expired), while the claim is checked by etcd at the moment it is written. A claim has an expiry for a
// replica that died mid-step: a PendingLaunch past its expiry is dropped and any instance it did launch is
// adopted by its `aws:autoscaling:groupName` tag; a Terminating instance past its expiry is terminated again
// (TerminateInstances is idempotent). Hazard: a replica stalled longer than `claimTimeoutMs` inside RunInstances
// can still launch after its claim was dropped; the instance is then adopted and the surplus scaled in.
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '@ekslab/storage';
import type { Clock } from '@ekslab/runtime';
import { CloudApiError } from '../ports.js';
import type { Ec2Port, EventSink, InstanceSummary } from '../ports.js';
import { planStep } from './balance.js';
import type { Step } from './balance.js';
import { describe as describeActivity, joinCauses, stepCause } from './causes.js';
import type { AsgStore } from './store.js';
import { activityName, groupKey } from './store.js';
import type { AsgInstance, AutoScalingGroup, ScalingActivityRecord } from './types.js';

export interface ReconcilerOptions {
  readonly store: AsgStore;
  readonly ec2: Ec2Port;
  readonly events: EventSink;
  readonly clock: Clock;
  /** This replica's id, written into claims (e.g. `cloud-a`). */
  readonly owner: string;
  /** How long a claimed step may take before another replica takes it over; default 5 min. */
  readonly claimTimeoutMs?: number;
  /** How long launches skip an AZ after InsufficientInstanceCapacity there; default 60 s. */
  readonly zoneBackoffMs?: number;
  /** Pause between passes over all groups; default 10 s. */
  readonly intervalMs?: number;
  /** Upper bound of steps in one reconcile of one group (the rest waits for the next pass); default 100. */
  readonly maxStepsPerPass?: number;
  /** Hears about failed passes (group undefined: listing the groups failed); default: ignored. */
  readonly onError?: (groupName: string | undefined, err: unknown) => void;
}

const GROUP_TAG = 'aws:autoscaling:groupName';
const GONE: ReadonlySet<string> = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

export class AutoScalingReconciler {
  private readonly claimTimeoutMs: number;
  private readonly zoneBackoffMs: number;
  private readonly intervalMs: number;
  private readonly maxSteps: number;
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(private readonly o: ReconcilerOptions) {
    this.claimTimeoutMs = o.claimTimeoutMs ?? 300_000;
    this.zoneBackoffMs = o.zoneBackoffMs ?? 60_000;
    this.intervalMs = o.intervalMs ?? 10_000;
    this.maxSteps = o.maxStepsPerPass ?? 100;
  }

  /**
   * Runs passes over every group until `signal` aborts (then resolves). No leader election needed (see the
   * file comment). A group whose pass fails is retried on the next pass; `onError` hears about it.
   */
  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.kicked = false;
      try {
        for (const g of await this.o.store.list(signal)) {
          await this.reconcile(g.autoScalingGroupName, signal).catch((err: unknown) => {
            if (signal.aborted) throw err;
            this.o.onError?.(g.autoScalingGroupName, err);
          });
        }
      } catch (err) {
        if (signal.aborted) return;
        this.o.onError?.(undefined, err);
      }
      if (this.kicked) continue;
      const stop = new AbortController();
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([this.o.clock.sleep(this.intervalMs, AbortSignal.any([signal, stop.signal])), woken]).catch(() => undefined);
      stop.abort();
      this.wake = undefined;
    }
  }

  /** Starts the next pass now (after an API call changed a group); a kick during a pass makes another pass follow at once. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Converges one group step by step until nothing is left to do now. Returns the last step planned. */
  async reconcile(name: string, signal: AbortSignal): Promise<Step> {
    let step: Step = { kind: 'none' };
    for (let n = 0; n < this.maxSteps; n++) {
      signal.throwIfAborted();
      const group = await this.o.store.get(name, signal);
      if (!group) return { kind: 'none' };
      const zones = await this.zonesOf(group, signal);
      const observed = await this.observe(group, signal);
      if (observed !== group) {
        await this.write(observed, signal); // on a conflict, simply re-read
        continue;
      }
      step = planStep(group, [...zones.keys()], this.o.clock.now());
      if (step.kind === 'none' || step.kind === 'wait') return step;
      if (step.kind === 'delete') {
        await this.o.store.etcd.delete(groupKey(name), { signal, preconditions: { resourceVersion: group.metadata.resourceVersion! } }).catch((err: unknown) => {
          if (!(err instanceof NotFoundError) && !(err instanceof Error && err.name === 'PreconditionFailedError')) throw err;
        });
        return step;
      }
      if (step.kind === 'launch') await this.launch(group, step, zones, signal);
      else await this.terminate(group, step, signal);
    }
    return step;
  }

  /** AZ → subnet, from the group's subnets in their order (the first subnet of an AZ wins). */
  private async zonesOf(group: AutoScalingGroup, signal: AbortSignal): Promise<Map<string, string>> {
    const subnets = await this.o.ec2.describeSubnets({ subnetIds: group.vpcZoneIdentifier }, signal);
    const bySubnet = new Map<string, string>();
    for (const s of subnets) bySubnet.set(s.subnetId, s.availabilityZone);
    const zones = new Map<string, string>();
    for (const id of group.vpcZoneIdentifier) {
      const az = bySubnet.get(id);
      if (az !== undefined && !zones.has(az)) zones.set(az, id);
    }
    return zones;
  }

  /**
   * Reads EC2: instances gone (terminated, stopped, missing) become Unhealthy, running ones InService; expired
   * launch claims are dropped and instances tagged for the group but not recorded are adopted. Returns the
   * same object when nothing changed.
   */
  private async observe(group: AutoScalingGroup, signal: AbortSignal): Promise<AutoScalingGroup> {
    const now = this.o.clock.now();
    const next = structuredClone(group);
    let changed = false;
    const ids = group.instances.map((i) => i.instanceId);
    // One query by the group's tag (EC2 keeps terminated instances visible for a while): asking by id would
    // fail with InvalidInstanceID.NotFound once one of them is gone for good.
    const seen = new Map<string, InstanceSummary>();
    for (const s of await this.o.ec2.describeInstances({ tags: { [GROUP_TAG]: group.autoScalingGroupName } }, signal)) seen.set(s.instanceId, s);
    for (const i of next.instances) {
      if (i.lifecycleState === 'Terminating') {
        if (i.claim && i.claim.expiresAt <= now) {
          // Its terminator died: hand it back to planStep, which terminates Unhealthy instances first.
          delete i.claim;
          i.lifecycleState = 'InService';
          i.healthStatus = 'Unhealthy';
          changed = true;
        }
        continue;
      }
      const s = seen.get(i.instanceId);
      if ((!s || GONE.has(s.state)) && i.healthStatus !== 'Unhealthy') {
        i.healthStatus = 'Unhealthy';
        changed = true;
      } else if (s?.state === 'running' && i.lifecycleState === 'Pending') {
        i.lifecycleState = 'InService';
        changed = true;
      }
    }
    const live = next.pendingLaunches.filter((p) => p.expiresAt > now);
    if (live.length !== next.pendingLaunches.length) {
      next.pendingLaunches = live;
      changed = true;
    }
    if (live.length === 0) {
      const known = new Set(ids);
      for (const s of seen.values()) {
        if (known.has(s.instanceId) || GONE.has(s.state)) continue;
        next.instances.push(toAsgInstance(s, group.launchGeneration));
        changed = true;
      }
    }
    return changed ? next : group;
  }

  private async launch(group: AutoScalingGroup, step: Extract<Step, { kind: 'launch' }>, zoneToSubnet: Map<string, string>, signal: AbortSignal): Promise<void> {
    const now = this.o.clock.now();
    const activityId = randomUUID();
    const cause = step.reason === 'rebalance' ? stepCause.rebalanceLaunch(now, step.from, step.to) : joinCauses(group.lastUserCause, stepCause.launch(now, step.from, step.to));
    const claimed = structuredClone(group);
    claimed.pendingLaunches.push({ activityId, owner: this.o.owner, expiresAt: now + this.claimTimeoutMs, availabilityZone: step.zones[0]!, cause, rebalance: step.reason === 'rebalance' });
    if (!(await this.write(claimed, signal))) return;

    try {
      await this.runClaimedLaunch(group, step, zoneToSubnet, activityId, cause, now, signal);
    } catch (err) {
      // Give the claim back rather than let it block the group until it expires; an instance this launch
      // did start is adopted by its tag on the next pass.
      await this.o.store.etcd
        .guaranteedUpdate<AutoScalingGroup>(groupKey(group.autoScalingGroupName), (g) => ({ ...g, pendingLaunches: g.pendingLaunches.filter((p) => p.activityId !== activityId) }))
        .catch(() => undefined);
      throw err;
    }
  }

  private async runClaimedLaunch(
    group: AutoScalingGroup,
    step: Extract<Step, { kind: 'launch' }>,
    zoneToSubnet: Map<string, string>,
    activityId: string,
    cause: string,
    now: number,
    signal: AbortSignal,
  ): Promise<void> {
    const activity = newActivity(group.autoScalingGroupName, activityId, describeActivity.launching(), cause, now);
    await this.record(activity, signal);

    const refused = new Set<string>();
    let launched: InstanceSummary | undefined;
    let failure: CloudApiError | undefined;
    outer: for (const az of step.zones) {
      for (const instanceType of group.instanceTypes) {
        try {
          const [s] = await this.o.ec2.runInstances(
            {
              instanceType,
              subnetId: zoneToSubnet.get(az)!,
              count: 1,
              lifecycle: group.capacityType,
              tags: { ...group.tags, [GROUP_TAG]: group.autoScalingGroupName },
              clientToken: `${activityId}-${az}-${instanceType}`,
            },
            signal,
          );
          launched = s;
          break outer;
        } catch (err) {
          if (!(err instanceof CloudApiError)) throw err;
          failure = err;
          if (err.code !== 'InsufficientInstanceCapacity') break outer;
        }
      }
      if (failure?.code === 'InsufficientInstanceCapacity') refused.add(az);
    }

    const done = this.o.clock.now();
    const after = await this.o.store.etcd
      .guaranteedUpdate<AutoScalingGroup>(
        groupKey(group.autoScalingGroupName),
        (g) => {
          g.pendingLaunches = g.pendingLaunches.filter((p) => p.activityId !== activityId);
          for (const az of refused) g.zoneBackoff[az] = done + this.zoneBackoffMs;
          if (launched) {
            if (!g.instances.some((i) => i.instanceId === launched.instanceId)) g.instances.push(toAsgInstance(launched, g.launchGeneration));
            delete g.zoneBackoff[launched.availabilityZone];
            if (step.reason === 'rebalance') g.rebalancing = true;
            else delete g.lastUserCause;
          }
          return g;
        },
        { signal },
      )
      .catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
    if (launched && !after) await this.o.ec2.terminateInstances([launched.instanceId], signal); // the group was deleted meanwhile

    if (launched) {
      await this.record({ ...activity, description: describeActivity.launching(launched.instanceId), statusCode: 'Successful', progress: 100, endTime: iso(done), instanceId: launched.instanceId, availabilityZone: launched.availabilityZone, details: details(launched.availabilityZone, launched.subnetId) }, signal);
    } else {
      const message = failure?.message ?? 'No Availability Zone is available for launches.';
      await this.record({ ...activity, description: `${describeActivity.launchFailed}${message}`, statusCode: 'Failed', statusMessage: message, progress: 100, endTime: iso(done) }, signal);
    }
  }

  private async terminate(group: AutoScalingGroup, step: Extract<Step, { kind: 'terminate' }>, signal: AbortSignal): Promise<void> {
    const now = this.o.clock.now();
    const activityId = randomUUID();
    const id = step.instance.instanceId;
    const cause =
      step.reason === 'unhealthy'
        ? stepCause.unhealthy(now)
        : step.reason === 'rebalance'
          ? stepCause.rebalanceTerminate(now, step.from, step.to)
          : joinCauses(group.lastUserCause, stepCause.scaleIn(now, step.from, step.to));
    const claimed = structuredClone(group);
    const target = claimed.instances.find((i) => i.instanceId === id)!;
    target.lifecycleState = 'Terminating';
    target.claim = { activityId, owner: this.o.owner, expiresAt: now + this.claimTimeoutMs };
    if (step.reason !== 'unhealthy') delete claimed.lastUserCause;
    if (step.reason === 'rebalance') delete claimed.rebalancing;
    if (!(await this.write(claimed, signal))) return;

    const activity = newActivity(group.autoScalingGroupName, activityId, describeActivity.terminating(id), cause, now, step.instance);
    await this.record(activity, signal);
    try {
      await this.o.ec2.terminateInstances([id], signal);
    } catch (err) {
      if (!(err instanceof CloudApiError && err.code === 'InvalidInstanceID.NotFound')) throw err;
    }
    await this.o.store.etcd
      .guaranteedUpdate<AutoScalingGroup>(groupKey(group.autoScalingGroupName), (g) => ({ ...g, instances: g.instances.filter((i) => i.instanceId !== id) }), { signal })
      .catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    await this.record({ ...activity, statusCode: 'Successful', progress: 100, endTime: iso(this.o.clock.now()) }, signal);
  }

  /** CAS write of a group read earlier; false when another replica wrote first (re-read and re-plan). */
  private async write(group: AutoScalingGroup, signal: AbortSignal): Promise<boolean> {
    try {
      await this.o.store.etcd.update(groupKey(group.autoScalingGroupName), group, { signal });
      return true;
    } catch (err) {
      if (err instanceof ConflictError || err instanceof NotFoundError) return false;
      throw err;
    }
  }

  private async record(a: ScalingActivityRecord, signal: AbortSignal): Promise<void> {
    await this.o.store.putActivity(a, signal);
    await this.o.events.publish(
      {
        kind: 'scaling-activity',
        autoScalingGroupName: a.autoScalingGroupName,
        activityId: a.activityId,
        description: a.description,
        cause: a.cause,
        statusCode: a.statusCode,
        ...(a.statusMessage !== undefined ? { statusMessage: a.statusMessage } : {}),
        ...(a.instanceId !== undefined ? { instanceId: a.instanceId } : {}),
        ...(a.availabilityZone !== undefined ? { availabilityZone: a.availabilityZone } : {}),
      },
      signal,
    );
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function details(az: string, subnetId: string): string {
  return JSON.stringify({ 'Subnet ID': subnetId, 'Availability Zone': az });
}

function newActivity(groupName: string, activityId: string, description: string, cause: string, now: number, instance?: AsgInstance): ScalingActivityRecord {
  return {
    metadata: { name: activityName(now, activityId) },
    activityId,
    autoScalingGroupName: groupName,
    description,
    cause,
    startTime: iso(now),
    statusCode: 'InProgress',
    progress: 50,
    details: instance ? details(instance.availabilityZone, instance.subnetId) : '{}',
    ...(instance ? { instanceId: instance.instanceId, availabilityZone: instance.availabilityZone } : {}),
  };
}

function toAsgInstance(s: InstanceSummary, launchGeneration: number): AsgInstance {
  return {
    instanceId: s.instanceId,
    availabilityZone: s.availabilityZone,
    subnetId: s.subnetId,
    instanceType: s.instanceType,
    lifecycle: s.lifecycle,
    lifecycleState: s.state === 'running' ? 'InService' : 'Pending',
    healthStatus: 'Healthy',
    launchTime: s.launchTime,
    launchGeneration,
  };
}
