// What EC2 keeps in etcd (under the cloud store's prefix): one record per ENI and per instance. A
// subnet's address chunks (ipam.ts) are the truth about which addresses are taken; the ENI records say
// who holds them. Both change in the same transaction.
import type { InstanceState } from '@ekslab/cloud-events';
import type { StoredObject } from '@ekslab/storage';

export interface EniAttachment {
  attachmentId: string;
  instanceId: string;
  deviceIndex: number;
  /** Whether terminating the instance deletes the ENI (true for the primary ENI, default false otherwise). */
  deleteOnTermination: boolean;
  /** The instance's type, whose per-ENI address limit applies while attached. */
  instanceType: string;
}

export interface EniRecord extends StoredObject {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly description: string;
  status: 'available' | 'in-use';
  /** The primary private address; first of `privateIpAddresses`. */
  readonly privateIpAddress: string;
  privateIpAddresses: string[];
  /** /28 prefixes (AssignIpv4Prefixes), e.g. `10.0.1.16/28`. */
  ipv4Prefixes: string[];
  attachment?: EniAttachment;
  readonly tags: Record<string, string>;
}

export interface InstanceRecord extends StoredObject {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly vpcId: string;
  state: InstanceState;
  readonly lifecycle: 'on-demand' | 'spot';
  readonly launchTime: string;
  readonly privateIpAddress: string;
  readonly privateDnsName: string;
  readonly tags: Record<string, string>;
  /** Attached ENIs by device index (0 = the primary ENI). */
  networkInterfaces: Array<{ networkInterfaceId: string; deviceIndex: number }>;
  /** Epoch ms at which the reconciler moves the instance on (pending → running, shutting-down → terminated, terminated → gone). */
  nextTransitionAt?: number;
  /** Spot: when the interruption takes the instance (epoch ms), set by interruptSpot. */
  spotInterruptionAt?: number;
  stateReason?: string;
  readonly clientToken?: string;
}

export const eniKey = (id: string): string => `/ec2/enis/${id}`;
export const instanceKey = (id: string): string => `/ec2/instances/${id}`;
export const clientTokenKey = (token: string): string => `/ec2/client-tokens/${Buffer.from(token).toString('base64url')}`;

export interface ClientTokenRecord extends StoredObject {
  readonly clientToken: string;
  readonly instanceIds: string[];
  /** A digest of the request; the same token with other parameters is `IdempotentParameterMismatch`. */
  readonly request: string;
}
