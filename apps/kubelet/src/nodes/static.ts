// `--node-source static`: N nodes without EC2 instances (benches and tests that need thousands of nodes).
// With no cloud to ask, instance ids are derived from the node name and IPs counted up from a base address.
import { createHash } from 'node:crypto';
import { architectureOf, eniMaxPods, privateDnsName, type InstanceTypeFacts } from '@ekslab/kubelet';
import type { NodeApi, NodeSpec } from '../agent.js';

/** EC2 limits of a few types, for static nodes only (the node group source asks the cloud's DescribeInstanceTypes). */
interface StaticInstanceType extends InstanceTypeFacts {
  readonly maxEnis: number;
  readonly ipv4PerEni: number;
}

/** vCPUs and memory from DescribeInstanceTypes; ENIs and IPv4 per ENI as amazon-vpc-cni-k8s vpc_ip_resource_limit.go. */
const staticTypes: ReadonlyMap<string, StaticInstanceType> = new Map(
  [
    { name: 't3.medium', vcpus: 2, memoryMiB: 4096, maxEnis: 3, ipv4PerEni: 6 },
    { name: 't3.large', vcpus: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 12 },
    { name: 'm5.large', vcpus: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 10 },
    { name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384, maxEnis: 4, ipv4PerEni: 15 },
    { name: 'm5.2xlarge', vcpus: 8, memoryMiB: 32768, maxEnis: 4, ipv4PerEni: 15 },
    { name: 'c5.large', vcpus: 2, memoryMiB: 4096, maxEnis: 3, ipv4PerEni: 10 },
    { name: 'r5.large', vcpus: 2, memoryMiB: 16384, maxEnis: 3, ipv4PerEni: 10 },
    { name: 'm6g.large', vcpus: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 10 },
  ].map((t) => [t.name, t]),
);

export interface StaticNodesConfig {
  readonly nodes: number;
  readonly nodeIndexOffset: number;
  readonly nodeNamePrefix: string;
  readonly subnetCidrBase: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly region: string;
  readonly clusterName: string;
  readonly nodegroup: string;
  readonly amiId: string;
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly kubernetesVersion: string;
}

/** The static nodes' specs; throws RangeError for an instance type outside the static table. */
export function staticNodeSpecs(config: StaticNodesConfig, nodeApi: (name: string) => NodeApi): NodeSpec[] {
  const type = staticTypes.get(config.instanceType);
  if (type === undefined) throw new RangeError(`unknown --instance-type ${config.instanceType} for static nodes; known: ${[...staticTypes.keys()].join(', ')}`);
  const maxPods = eniMaxPods(type.maxEnis, type.ipv4PerEni);
  return Array.from({ length: config.nodes }, (_, i) => {
    const index = config.nodeIndexOffset + i;
    const privateIp = nodeIp(config.subnetCidrBase, index);
    const name = config.nodeNamePrefix !== '' ? `${config.nodeNamePrefix}${index}` : privateDnsName(privateIp, config.region);
    return {
      name,
      input: {
        instanceId: instanceIdFor(`${config.clusterName}/${config.nodegroup}/${name}`),
        instanceType: { name: type.name, vcpus: type.vcpus, memoryMiB: type.memoryMiB }, maxPods, architecture: architectureOf(type.name),
        region: config.region, availabilityZone: config.availabilityZone, privateIp, nodegroup: config.nodegroup, amiId: config.amiId,
        capacityType: config.capacityType, clusterName: config.clusterName, kubernetesVersion: config.kubernetesVersion,
      },
      api: nodeApi(name),
    };
  });
}

/** The IPv4 address `index` places after `base` (index 0 → base + 10, as the first usable host). */
export function nodeIp(base: string, index: number): string {
  const parts = base.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RangeError(`not an IPv4 address: ${base}`);
  const n = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + 10 + index;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A stable EC2-looking instance id for a static node: `i-` + 17 hex digits. */
export function instanceIdFor(seed: string): string {
  return `i-${createHash('sha256').update(seed).digest('hex').slice(0, 17)}`;
}
