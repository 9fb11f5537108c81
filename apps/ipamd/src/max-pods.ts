// amazon-vpc-cni-k8s misc/max-pods-calculator.sh, the figure EKS puts into the kubelet's --max-pods.
import { IPS_PER_PREFIX } from '@ekslab/ipamd';

export interface MaxPodsInput {
  readonly maxEnis: number;
  /** IPv4 addresses per ENI, the ENI's primary included. */
  readonly ipv4PerEni: number;
  readonly vcpus: number;
  readonly prefixDelegation: boolean;
  /** Custom networking: the primary ENI carries no pods, so one ENI fewer counts. */
  readonly customNetworking: boolean;
}

/**
 * ENIs × (addresses per ENI − 1) + 2 (the +2: aws-node and kube-proxy run in the host network), ENIs − 1
 * with custom networking, × 16 per slot with prefix delegation; then the calculator's cap: 110 below 30
 * vCPUs, else 250. (eni-max-pods.txt lists the uncapped ENI figure for large types; EKS managed node
 * groups use the calculator, so the cap applies here.)
 */
export function maxPods(input: MaxPodsInput): number {
  const enis = input.customNetworking ? input.maxEnis - 1 : input.maxEnis;
  const perSlot = input.prefixDelegation ? IPS_PER_PREFIX : 1;
  const raw = Math.max(0, enis) * (input.ipv4PerEni - 1) * perSlot + 2;
  return Math.min(raw, input.vcpus > 30 ? 250 : 110);
}
