// The seams between the cloud's parts, so each can be built and tested on its own: the EC2 side
// (VPC, subnets, ENIs, instances) is used by Auto Scaling and ELB through these interfaces, every part
// publishes through an EventSink, and fault controls wrap every API call through a FaultGate.
import type { CloudEventInput, InstanceState } from '@ekslab/cloud-events';

/** AWS-style API error: `code` as the AWS API names it (e.g. `InsufficientFreeAddressesInSubnet`). */
export class CloudApiError extends Error {
  override readonly name = 'CloudApiError';
  constructor(
    readonly code: string,
    message: string,
    /** Whether a retry may succeed (throttling, capacity), as the AWS SDK classifies it. */
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface EventSink {
  /** Publishes one event (time and source are filled in); resolves when the stream has stored it. */
  publish(event: CloudEventInput, signal?: AbortSignal): Promise<void>;
}

export interface InstanceSummary {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly state: InstanceState;
  readonly privateIpAddress: string;
  readonly privateDnsName: string;
  readonly lifecycle: 'on-demand' | 'spot';
  readonly launchTime: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RunInstancesInput {
  readonly instanceType: string;
  readonly subnetId: string;
  readonly count?: number;
  readonly lifecycle?: 'on-demand' | 'spot';
  readonly tags?: Readonly<Record<string, string>>;
  /** Idempotency token (AWS ClientToken): the same token returns the same instances. */
  readonly clientToken?: string;
}

/** What Auto Scaling and ELB need from EC2. Errors are CloudApiError (e.g. `InsufficientInstanceCapacity`). */
export interface Ec2Port {
  runInstances(input: RunInstancesInput, signal: AbortSignal): Promise<InstanceSummary[]>;
  terminateInstances(instanceIds: readonly string[], signal: AbortSignal): Promise<void>;
  describeInstances(filter: { instanceIds?: readonly string[]; tags?: Readonly<Record<string, string>> }, signal: AbortSignal): Promise<InstanceSummary[]>;
  /** Subnets with their AZ (for spreading launches over AZs). */
  describeSubnets(filter: { subnetIds?: readonly string[] }, signal: AbortSignal): Promise<Array<{ subnetId: string; availabilityZone: string; cidrBlock: string; availableIpAddressCount: number; public: boolean }>>;
}

/**
 * Fault controls (chaos): consulted at the start of every API call. May delay the call, or throw
 * CloudApiError `RequestLimitExceeded` (throttling) or `InsufficientInstanceCapacity` (impaired AZ,
 * RunInstances only).
 */
export interface FaultGate {
  enter(api: string, context: { availabilityZone?: string; instanceType?: string }, signal: AbortSignal): Promise<void>;
}

/** No faults. */
export const noFaults: FaultGate = { enter: () => Promise.resolve() };
