// The Ec2Service gRPC server (proto/ekslab/cloud/v1/ec2.proto) over Vpcs, NetworkInterfaces and
// Instances. Each call gets an AbortSignal that fires when the client cancels or goes away.
import type { Server } from '@grpc/grpc-js';
import { Ec2ServiceService, type Ec2ServiceServer, type Ec2Instance, type Ec2NetworkInterface, type Ec2Subnet, type Ec2Vpc } from '@ekslab/proto';
import { unaryHandler, type ErrorLog } from '../grpc/unary.js';
import type { InstanceSummary } from '../ports.js';
import type { NetworkInterfaces } from './eni.js';
import { eniMaxPods, instanceTypes } from './instance-types.js';
import type { Instances } from './instances.js';
import type { EniRecord } from './records.js';
import type { SubnetDescription, VpcRecord, Vpcs } from './vpc.js';

export interface Ec2ServiceDeps {
  readonly vpcs: Vpcs;
  readonly enis: NetworkInterfaces;
  readonly instances: Instances;
  /** Where unexpected failures (not AWS errors) are logged. */
  readonly log: ErrorLog;
}

/** Adds Ec2Service to `server` (which the caller binds, starts and shuts down). */
export function registerEc2Service(server: Server, deps: Ec2ServiceDeps): void {
  server.addService(Ec2ServiceService, createEc2Service(deps));
}

const opt = (s: string): string | undefined => (s === '' ? undefined : s);

