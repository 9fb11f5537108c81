// Elastic Load Balancing (v2) as stored in the cloud's etcd prefix: one key per load balancer (with its
// listeners) and one per target group (with its targets). Field names follow the ELBv2 API.
import type { StoredObject } from '@ekslab/storage';

export type LoadBalancerType = 'network' | 'application';
export type Scheme = 'internet-facing' | 'internal';
export type LoadBalancerStateCode = 'provisioning' | 'active' | 'active_impaired' | 'failed';
export type Protocol = 'TCP' | 'UDP' | 'TCP_UDP' | 'TLS' | 'HTTP' | 'HTTPS';
export type TargetType = 'instance' | 'ip';

export interface Listener {
  readonly listenerArn: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly defaultTargetGroupArn: string;
}

export interface LoadBalancer extends StoredObject {
  metadata: { name: string; uid: string; resourceVersion?: string };
  loadBalancerArn: string;
  loadBalancerName: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  type: LoadBalancerType;
  scheme: Scheme;
  state: LoadBalancerStateCode;
  availabilityZones: Array<{ zoneName: string; subnetId: string }>;
  createdTime: string;
  /** Epoch ms at which provisioning ends. */
  activeAt: number;
  listeners: Listener[];
}

export interface HealthCheck {
  protocol: Protocol;
  /** `traffic-port` or a port number as a string, as the API has it. */
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher?: string;
}

export interface RegisteredTarget {
  readonly id: string;
  readonly port: number;
  /** Epoch ms. */
  readonly registeredAt: number;
  /** Epoch ms; set while draining after DeregisterTargets. */
  deregisteredAt?: number;
}

export interface TargetGroup extends StoredObject {
  metadata: { name: string; uid: string; resourceVersion?: string };
  targetGroupArn: string;
  targetGroupName: string;
  protocol: Protocol;
  port: number;
  targetType: TargetType;
  vpcId: string;
  healthCheck: HealthCheck;
  /** Seconds a deregistered target drains; default 300 as on AWS. */
  deregistrationDelaySeconds: number;
  targets: RegisteredTarget[];
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetHealthDescription {
  readonly target: { readonly id: string; readonly port: number };
  readonly healthCheckPort: string;
  readonly state: TargetHealthState;
  readonly reason?: string;
  readonly description?: string;
}
