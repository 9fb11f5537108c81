// EC2 instance types with the limits the VPC CNI works from. ENIs and IPv4 addresses per ENI are
// amazon-vpc-cni-k8s `pkg/vpc/vpc_ip_resource_limit.go`; max pods agree with its `misc/eni-max-pods.txt`;
// vCPU and memory are DescribeInstanceTypes'.

export interface InstanceType {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** Network interfaces the type can have attached (device indexes 0 … maxEnis−1). */
  readonly maxEnis: number;
  /** IPv4 addresses per ENI, the primary included. A /28 prefix takes one of these slots. */
  readonly ipv4PerEni: number;
  /** Whether the type is built on Nitro (prefix delegation needs it). */
  readonly nitro: boolean;
}

const table: readonly InstanceType[] = [
  { name: 't3.medium', vcpus: 2, memoryMiB: 4096, maxEnis: 3, ipv4PerEni: 6, nitro: true },
  { name: 't3.large', vcpus: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 12, nitro: true },
  { name: 'm5.large', vcpus: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 10, nitro: true },
  { name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384, maxEnis: 4, ipv4PerEni: 15, nitro: true },
  { name: 'm5.2xlarge', vcpus: 8, memoryMiB: 32768, maxEnis: 4, ipv4PerEni: 15, nitro: true },
  { name: 'm5.4xlarge', vcpus: 16, memoryMiB: 65536, maxEnis: 8, ipv4PerEni: 30, nitro: true },
  { name: 'c5.xlarge', vcpus: 4, memoryMiB: 8192, maxEnis: 4, ipv4PerEni: 15, nitro: true },
  { name: 'c5.4xlarge', vcpus: 16, memoryMiB: 32768, maxEnis: 8, ipv4PerEni: 30, nitro: true },
  { name: 'r5.large', vcpus: 2, memoryMiB: 16384, maxEnis: 3, ipv4PerEni: 10, nitro: true },
  { name: 'm5.24xlarge', vcpus: 96, memoryMiB: 393216, maxEnis: 15, ipv4PerEni: 50, nitro: true },
];

/** Every known instance type, by name. */
export const instanceTypes: ReadonlyMap<string, InstanceType> = new Map(table.map((t) => [t.name, t]));

/** The type called `name`, or undefined. */
export function instanceType(name: string): InstanceType | undefined {
  return instanceTypes.get(name);
}

/**
 * Max pods as `eni-max-pods.txt` lists it: `ENIs × (IPs per ENI − 1) + 2` (the primary address of each
 * ENI is not handed to pods; +2 for host-network pods aws-node and kube-proxy). No ceiling.
 */
export function eniMaxPods(t: Pick<InstanceType, 'maxEnis' | 'ipv4PerEni'>): number {
  return t.maxEnis * (t.ipv4PerEni - 1) + 2;
}

/**
 * Max pods as EKS's `max-pods-calculator.sh` computes it: with prefix delegation (Nitro only) each
 * secondary slot holds a /28, `ENIs × ((IPs per ENI − 1) × 16) + 2`, otherwise {@link eniMaxPods}; then
 * capped at 110, or at 250 for types with more than 30 vCPUs.
 */
export function maxPodsCalculator(t: InstanceType, options: { prefixDelegation?: boolean } = {}): number {
  const raw = options.prefixDelegation && t.nitro ? t.maxEnis * ((t.ipv4PerEni - 1) * 16) + 2 : eniMaxPods(t);
  return Math.min(raw, t.vcpus > 30 ? 250 : 110);
}
