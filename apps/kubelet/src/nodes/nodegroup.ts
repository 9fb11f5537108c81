// A managed node group as EKS builds it: ONE Auto Scaling group over the private subnets of every AZ, named
// `eks-<nodegroup>-<uuid>` and tagged with the cluster and node group. Several agents (one per AZ) start at
// once and must converge on one group: the uuid is derived from cluster + node group instead of random, and
// a group already carrying the node group's tags is adopted whatever its name.
import { createHash } from 'node:crypto';
import type { Logger } from '@ekslab/runtime';
import type { AutoScalingGroup, CloudApi } from '../cloud/cloud-api.js';
import { RemoteCallError } from '../cloud/unary.js';

export interface NodegroupSpec {
  readonly clusterName: string;
  readonly nodegroup: string;
  /** Used only when the group is created; an adopted group keeps its sizes (SetDesiredCapacity is not undone). */
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly instanceTypes: readonly string[];
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  /** Subnets of a created group; empty: the private subnets of `vpcName`. */
  readonly subnetIds: readonly string[];
  readonly vpcName: string;
}

/** The node group's id as EKS shows it (a UUID), derived from cluster and node group so every agent agrees. */
export function nodegroupId(clusterName: string, nodegroup: string): string {
  const h = createHash('sha256').update(`${clusterName}/${nodegroup}`).digest('hex');
  // Version 4 / RFC 4122 variant bits, so it reads like the UUIDs EKS hands out.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `eks-<nodegroup>-<nodegroup id>`, the name EKS gives a managed node group's Auto Scaling group. */
export function nodegroupAsgName(clusterName: string, nodegroup: string): string {
  return `eks-${nodegroup}-${nodegroupId(clusterName, nodegroup)}`;
}

/**
 * The tags EKS puts on a node group's Auto Scaling group (propagated to its instances): cluster and node
 * group names and the cluster-autoscaler's auto-discovery tags. (libs/cloud nodegroup.ts writes the same
 * set for groups created through the cloud; the kubelet scope may not import it.)
 */
export function nodegroupTags(clusterName: string, nodegroup: string, capacityType: 'ON_DEMAND' | 'SPOT'): Record<string, string> {
  return {
    'eks:cluster-name': clusterName,
    'eks:nodegroup-name': nodegroup,
    [`kubernetes.io/cluster/${clusterName}`]: 'owned',
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
    'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': capacityType,
  };
}

/** Whether `group` is the node group's (by its tags), and not being deleted. */
export function isNodegroupAsg(group: AutoScalingGroup, clusterName: string, nodegroup: string): boolean {
  return group.tags['eks:cluster-name'] === clusterName && group.tags['eks:nodegroup-name'] === nodegroup && group.status === '';
}

/** The private subnets of the VPC tagged `Name=<vpcName>`, one per AZ (the first by id), ordered by AZ. */
export async function privateSubnets(cloud: CloudApi, vpcName: string, signal: AbortSignal): Promise<string[]> {
  const vpc = (await cloud.describeVpcs(signal)).find((v) => v.tags['Name'] === vpcName);
  if (vpc === undefined) throw new NodegroupSetupError(`no VPC tagged Name=${vpcName} in the cloud`);
  const byZone = new Map<string, string>();
  for (const s of [...(await cloud.describeSubnets(vpc.vpcId, signal))].sort((a, b) => a.subnetId.localeCompare(b.subnetId))) {
    if (!s.public && !byZone.has(s.availabilityZone)) byZone.set(s.availabilityZone, s.subnetId);
  }
  if (byZone.size === 0) throw new NodegroupSetupError(`VPC ${vpc.vpcId} (${vpcName}) has no private subnet`);
  return [...byZone].sort(([a], [b]) => a.localeCompare(b)).map(([, id]) => id);
}

/** The node group cannot be set up as configured (no VPC, no subnets); retrying may help once the cloud has them. */
export class NodegroupSetupError extends Error {
  override readonly name = 'NodegroupSetupError';
  readonly retryable = true;
}

/**
 * The node group's Auto Scaling group: adopted when one carries its tags (the deterministic name first),
 * created otherwise. Two agents creating at once: one wins, the other's AlreadyExists adopts the winner's.
 */
export async function ensureNodegroupAsg(cloud: CloudApi, spec: NodegroupSpec, log: Logger, signal: AbortSignal): Promise<AutoScalingGroup> {
  const name = nodegroupAsgName(spec.clusterName, spec.nodegroup);
  const mine = (await cloud.describeAutoScalingGroups([], signal))
    .filter((g) => isNodegroupAsg(g, spec.clusterName, spec.nodegroup))
    .sort((a, b) => Number(b.autoScalingGroupName === name) - Number(a.autoScalingGroupName === name) || a.autoScalingGroupName.localeCompare(b.autoScalingGroupName));
  if (mine[0] !== undefined) {
    log.info({ asg: mine[0].autoScalingGroupName, desired: mine[0].desiredCapacity }, 'adopted the node group\'s Auto Scaling group');
    return mine[0];
  }
  const subnets = spec.subnetIds.length > 0 ? [...spec.subnetIds] : await privateSubnets(cloud, spec.vpcName, signal);
  try {
    const group = await cloud.createAutoScalingGroup({
      autoScalingGroupName: name,
      minSize: spec.minSize,
      maxSize: spec.maxSize,
      desiredCapacity: spec.desiredSize,
      vpcZoneIdentifier: subnets.join(','),
      instanceTypes: [...spec.instanceTypes],
      capacityType: spec.capacityType === 'SPOT' ? 'spot' : 'on-demand',
      tags: nodegroupTags(spec.clusterName, spec.nodegroup, spec.capacityType),
    }, signal);
    log.info({ asg: name, desired: spec.desiredSize, subnets }, 'created the node group\'s Auto Scaling group');
    return group;
  } catch (err) {
    if (!(err instanceof RemoteCallError && err.awsCode === 'AlreadyExists')) throw err;
    const [group] = await cloud.describeAutoScalingGroups([name], signal);
    if (group === undefined) throw err;
    log.info({ asg: name }, 'adopted the node group\'s Auto Scaling group (created by another agent)');
    return group;
  }
}
