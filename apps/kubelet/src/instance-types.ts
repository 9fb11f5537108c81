import type { Architecture, InstanceTypeFacts } from '@ekslab/kubelet';

/** What a node needs of its instance type until the cloud integration supplies it. */
export interface LocalInstanceType extends InstanceTypeFacts {
  /** VPC CNI max pods (eni-max-pods.txt). */
  readonly maxPods: number;
  readonly architecture: Architecture;
}

/** A few EC2 types (vCPUs, memory, max pods from eni-max-pods.txt). */
export const instanceTypes: Readonly<Record<string, LocalInstanceType>> = {
  't3.medium': { name: 't3.medium', vcpus: 2, memoryMiB: 4096, maxPods: 17, architecture: 'amd64' },
  't3.large': { name: 't3.large', vcpus: 2, memoryMiB: 8192, maxPods: 35, architecture: 'amd64' },
  'm5.large': { name: 'm5.large', vcpus: 2, memoryMiB: 8192, maxPods: 29, architecture: 'amd64' },
  'm5.xlarge': { name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384, maxPods: 58, architecture: 'amd64' },
  'm5.2xlarge': { name: 'm5.2xlarge', vcpus: 8, memoryMiB: 32768, maxPods: 58, architecture: 'amd64' },
  'c5.large': { name: 'c5.large', vcpus: 2, memoryMiB: 4096, maxPods: 29, architecture: 'amd64' },
  'r5.large': { name: 'r5.large', vcpus: 2, memoryMiB: 16384, maxPods: 29, architecture: 'amd64' },
  'm6g.large': { name: 'm6g.large', vcpus: 2, memoryMiB: 8192, maxPods: 29, architecture: 'arm64' },
};

/** The IPv4 address `index` places after `base` (index 0 → base + 10, as the first usable host). */
export function nodeIp(base: string, index: number): string {
  const parts = base.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RangeError(`not an IPv4 address: ${base}`);
  const n = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + 10 + index;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
