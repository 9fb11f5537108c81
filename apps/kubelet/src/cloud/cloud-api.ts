// The cloud calls a kubelet agent makes, over the simulated cloud's gRPC (one channel, reused for every call).
import { credentials } from '@grpc/grpc-js';
import {
  AutoScalingServiceClient,
  Ec2ServiceClient,
  type AsgAutoScalingGroup as AutoScalingGroup,
  type CreateAutoScalingGroupRequest,
  type Ec2Instance as Instance,
  type Ec2InstanceTypeInfo as InstanceTypeInfo,
  type Ec2Subnet as Subnet,
  type Ec2Vpc as Vpc,
} from '@ekslab/proto';
import { unary } from './unary.js';

export type { AutoScalingGroup, Instance, InstanceTypeInfo, Subnet, Vpc };

/** What the agent asks the cloud. Failures reject with RemoteCallError; aborts with the signal's reason. */
export interface CloudApi {
  describeAutoScalingGroups(names: readonly string[], signal: AbortSignal): Promise<AutoScalingGroup[]>;
  createAutoScalingGroup(req: CreateAutoScalingGroupRequest, signal: AbortSignal): Promise<AutoScalingGroup>;
  describeVpcs(signal: AbortSignal): Promise<Vpc[]>;
  describeSubnets(vpcId: string, signal: AbortSignal): Promise<Subnet[]>;
  describeInstances(instanceIds: readonly string[], signal: AbortSignal): Promise<Instance[]>;
  describeInstanceTypes(names: readonly string[], signal: AbortSignal): Promise<InstanceTypeInfo[]>;
  close(): void;
}

/** The cloud over gRPC at `endpoint` (host:port, plaintext as the lab serves it); every call bounded by `timeoutMs`. */
export function grpcCloudApi(endpoint: string, timeoutMs: number): CloudApi {
  const channel = credentials.createInsecure();
  const asg = new AutoScalingServiceClient(endpoint, channel);
  // The EC2 client shares the channel of the first (same target, same options).
  const ec2 = new Ec2ServiceClient(endpoint, channel, { channelOverride: asg.getChannel() });
  return {
    describeAutoScalingGroups: async (names, signal) =>
      (await unary('DescribeAutoScalingGroups', asg.describeAutoScalingGroups.bind(asg), { autoScalingGroupNames: [...names] }, signal, timeoutMs)).autoScalingGroups,
    createAutoScalingGroup: async (req, signal) => {
      const res = await unary('CreateAutoScalingGroup', asg.createAutoScalingGroup.bind(asg), req, signal, timeoutMs);
      if (res.autoScalingGroup === undefined) throw new Error('CreateAutoScalingGroup answered without the group');
      return res.autoScalingGroup;
    },
    describeVpcs: async (signal) => (await unary('DescribeVpcs', ec2.describeVpcs.bind(ec2), {}, signal, timeoutMs)).vpcs,
    describeSubnets: async (vpcId, signal) => (await unary('DescribeSubnets', ec2.describeSubnets.bind(ec2), { subnetIds: [], vpcId }, signal, timeoutMs)).subnets,
    describeInstances: async (instanceIds, signal) =>
      (await unary('DescribeInstances', ec2.describeInstances.bind(ec2), { instanceIds: [...instanceIds], tags: {} }, signal, timeoutMs)).instances,
    describeInstanceTypes: async (names, signal) =>
      (await unary('DescribeInstanceTypes', ec2.describeInstanceTypes.bind(ec2), { instanceTypes: [...names] }, signal, timeoutMs)).instanceTypes,
    close: () => {
      ec2.close();
      asg.close();
    },
  };
}
