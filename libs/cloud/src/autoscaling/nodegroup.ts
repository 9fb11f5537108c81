// EKS managed node groups on Auto Scaling groups, named and tagged as EKS does: the group is
// `eks-<nodegroup>-<nodegroup uuid>`, and its tags (propagated to the instances) carry the cluster and node
// group names, the cluster-autoscaler's auto-discovery tags and its node-template labels.
import { randomUUID } from 'node:crypto';
import type { AutoScalingService } from './service.js';
import type { AutoScalingGroup, CapacityType } from './types.js';

export interface CreateNodegroupInput {
  readonly clusterName: string;
  readonly nodegroupName: string;
  /** EKS defaults: min 1, max 2, desired 2 (the console's and eksctl's defaults). */
  readonly scalingConfig?: { readonly minSize?: number; readonly maxSize?: number; readonly desiredSize?: number };
  readonly subnets: readonly string[];
  /** Default `['t3.medium']`, as EKS. */
  readonly instanceTypes?: readonly string[];
  /** EKS spells it `ON_DEMAND` | `SPOT`; default ON_DEMAND. */
  readonly capacityType?: 'ON_DEMAND' | 'SPOT';
  readonly labels?: Readonly<Record<string, string>>;
  /** Fixed for tests; default a random UUID (EKS's node group id). */
  readonly nodegroupId?: string;
}

/** The tags EKS puts on a node group's Auto Scaling group (and so on its instances). */
export function nodegroupTags(clusterName: string, nodegroupName: string, labels: Readonly<Record<string, string>> = {}): Record<string, string> {
  const tags: Record<string, string> = {
    'eks:cluster-name': clusterName,
    'eks:nodegroup-name': nodegroupName,
    [`kubernetes.io/cluster/${clusterName}`]: 'owned',
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
  };
  for (const [k, v] of Object.entries(labels)) tags[`k8s.io/cluster-autoscaler/node-template/label/${k}`] = v;
  return tags;
}

export function nodegroupAsgName(nodegroupName: string, nodegroupId: string): string {
  return `eks-${nodegroupName}-${nodegroupId}`;
}

/** Creates the node group's Auto Scaling group; the reconciler then launches its instances. */
export async function createNodegroup(asg: AutoScalingService, input: CreateNodegroupInput, signal: AbortSignal): Promise<AutoScalingGroup> {
  const minSize = input.scalingConfig?.minSize ?? 1;
  const maxSize = input.scalingConfig?.maxSize ?? 2;
  const desired = input.scalingConfig?.desiredSize ?? 2;
  const capacityType: CapacityType = input.capacityType === 'SPOT' ? 'spot' : 'on-demand';
  const tags = nodegroupTags(input.clusterName, input.nodegroupName, input.labels);
  if (input.capacityType) tags['k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType'] = input.capacityType;
  return asg.createAutoScalingGroup(
    {
      autoScalingGroupName: nodegroupAsgName(input.nodegroupName, input.nodegroupId ?? randomUUID()),
      minSize,
      maxSize,
      desiredCapacity: desired,
      vpcZoneIdentifier: input.subnets,
      instanceTypes: input.instanceTypes?.length ? input.instanceTypes : ['t3.medium'],
      capacityType,
      tags,
    },
    signal,
  );
}
