// The EC2 Auto Scaling API over the stored groups. Calls change the desired state only (and record the user
// request as the cause of what follows); the reconciler launches and terminates — except
// TerminateInstanceInAutoScalingGroup, which terminates its instance within the call, as AWS does.
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError } from '@ekslab/storage';
import type { Clock } from '@ekslab/runtime';
import { CloudApiError } from '../ports.js';
import type { Ec2Port, EventSink } from '../ports.js';
import { describe as describeActivity, userCause } from './causes.js';
import { activityName, groupKey } from './store.js';
import type { AsgStore } from './store.js';
import type { AutoScalingGroup, CapacityType, ScalingActivityRecord } from './types.js';
import { checkDesiredAgainst, checkGroupName, checkSizes, errors } from './validation.js';

export interface AutoScalingServiceOptions {
  readonly store: AsgStore;
  readonly ec2: Ec2Port;
  readonly events: EventSink;
  readonly clock: Clock;
  /** Called after a call changed a group, e.g. the reconciler's `kick`. */
  readonly onChange?: (groupName: string) => void;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Default `123456789012`. */
  readonly accountId?: string;
}

export interface CreateAutoScalingGroupInput {
  readonly autoScalingGroupName: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Default: minSize (as AWS). */
  readonly desiredCapacity?: number;
  readonly vpcZoneIdentifier: readonly string[];
  readonly instanceTypes: readonly string[];
  /** Default `on-demand`. */
  readonly capacityType?: CapacityType;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface UpdateAutoScalingGroupInput {
  readonly autoScalingGroupName: string;
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly desiredCapacity?: number;
  readonly vpcZoneIdentifier?: readonly string[];
  readonly instanceTypes?: readonly string[];
  readonly capacityType?: CapacityType;
}

export class AutoScalingService {
  private readonly region: string;
  private readonly accountId: string;

  constructor(private readonly o: AutoScalingServiceOptions) {
    this.region = o.region ?? 'us-east-1';
    this.accountId = o.accountId ?? '123456789012';
  }

  async createAutoScalingGroup(input: CreateAutoScalingGroupInput, signal: AbortSignal): Promise<AutoScalingGroup> {
    const name = input.autoScalingGroupName;
    checkGroupName(name);
    const desired = input.desiredCapacity ?? input.minSize;
    checkSizes(input.minSize, input.maxSize, desired);
    await this.checkSubnets(input.vpcZoneIdentifier, signal);
    if (input.instanceTypes.length === 0) throw errors.noInstanceTypes();
    const now = this.o.clock.now();
    const uid = randomUUID();
    const group: AutoScalingGroup = {
      metadata: { name, uid },
      autoScalingGroupName: name,
      autoScalingGroupArn: `arn:aws:autoscaling:${this.region}:${this.accountId}:autoScalingGroup:${uid}:autoScalingGroupName/${name}`,
      minSize: input.minSize,
      maxSize: input.maxSize,
      desiredCapacity: desired,
      vpcZoneIdentifier: [...input.vpcZoneIdentifier],
      instanceTypes: [...input.instanceTypes],
      capacityType: input.capacityType ?? 'on-demand',
      tags: { ...input.tags },
      createdTime: new Date(now).toISOString(),
      launchGeneration: 1,
      instances: [],
      pendingLaunches: [],
      zoneBackoff: {},
      ...(desired > 0 ? { lastUserCause: userCause.created(now, desired) } : {}),
    };
    try {
      const created = await this.o.store.etcd.create(groupKey(name), group, { signal });
      this.o.onChange?.(name);
      return created;
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw errors.alreadyExists(name);
      throw err;
    }
  }