export function createEc2Service({ vpcs, enis, instances, log }: Ec2ServiceDeps): Ec2ServiceServer {
  return {
    createVpc: unaryHandler(log, 'CreateVpc', async (req, signal) => ({ vpc: vpcOut(await vpcs.createVpc({ cidrBlock: req.cidrBlock, tags: req.tags }, signal)) })),
    associateVpcCidrBlock: unaryHandler(log, 'AssociateVpcCidrBlock', async (req, signal) => ({ vpc: vpcOut(await vpcs.associateVpcCidrBlock(req.vpcId, req.cidrBlock, signal)) })),
    describeVpcs: unaryHandler(log, 'DescribeVpcs', async (_req, signal) => ({ vpcs: (await vpcs.describeVpcs(signal)).map(vpcOut) })),
    createSubnet: unaryHandler(log, 'CreateSubnet', async (req, signal) => ({
      subnet: subnetOut(
        await vpcs.createSubnet(
          {
            vpcId: req.vpcId,
            availabilityZone: req.availabilityZone,
            ...(req.cidrBlock ? { cidrBlock: req.cidrBlock } : { prefixLength: req.ipv4NetmaskLength }),
            public: req.public,
            tags: req.tags,
          },
          signal,
        ),
      ),
    })),
    describeSubnets: unaryHandler(log, 'DescribeSubnets', async (req, signal) => ({ subnets: (await vpcs.describeSubnets({ subnetIds: req.subnetIds, ...(req.vpcId ? { vpcId: req.vpcId } : {}) }, signal)).map(subnetOut) })),
    describeInstanceTypes: unaryHandler(log, 'DescribeInstanceTypes', (req) =>
      Promise.resolve({
        instanceTypes: [...instanceTypes.values()]
          .filter((t) => !req.instanceTypes.length || req.instanceTypes.includes(t.name))
          .map((t) => ({ instanceType: t.name, vcpus: t.vcpus, memoryMib: t.memoryMiB, maximumNetworkInterfaces: t.maxEnis, ipv4AddressesPerInterface: t.ipv4PerEni, eniMaxPods: eniMaxPods(t) })),
      }),
    ),
    runInstances: unaryHandler(log, 'RunInstances', async (req, signal) => ({
      instances: (
        await instances.runInstances(
          {
            instanceType: req.instanceType,
            subnetId: req.subnetId,
            count: req.count || 1,
            lifecycle: req.lifecycle === 'spot' ? 'spot' : 'on-demand',
            tags: req.tags,
            ...(req.clientToken ? { clientToken: req.clientToken } : {}),
          },
          signal,
        )
      ).map(instanceOut),
    })),
    terminateInstances: unaryHandler(log, 'TerminateInstances', async (req, signal) => {
      await instances.terminateInstances(req.instanceIds, signal);
      return {};
    }),
    describeInstances: unaryHandler(log, 'DescribeInstances', async (req, signal) => ({ instances: (await instances.describeInstances({ instanceIds: req.instanceIds, tags: req.tags }, signal)).map(instanceOut) })),
    interruptSpotInstance: unaryHandler(log, 'InterruptSpotInstance', (req, signal) => instances.interruptSpot(req.instanceId, signal)),
    createNetworkInterface: unaryHandler(log, 'CreateNetworkInterface', async (req, signal) => {
      const privateIpAddress = opt(req.privateIpAddress);
      return { networkInterface: eniOut(await enis.createNetworkInterface({ subnetId: req.subnetId, description: req.description, tags: req.tags, ...(privateIpAddress ? { privateIpAddress } : {}) }, signal)) };
    }),
    attachNetworkInterface: unaryHandler(log, 'AttachNetworkInterface', async (req, signal) => ({
      attachmentId: (await enis.attachNetworkInterface({ networkInterfaceId: req.networkInterfaceId, instanceId: req.instanceId, deviceIndex: req.deviceIndex, deleteOnTermination: req.deleteOnTermination }, signal)).attachmentId,
    })),
    detachNetworkInterface: unaryHandler(log, 'DetachNetworkInterface', async (req, signal) => {
      const networkInterfaceId = opt(req.networkInterfaceId);
      await enis.detachNetworkInterface(networkInterfaceId ? { networkInterfaceId } : { attachmentId: req.attachmentId }, signal);
      return {};
    }),
    deleteNetworkInterface: unaryHandler(log, 'DeleteNetworkInterface', async (req, signal) => {
      await enis.deleteNetworkInterface(req.networkInterfaceId, signal);
      return {};
    }),
    describeNetworkInterfaces: unaryHandler(log, 'DescribeNetworkInterfaces', async (req, signal) => {
      const instanceId = opt(req.instanceId);
      const subnetId = opt(req.subnetId);
      const list = await enis.describeNetworkInterfaces({ networkInterfaceIds: req.networkInterfaceIds, ...(instanceId ? { instanceId } : {}), ...(subnetId ? { subnetId } : {}) }, signal);
      return { networkInterfaces: list.map(eniOut) };
    }),
    assignPrivateIpAddresses: unaryHandler(log, 'AssignPrivateIpAddresses', async (req, signal) => ({
      assignedPrivateIpAddresses: (
        await enis.assignPrivateIpAddresses(
          { networkInterfaceId: req.networkInterfaceId, secondaryPrivateIpAddressCount: req.secondaryPrivateIpAddressCount, privateIpAddresses: req.privateIpAddresses },
          signal,
        )
      ).assigned,
    })),
    unassignPrivateIpAddresses: unaryHandler(log, 'UnassignPrivateIpAddresses', async (req, signal) => {
      await enis.unassignPrivateIpAddresses({ networkInterfaceId: req.networkInterfaceId, privateIpAddresses: req.privateIpAddresses }, signal);
      return {};
    }),
    assignIpv4Prefixes: unaryHandler(log, 'AssignIpv4Prefixes', async (req, signal) => ({
      assignedIpv4Prefixes: (await enis.assignIpv4Prefixes({ networkInterfaceId: req.networkInterfaceId, ipv4PrefixCount: req.ipv4PrefixCount }, signal)).assigned,
    })),
    unassignIpv4Prefixes: unaryHandler(log, 'UnassignIpv4Prefixes', async (req, signal) => {
      await enis.unassignIpv4Prefixes({ networkInterfaceId: req.networkInterfaceId, ipv4Prefixes: req.ipv4Prefixes }, signal);
      return {};
    }),
  };
}

function vpcOut(v: VpcRecord): Ec2Vpc {
  return { vpcId: v.vpcId, cidrBlock: v.cidrBlock, cidrBlocks: v.cidrBlockAssociations.map((a) => a.cidrBlock), tags: v.tags };
}

function subnetOut(s: SubnetDescription): Ec2Subnet {
  return { ...s };
}

function instanceOut(i: InstanceSummary): Ec2Instance {
  return { ...i, tags: { ...i.tags } };
}

function eniOut(e: EniRecord): Ec2NetworkInterface {
  return {
    networkInterfaceId: e.networkInterfaceId,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    availabilityZone: e.availabilityZone,
    description: e.description,
    status: e.status,
    privateIpAddress: e.privateIpAddress,
    privateIpAddresses: e.privateIpAddresses,
    ipv4Prefixes: e.ipv4Prefixes,
    ...(e.attachment ? { attachment: { attachmentId: e.attachment.attachmentId, instanceId: e.attachment.instanceId, deviceIndex: e.attachment.deviceIndex, deleteOnTermination: e.attachment.deleteOnTermination } } : {}),
    tags: e.tags,
  };
}
