// What a node takes from its EC2 instance type: the VPC CNI's max pods and the CPU architecture.
import type { Architecture } from './node.js';

/**
 * Max pods as the VPC CNI's `eni-max-pods.txt` lists it (secondary-IP mode, no prefix delegation):
 * `ENIs × (IPv4 addresses per ENI − 1) + 2` — each ENI's primary address is not handed to pods, and the
 * two host-network pods (aws-node, kube-proxy) need none. m5.large: 3 × (10 − 1) + 2 = 29.
 * Not applied: the max-pods calculator's 110/250 caps (they come with prefix delegation, ipamd's business).
 */
export function eniMaxPods(maxEnis: number, ipv4PerEni: number): number {
  if (!Number.isInteger(maxEnis) || !Number.isInteger(ipv4PerEni) || maxEnis < 1 || ipv4PerEni < 1) {
    throw new RangeError(`instance type limits must be positive integers (ENIs ${maxEnis}, IPv4 per ENI ${ipv4PerEni})`);
  }
  return maxEnis * (ipv4PerEni - 1) + 2;
}

/**
 * The CPU architecture of an EC2 instance type from its name: Graviton families carry a `g` right after the
 * generation digit (`m6g.large`, `c7gn.xlarge`, `t4g.small`, `r8gd.2xlarge`); everything else is x86_64.
 * A naming rule, not an API: DescribeInstanceTypes' ProcessorInfo is what AWS answers with.
 */
export function architectureOf(instanceType: string): Architecture {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'amd64';
}
