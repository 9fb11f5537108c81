// The EC2 calls ipamd makes (aws-node's awsutils), as a port so the node IPAM is testable without a cloud,
// and its adapter over the simulated cloud's Ec2Service. Every call reports awscni_aws_api_latency_ms.
import { credentials, Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import {
  cloudErrorFromServiceError,
  Ec2ServiceClient,
  type Ec2Instance,
  type Ec2InstanceTypeInfo,
  type Ec2NetworkInterface,
  type Ec2Subnet,
  type Ec2Vpc,
} from '@ekslab/proto';
import type { IpamdMetrics } from './metrics.js';

/** An EC2 API error (the cloud's AWS code and message). `retryable` as the cloud marks it. */
export class Ec2Error extends Error {
  override readonly name = 'Ec2Error';
  constructor(
    readonly api: string,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(`${api}: ${code}: ${message}`, options);
  }
}

/** The subnet has no room: ipamd's `containsInsufficientCIDRsOrSubnetIPs`. */
export function isInsufficientAddresses(err: unknown): boolean {
  return err instanceof Ec2Error && (err.code === 'InsufficientFreeAddressesInSubnet' || err.code === 'InsufficientCidrBlocks');
}

export interface Ec2Port {
  describeInstance(instanceId: string, signal: AbortSignal): Promise<Ec2Instance | undefined>;
  describeInstanceType(instanceType: string, signal: AbortSignal): Promise<Ec2InstanceTypeInfo | undefined>;
  describeSubnet(subnetId: string, signal: AbortSignal): Promise<Ec2Subnet | undefined>;
  describeVpc(vpcId: string, signal: AbortSignal): Promise<Ec2Vpc | undefined>;
  /** ENIs attached to the instance, or without `instanceId` every ENI in the region (the leaked-ENI sweep). */
  describeNetworkInterfaces(filter: { instanceId?: string }, signal: AbortSignal): Promise<Ec2NetworkInterface[]>;
  createNetworkInterface(input: { subnetId: string; description: string; tags: Record<string, string> }, signal: AbortSignal): Promise<Ec2NetworkInterface>;
  attachNetworkInterface(input: { eniId: string; instanceId: string; deviceIndex: number }, signal: AbortSignal): Promise<void>;
  detachNetworkInterface(eniId: string, signal: AbortSignal): Promise<void>;
  deleteNetworkInterface(eniId: string, signal: AbortSignal): Promise<void>;
  assignPrivateIpAddresses(eniId: string, count: number, signal: AbortSignal): Promise<string[]>;
  unassignPrivateIpAddresses(eniId: string, ips: readonly string[], signal: AbortSignal): Promise<void>;
  assignIpv4Prefixes(eniId: string, count: number, signal: AbortSignal): Promise<string[]>;
  unassignIpv4Prefixes(eniId: string, prefixes: readonly string[], signal: AbortSignal): Promise<void>;
}

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

/** Ec2Port over the cloud's gRPC Ec2Service. */
export class GrpcEc2 implements Ec2Port {
  private readonly client: Ec2ServiceClient;

  constructor(
    endpoint: string,
    private readonly timeoutMs: number,
    private readonly metrics?: IpamdMetrics,
  ) {
    this.client = new Ec2ServiceClient(endpoint, credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  private call<Res>(api: string, signal: AbortSignal, start: (md: Metadata, options: Partial<CallOptions>, cb: Callback<Res>) => { cancel(): void }): Promise<Res> {
    signal.throwIfAborted();
    const t0 = performance.now();
    this.metrics?.ec2Requests.inc({ fn: api });
    return new Promise<Res>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = start(new Metadata(), { deadline: Date.now() + this.timeoutMs }, (err, res) => {
        signal.removeEventListener('abort', onAbort);
        const ms = performance.now() - t0;
        if (!err) {
          this.metrics?.awsApiLatency.observe({ api, error: 'false', status: '200' }, ms);
          return resolve(res);
        }
        if (signal.aborted) return reject(signal.reason as Error);
        const aws = cloudErrorFromServiceError(err);
        this.metrics?.awsApiLatency.observe({ api, error: 'true', status: aws ? '400' : '500' }, ms);
        this.metrics?.ec2Errors.inc({ fn: api });
        if (aws) this.metrics?.awsApiErrors.inc({ api, error: aws.code });
        reject(aws ? new Ec2Error(api, aws.code, aws.message, aws.retryable, { cause: err }) : new Ec2Error(api, 'Unavailable', `gRPC ${err.code}: ${err.details}`, true, { cause: err }));
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async describeInstance(instanceId: string, signal: AbortSignal): Promise<Ec2Instance | undefined> {
    try {
      const res = await this.call<{ instances: Ec2Instance[] }>('DescribeInstances', signal, (md, o, cb) => this.client.describeInstances({ instanceIds: [instanceId], tags: {} }, md, o, cb));
      return res.instances.find((i) => i.instanceId === instanceId);
    } catch (err) {
      if (err instanceof Ec2Error && err.code === 'InvalidInstanceID.NotFound') return undefined;
      throw err;
    }
  }

  async describeInstanceType(instanceType: string, signal: AbortSignal): Promise<Ec2InstanceTypeInfo | undefined> {
    const res = await this.call<{ instanceTypes: Ec2InstanceTypeInfo[] }>('DescribeInstanceTypes', signal, (md, o, cb) => this.client.describeInstanceTypes({ instanceTypes: [instanceType] }, md, o, cb));
    return res.instanceTypes.find((t) => t.instanceType === instanceType);
  }

  async describeSubnet(subnetId: string, signal: AbortSignal): Promise<Ec2Subnet | undefined> {
    try {
      const res = await this.call<{ subnets: Ec2Subnet[] }>('DescribeSubnets', signal, (md, o, cb) => this.client.describeSubnets({ subnetIds: [subnetId], vpcId: '' }, md, o, cb));
      return res.subnets.find((s) => s.subnetId === subnetId);
    } catch (err) {
      if (err instanceof Ec2Error && err.code === 'InvalidSubnetID.NotFound') return undefined;
      throw err;
    }
  }

  async describeVpc(vpcId: string, signal: AbortSignal): Promise<Ec2Vpc | undefined> {
    const res = await this.call<{ vpcs: Ec2Vpc[] }>('DescribeVpcs', signal, (md, o, cb) => this.client.describeVpcs({}, md, o, cb));
    return res.vpcs.find((v) => v.vpcId === vpcId);
  }

  async describeNetworkInterfaces(filter: { instanceId?: string }, signal: AbortSignal): Promise<Ec2NetworkInterface[]> {
    const res = await this.call<{ networkInterfaces: Ec2NetworkInterface[] }>('DescribeNetworkInterfaces', signal, (md, o, cb) =>
      this.client.describeNetworkInterfaces({ networkInterfaceIds: [], instanceId: filter.instanceId ?? '', subnetId: '' }, md, o, cb),
    );
    return res.networkInterfaces;
  }

  async createNetworkInterface(input: { subnetId: string; description: string; tags: Record<string, string> }, signal: AbortSignal): Promise<Ec2NetworkInterface> {
    const res = await this.call<{ networkInterface?: Ec2NetworkInterface }>('CreateNetworkInterface', signal, (md, o, cb) =>
      this.client.createNetworkInterface({ subnetId: input.subnetId, privateIpAddress: '', description: input.description, tags: input.tags }, md, o, cb),
    );
    if (!res.networkInterface) throw new Ec2Error('CreateNetworkInterface', 'InternalError', 'no network interface in the reply', true);
    return res.networkInterface;
  }

  async attachNetworkInterface(input: { eniId: string; instanceId: string; deviceIndex: number }, signal: AbortSignal): Promise<void> {
    await this.call('AttachNetworkInterface', signal, (md, o, cb) =>
      this.client.attachNetworkInterface({ networkInterfaceId: input.eniId, instanceId: input.instanceId, deviceIndex: input.deviceIndex, deleteOnTermination: true }, md, o, cb),
    );
  }

  async detachNetworkInterface(eniId: string, signal: AbortSignal): Promise<void> {
    await this.call('DetachNetworkInterface', signal, (md, o, cb) => this.client.detachNetworkInterface({ attachmentId: '', networkInterfaceId: eniId }, md, o, cb));
  }

  async deleteNetworkInterface(eniId: string, signal: AbortSignal): Promise<void> {
    await this.call('DeleteNetworkInterface', signal, (md, o, cb) => this.client.deleteNetworkInterface({ networkInterfaceId: eniId }, md, o, cb));
  }

  async assignPrivateIpAddresses(eniId: string, count: number, signal: AbortSignal): Promise<string[]> {
    const res = await this.call<{ assignedPrivateIpAddresses: string[] }>('AssignPrivateIpAddresses', signal, (md, o, cb) =>
      this.client.assignPrivateIpAddresses({ networkInterfaceId: eniId, secondaryPrivateIpAddressCount: count, privateIpAddresses: [] }, md, o, cb),
    );
    return res.assignedPrivateIpAddresses;
  }

  async unassignPrivateIpAddresses(eniId: string, ips: readonly string[], signal: AbortSignal): Promise<void> {
    await this.call('UnassignPrivateIpAddresses', signal, (md, o, cb) => this.client.unassignPrivateIpAddresses({ networkInterfaceId: eniId, privateIpAddresses: [...ips] }, md, o, cb));
  }

  async assignIpv4Prefixes(eniId: string, count: number, signal: AbortSignal): Promise<string[]> {
    const res = await this.call<{ assignedIpv4Prefixes: string[] }>('AssignIpv4Prefixes', signal, (md, o, cb) => this.client.assignIpv4Prefixes({ networkInterfaceId: eniId, ipv4PrefixCount: count }, md, o, cb));
    return res.assignedIpv4Prefixes;
  }

  async unassignIpv4Prefixes(eniId: string, prefixes: readonly string[], signal: AbortSignal): Promise<void> {
    await this.call('UnassignIpv4Prefixes', signal, (md, o, cb) => this.client.unassignIpv4Prefixes({ networkInterfaceId: eniId, ipv4Prefixes: [...prefixes] }, md, o, cb));
  }
}
