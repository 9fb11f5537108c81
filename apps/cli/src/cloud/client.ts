// The CLI's view of the cloud service: one adapter per API turning gRPC responses into the view shapes.
import { credentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { cloudErrorFromServiceError, FaultServiceClient, type ListFaultsResponse } from '@ekslab/proto';
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

/** This build's cloud service has no such API yet (its service is registered by another part of issue 4). */
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

/**
 * The gRPC adapter (plaintext, as the cloud serves). LEAD: subnets / instances / networkInterfaces /
 * loadBalancers throw NotServedYetError until the EC2 and ELB protos land; then each becomes one call on
 * the generated client mapped onto its view (e.g. `new Ec2ServiceClient(address, creds).describeSubnets`
 * → `SubnetView { subnetId, availabilityZone, cidrBlock, availableIpAddressCount, public }`).
 */
export function grpcCloudReader(address: string): CloudReader {
  const creds = credentials.createInsecure();
  const faults = new FaultServiceClient(address, creds);
  return {
    subnets: () => Promise.reject(new NotServedYetError('DescribeSubnets (EC2)')),
    instances: () => Promise.reject(new NotServedYetError('DescribeInstances (EC2)')),
    networkInterfaces: () => Promise.reject(new NotServedYetError('DescribeNetworkInterfaces (EC2)')),
    loadBalancers: () => Promise.reject(new NotServedYetError('DescribeLoadBalancers (ELB)')),
    faults: async (signal) => faultsFromProto(await unary(address, signal, (req, cb) => faults.listFaults(req, cb), {})),
    close: () => faults.close(),
  };
}
