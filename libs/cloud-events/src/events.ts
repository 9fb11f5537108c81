// The cloud's events on NATS JetStream: one stream (`EKSLAB_CLOUD`, subjects `ekslab.cloud.>`), one subject
// per kind, JSON bodies. Consumers (kubelet agents, ipamd, the cloud-controller-manager, chaos) replay the
// stream to catch up. Each event carries a monotonically increasing `sequence` per publisher and the time.

/** Subject prefix of every cloud event: `ekslab.cloud.<kind>.<resource id>` (e.g. `ekslab.cloud.instance-state.i-0abc`). */
export const cloudEventSubjectPrefix = 'ekslab.cloud';
/** The JetStream stream holding every cloud event. */
export const cloudEventStream = 'EKSLAB_CLOUD';

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

interface Base {
  /** RFC 3339 with milliseconds. */
  readonly time: string;
  /** The cloud replica that made the change (its id, e.g. `cloud-a`). */
  readonly source: string;
}

export interface InstanceStateChanged extends Base {
  readonly kind: 'instance-state';
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly previousState: InstanceState | null;
  readonly state: InstanceState;
  /** Auto Scaling group that owns the instance, when one does. */
  readonly autoScalingGroupName?: string;
  readonly privateIpAddress?: string;
  readonly privateDnsName?: string;
  readonly reason?: string;
}

/** EC2's two-minute warning before a Spot instance is reclaimed. */
export interface SpotInterruptionWarning extends Base {
  readonly kind: 'spot-interruption';
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly action: 'terminate' | 'stop' | 'hibernate';
  /** When the instance will be reclaimed (RFC 3339). */
  readonly actionTime: string;
}

export interface ScalingActivity extends Base {
  readonly kind: 'scaling-activity';
  readonly autoScalingGroupName: string;
  readonly activityId: string;
  readonly description: string;
  /** As AWS words it: "At 2026-11-22T05:00:00Z a user request update of AutoScalingGroup constraints to min: 1, max: 6, desired: 6 changing the desired capacity from 3 to 6." */
  readonly cause: string;
  readonly statusCode: 'PreInService' | 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';
  readonly statusMessage?: string;
  readonly instanceId?: string;
  readonly availabilityZone?: string;
}

export interface NetworkInterfaceChanged extends Base {
  readonly kind: 'eni';
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly action: 'created' | 'attached' | 'detached' | 'deleted' | 'ips-assigned' | 'ips-unassigned' | 'prefixes-assigned' | 'prefixes-unassigned';
  readonly instanceId?: string;
  readonly deviceIndex?: number;
  readonly addresses?: readonly string[];
}

export interface LoadBalancerStateChanged extends Base {
  readonly kind: 'load-balancer-state';
  readonly loadBalancerArn: string;
  readonly loadBalancerName: string;
  readonly dnsName: string;
  readonly type: 'network' | 'application';
  readonly state: 'provisioning' | 'active' | 'active_impaired' | 'failed' | 'deleted';
}

export interface TargetsChanged extends Base {
  readonly kind: 'targets';
  readonly targetGroupArn: string;
  readonly action: 'registered' | 'deregistered';
  readonly targets: ReadonlyArray<{ readonly id: string; readonly port?: number }>;
}

export interface FaultChanged extends Base {
  readonly kind: 'fault';
  /** e.g. `throttle`, `latency`, `az-impaired`. */
  readonly fault: string;
  readonly active: boolean;
  readonly detail: Readonly<Record<string, string | number | boolean>>;
}

export type CloudEvent = InstanceStateChanged | SpotInterruptionWarning | ScalingActivity | NetworkInterfaceChanged | LoadBalancerStateChanged | TargetsChanged | FaultChanged;
export type CloudEventKind = CloudEvent['kind'];

/** A CloudEvent without the fields the publisher fills in. */
export type CloudEventInput = CloudEvent extends infer E ? (E extends CloudEvent ? Omit<E, 'time' | 'source'> : never) : never;

/** The subject an event is published on. */
export function subjectOf(e: Pick<CloudEvent, 'kind'> & Record<string, unknown>): string {
  // The kind's own resource first (an ENI event is about the ENI even when it names its instance).
  const own: Record<CloudEventKind, string> = {
    'instance-state': 'instanceId', 'spot-interruption': 'instanceId', 'scaling-activity': 'autoScalingGroupName', eni: 'networkInterfaceId',
    'load-balancer-state': 'loadBalancerName', targets: 'targetGroupArn', fault: 'fault',
  };
  const keys = [own[e.kind], 'instanceId', 'networkInterfaceId', 'autoScalingGroupName', 'loadBalancerName', 'targetGroupArn', 'fault'];
  const id = keys.map((k) => e[k]).find((v): v is string => typeof v === 'string') ?? 'all';
  return `${cloudEventSubjectPrefix}.${e.kind}.${id.replace(/[.*>\s:/]/g, '_')}`;
}