  async updateAutoScalingGroup(input: UpdateAutoScalingGroupInput, signal: AbortSignal): Promise<void> {
    if (input.vpcZoneIdentifier) await this.checkSubnets(input.vpcZoneIdentifier, signal);
    if (input.instanceTypes?.length === 0) throw errors.noInstanceTypes();
    await this.mutate(input.autoScalingGroupName, signal, (g) => {
      const min = input.minSize ?? g.minSize;
      const max = input.maxSize ?? g.maxSize;
      // AWS: a new min above the current desired raises it, a new max below it lowers it.
      const desired = input.desiredCapacity ?? Math.min(Math.max(g.desiredCapacity, min), max);
      checkSizes(min, max, desired);
      if (desired !== g.desiredCapacity) g.lastUserCause = userCause.updated(this.o.clock.now(), min, max, desired, g.desiredCapacity);
      g.minSize = min;
      g.maxSize = max;
      g.desiredCapacity = desired;
      if (input.vpcZoneIdentifier) g.vpcZoneIdentifier = [...input.vpcZoneIdentifier];
      const typesChanged = input.instanceTypes !== undefined && input.instanceTypes.join() !== g.instanceTypes.join();
      if (typesChanged || (input.capacityType !== undefined && input.capacityType !== g.capacityType)) g.launchGeneration++;
      if (input.instanceTypes) g.instanceTypes = [...input.instanceTypes];
      if (input.capacityType) g.capacityType = input.capacityType;
      return g;
    });
  }

  async setDesiredCapacity(input: { autoScalingGroupName: string; desiredCapacity: number }, signal: AbortSignal): Promise<void> {
    await this.mutate(input.autoScalingGroupName, signal, (g) => {
      checkDesiredAgainst(input.desiredCapacity, g.minSize, g.maxSize);
      if (input.desiredCapacity !== g.desiredCapacity) g.lastUserCause = userCause.setDesired(this.o.clock.now(), g.desiredCapacity, input.desiredCapacity);
      g.desiredCapacity = input.desiredCapacity;
      return g;
    });
  }

  /** Without forceDelete a group with instances is ResourceInUse; with it, the reconciler drains and then removes the group. */
  async deleteAutoScalingGroup(input: { autoScalingGroupName: string; forceDelete?: boolean }, signal: AbortSignal): Promise<void> {
    const name = input.autoScalingGroupName;
    const g = await this.mutate(name, signal, (g) => {
      if (g.instances.length > 0 || g.pendingLaunches.length > 0) {
        if (!input.forceDelete) throw errors.inUse();
      }
      if (g.desiredCapacity > 0) g.lastUserCause = userCause.deleted(this.o.clock.now(), g.desiredCapacity);
      g.status = 'Delete in progress';
      g.minSize = g.maxSize = g.desiredCapacity = 0;
      return g;
    }, true);
    if (g.instances.length === 0 && g.pendingLaunches.length === 0) {
      await this.o.store.etcd.delete(groupKey(name), { signal, preconditions: { resourceVersion: g.metadata.resourceVersion! } }).catch(() => undefined);
    }
  }

  /** Every group, or the named ones (unknown names are left out, as AWS does). */
  async describeAutoScalingGroups(input: { autoScalingGroupNames?: readonly string[] }, signal: AbortSignal): Promise<AutoScalingGroup[]> {
    const all = await this.o.store.list(signal);
    const names = input.autoScalingGroupNames;
    return names?.length ? all.filter((g) => names.includes(g.autoScalingGroupName)) : all;
  }

  /** Newest first, as AWS lists them; `maxRecords` default 100. */
  async describeScalingActivities(input: { autoScalingGroupName: string; maxRecords?: number }, signal: AbortSignal): Promise<ScalingActivityRecord[]> {
    const list = await this.o.store.activities(input.autoScalingGroupName, signal);
    return list.reverse().slice(0, input.maxRecords ?? 100);
  }

