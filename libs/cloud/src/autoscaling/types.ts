// The Auto Scaling group as it is stored in etcd (one key per group, CAS-updated), and its scaling activities
// (one key each). Field names follow the EC2 Auto Scaling API (AutoScalingGroup, Instance, Activity).
import type { StoredObject } from '@ekslab/storage';

export type CapacityType = 'on-demand' | 'spot';
export type LifecycleState = 'Pending' | 'InService' | 'Terminating';
export type HealthStatus = 'Healthy' | 'Unhealthy';
export type ActivityStatus = 'PreInService' | 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';

export interface AsgInstance {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly instanceType: string;
  readonly lifecycle: CapacityType;
  lifecycleState: LifecycleState;
  healthStatus: HealthStatus;
  readonly launchTime: string;
  /** Generation of the group's launch configuration (instance types, capacity type) the instance was launched with. */
  readonly launchGeneration: number;
  /** Set while a replica terminates it: who, and until when the claim holds (then another replica may finish it). */
  claim?: Claim;
}

/** A replica's claim on one step (a launch, a termination): another replica takes it over only after `expiresAt`. */
export interface Claim {
  readonly activityId: string;
  readonly owner: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** A launch a replica has claimed but not yet recorded; it counts toward the group's capacity. */
export interface PendingLaunch extends Claim {
  /** First-choice AZ (counted there while in flight); the launch may land in another. */
  readonly availabilityZone: string;
  readonly cause: string;
  readonly rebalance: boolean;
}

export interface AutoScalingGroup extends StoredObject {
  metadata: { name: string; uid: string; resourceVersion?: string };
  autoScalingGroupName: string;
  autoScalingGroupArn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** Subnet ids (AWS: VPCZoneIdentifier, comma-separated on the wire). */
  vpcZoneIdentifier: string[];
  /** Tried in order; the first with capacity in an AZ is launched (MixedInstancesPolicy with `prioritized`). */
  instanceTypes: string[];
  capacityType: CapacityType;
  tags: Record<string, string>;
  createdTime: string;
  /** `Delete in progress` once DeleteAutoScalingGroup(ForceDelete) was called; the reconciler then drains it. */
  status?: 'Delete in progress';
  /** Bumped when instanceTypes / capacityType change: older instances are terminated first on scale-in. */
  launchGeneration: number;
  instances: AsgInstance[];
  pendingLaunches: PendingLaunch[];
  /** AZ → epoch ms until which launches skip it after InsufficientInstanceCapacity there. */
  zoneBackoff: Record<string, number>;
  /** Set by an AZRebalance launch, cleared by the termination that follows it (only the wording of causes depends on it). */
  rebalancing?: boolean;
  /** The user request that last changed the desired capacity, worded as AWS does; prefixed to the next activities' causes. */
  lastUserCause?: string;
}

export interface ScalingActivityRecord extends StoredObject {
  metadata: { name: string; resourceVersion?: string };
  activityId: string;
  autoScalingGroupName: string;
  description: string;
  cause: string;
  startTime: string;
  endTime?: string;
  statusCode: ActivityStatus;
  statusMessage?: string;
  progress: number;
  details: string;
  instanceId?: string;
  availabilityZone?: string;
}
