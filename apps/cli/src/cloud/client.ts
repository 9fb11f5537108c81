// The CLI's view of the cloud service: one adapter per API turning gRPC responses into the view shapes.
import { credentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import {
  cloudErrorFromServiceError,
  Ec2ServiceClient,
  ElasticLoadBalancingServiceClient,
  FaultServiceClient,
  type DescribeInstancesResponse,
  type DescribeLoadBalancersResponse,
  type DescribeNetworkInterfacesResponse,
  type DescribeSubnetsResponse,
  type Ec2Instance,
  type Ec2NetworkInterface,
  type Ec2Subnet,
  type ElbLoadBalancer,
  type ListFaultsResponse,
} from '@ekslab/proto';
import type { FaultsView, InstanceView, LoadBalancerView, NetworkInterfaceView, SubnetView } from './shapes.js';

/** What `ekslab cloud …` reads. Every call is bounded by `signal`. */
export interface CloudReader {
  subnets(signal: AbortSignal): Promise<SubnetView[]>;
  instances(signal: AbortSignal): Promise<InstanceView[]>;
  networkInterfaces(signal: AbortSignal): Promise<NetworkInterfaceView[]>;
  loadBalancers(signal: AbortSignal): Promise<LoadBalancerView[]>;
  faults(signal: AbortSignal): Promise<FaultsView>;
  close(): void;
}

/** The service answered with an AWS-style error (e.g. RequestLimitExceeded). */
export class CloudCallError extends Error {
  override readonly name = 'CloudCallError';
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
  }
}

/** The cloud service could not be reached or failed outside the AWS error model. */
export class CloudUnreachableError extends Error {
  override readonly name = 'CloudUnreachableError';
  constructor(address: string, detail: string, options?: { cause?: unknown }) {
    super(`cannot reach the cloud service at ${address} (--server or EKSLAB_CLOUD_ADDRESS): ${detail}`, options);
  }
}

/** The cloud service answered UNIMPLEMENTED: an older build that does not serve this API. */
export class NotServedYetError extends Error {
  override readonly name = 'NotServedYetError';
  constructor(what: string) {
    super(`the cloud service does not serve ${what} yet`);
  }
}

function unary<Req, Res>(address: string, signal: AbortSignal, call: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => { cancel(): void }, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    const c = call(req, (err, res) => {
      signal.removeEventListener('abort', onAbort);
      if (!err) return resolve(res);
      const aws = cloudErrorFromServiceError(err);
      if (aws) return reject(new CloudCallError(aws.code, aws.message, { cause: err }));
      if (err.code === GrpcCode.UNIMPLEMENTED) return reject(new NotServedYetError(err.details || 'this API'));
      reject(new CloudUnreachableError(address, err.details || err.message, { cause: err }));
    });
    const onAbort = (): void => c.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function faultsFromProto(res: ListFaultsResponse): FaultsView {
  const f = res.faults;
  return {
    throttles: (f?.throttles ?? []).map((t) => ({ api: t.api, ratePerSecond: t.ratePerSecond, burst: t.burst })),
    latencies: (f?.latencies ?? []).map((l) => ({ api: l.api, fixedMs: l.fixedMs, jitterMs: l.jitterMs })),
    impairedAzs: (f?.impairedAzs ?? []).map((z) => ({ availabilityZone: z.availabilityZone, since: z.since })),
  };
}

export function subnetFromProto(s: Ec2Subnet): SubnetView {
  return { subnetId: s.subnetId, availabilityZone: s.availabilityZone, cidrBlock: s.cidrBlock, availableIpAddressCount: s.availableIpAddressCount, public: s.public };
}

export function instanceFromProto(i: Ec2Instance): InstanceView {
  return {
    instanceId: i.instanceId,
    instanceType: i.instanceType,
    availabilityZone: i.availabilityZone,
    subnetId: i.subnetId,
    state: i.state,
    privateIpAddress: i.privateIpAddress,
    privateDnsName: i.privateDnsName,
    lifecycle: i.lifecycle === 'spot' ? 'spot' : 'on-demand',
    launchTime: i.launchTime,
  };
}

export function networkInterfaceFromProto(e: Ec2NetworkInterface): NetworkInterfaceView {
  return {
    networkInterfaceId: e.networkInterfaceId,
    subnetId: e.subnetId,
    availabilityZone: e.availabilityZone,
    status: e.status,
    ...(e.attachment ? { instanceId: e.attachment.instanceId, deviceIndex: e.attachment.deviceIndex } : {}),
    privateIpAddresses: e.privateIpAddresses,
    ipv4Prefixes: e.ipv4Prefixes,
  };
}

export function loadBalancerFromProto(lb: ElbLoadBalancer): LoadBalancerView {
  return {
    loadBalancerName: lb.loadBalancerName,
    type: lb.type === 'network' ? 'network' : 'application',
    state: lb.state,
    dnsName: lb.dnsName,
    scheme: lb.scheme === 'internal' ? 'internal' : 'internet-facing',
  };
}

/** The gRPC adapter (plaintext, as the cloud serves): Ec2Service, ElasticLoadBalancingService and FaultService. */
export function grpcCloudReader(address: string): CloudReader {
  const creds = credentials.createInsecure();
  const faults = new FaultServiceClient(address, creds);
  const ec2 = new Ec2ServiceClient(address, creds);
  const elb = new ElasticLoadBalancingServiceClient(address, creds);
  return {
    subnets: async (signal) =>
      (await unary(address, signal, (req, cb: (err: ServiceError | null, res: DescribeSubnetsResponse) => void) => ec2.describeSubnets(req, cb), { subnetIds: [], vpcId: '' })).subnets.map(subnetFromProto),
    instances: async (signal) =>
      (await unary(address, signal, (req, cb: (err: ServiceError | null, res: DescribeInstancesResponse) => void) => ec2.describeInstances(req, cb), { instanceIds: [], tags: {} })).instances.map(instanceFromProto),
    networkInterfaces: async (signal) =>
      (
        await unary(address, signal, (req, cb: (err: ServiceError | null, res: DescribeNetworkInterfacesResponse) => void) => ec2.describeNetworkInterfaces(req, cb), { networkInterfaceIds: [], instanceId: '', subnetId: '' })
      ).networkInterfaces.map(networkInterfaceFromProto),
    loadBalancers: async (signal) =>
      (await unary(address, signal, (req, cb: (err: ServiceError | null, res: DescribeLoadBalancersResponse) => void) => elb.describeLoadBalancers(req, cb), { names: [], loadBalancerArns: [] })).loadBalancers.map(loadBalancerFromProto),
    faults: async (signal) => faultsFromProto(await unary(address, signal, (req, cb) => faults.listFaults(req, cb), {})),
    close: () => {
      faults.close();
      ec2.close();
      elb.close();
    },
  };
}