  /**
   * Terminates the instance now. With shouldDecrementDesiredCapacity the group shrinks (not below min:
   * ValidationError); without it the reconciler launches a replacement.
   */
  async terminateInstanceInAutoScalingGroup(input: { instanceId: string; shouldDecrementDesiredCapacity: boolean }, signal: AbortSignal): Promise<ScalingActivityRecord> {
    const id = input.instanceId;
    const owner = (await this.o.store.list(signal)).find((g) => g.instances.some((i) => i.instanceId === id && i.lifecycleState !== 'Terminating'));
    if (!owner) throw errors.instanceNotFound(id);
    const now = this.o.clock.now();
    const activityId = randomUUID();
    let cause = '';
    let instance = owner.instances.find((i) => i.instanceId === id)!;
    const group = await this.mutate(owner.autoScalingGroupName, signal, (g) => {
      const i = g.instances.find((x) => x.instanceId === id && x.lifecycleState !== 'Terminating');
      if (!i) throw errors.instanceNotFound(id);
      const capacity = g.instances.filter((x) => x.lifecycleState !== 'Terminating').length + g.pendingLaunches.length;
      if (input.shouldDecrementDesiredCapacity) {
        if (g.desiredCapacity <= g.minSize) throw errors.belowMin(g.minSize);
        g.desiredCapacity--;
        cause = userCause.terminated(now, id, { from: capacity, to: capacity - 1 });
      } else {
        cause = userCause.terminated(now, id, undefined);
      }
      i.lifecycleState = 'Terminating';
      i.claim = { activityId, owner: 'api', expiresAt: now + 300_000 };
      instance = i;
      return g;
    });
    const activity: ScalingActivityRecord = {
      metadata: { name: activityName(now, activityId) },
      activityId,
      autoScalingGroupName: group.autoScalingGroupName,
      description: describeActivity.terminating(id),
      cause,
      startTime: new Date(now).toISOString(),
      statusCode: 'InProgress',
      progress: 0,
      details: JSON.stringify({ 'Subnet ID': instance.subnetId, 'Availability Zone': instance.availabilityZone }),
      instanceId: id,
      availabilityZone: instance.availabilityZone,
    };
    await this.record(activity, signal);
    try {
      await this.o.ec2.terminateInstances([id], signal);
    } catch (err) {
      if (!(err instanceof CloudApiError && err.code === 'InvalidInstanceID.NotFound')) throw err;
    }
    await this.o.store.etcd.guaranteedUpdate<AutoScalingGroup>(groupKey(group.autoScalingGroupName), (g) => ({ ...g, instances: g.instances.filter((i) => i.instanceId !== id) }), { signal });
    const done: ScalingActivityRecord = { ...activity, statusCode: 'Successful', progress: 100, endTime: new Date(this.o.clock.now()).toISOString() };
    await this.record(done, signal);
    this.o.onChange?.(group.autoScalingGroupName);
    return done;
  }

  private async record(a: ScalingActivityRecord, signal: AbortSignal): Promise<void> {
    await this.o.store.putActivity(a, signal);
    await this.o.events.publish(
      { kind: 'scaling-activity', autoScalingGroupName: a.autoScalingGroupName, activityId: a.activityId, description: a.description, cause: a.cause, statusCode: a.statusCode, instanceId: a.instanceId!, availabilityZone: a.availabilityZone! },
      signal,
    );
  }

  private async checkSubnets(ids: readonly string[], signal: AbortSignal): Promise<void> {
    if (ids.length === 0) throw errors.noSubnets();
    const found = new Set((await this.o.ec2.describeSubnets({ subnetIds: ids }, signal)).map((s) => s.subnetId));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw errors.subnetNotFound(missing);
  }

  private async mutate(name: string, signal: AbortSignal, change: (g: AutoScalingGroup) => AutoScalingGroup, namedNotFound = false): Promise<AutoScalingGroup> {
    try {
      const g = await this.o.store.etcd.guaranteedUpdate<AutoScalingGroup>(
        groupKey(name),
        (g) => {
          if (g.status === 'Delete in progress') throw errors.deleting(name);
          return change(g);
        },
        { signal },
      );
      this.o.onChange?.(name);
      return g;
    } catch (err) {
      if (err instanceof NotFoundError) throw errors.notFound(namedNotFound ? name : null);
      throw err;
    }
  }
}
