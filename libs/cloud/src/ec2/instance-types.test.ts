import { describe, expect, it } from 'vitest';
import { eniMaxPods, instanceType, instanceTypes, maxPodsCalculator } from './instance-types.js';

// Max pods as amazon-vpc-cni-k8s misc/eni-max-pods.txt lists them.
const eniMaxPodsTxt: Record<string, number> = {
  't3.medium': 17, 't3.large': 35, 'm5.large': 29, 'm5.xlarge': 58, 'm5.2xlarge': 58, 'm5.4xlarge': 234,
  'c5.xlarge': 58, 'c5.4xlarge': 234, 'r5.large': 29, 'm5.24xlarge': 737,
};

describe('instance types', () => {
  it('instance types — max pods match eni-max-pods.txt', () => {
    for (const [name, pods] of Object.entries(eniMaxPodsTxt)) expect([name, eniMaxPods(instanceType(name)!)]).toEqual([name, pods]);
    expect(instanceTypes.size).toBeGreaterThanOrEqual(10);
  });

  it('instance types — m5.large has 3 ENIs × 10 addresses, 2 vCPU, 8 GiB', () => {
    expect(instanceType('m5.large')).toMatchObject({ vcpus: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 10 });
  });

  it('instance types — the calculator caps at 110 below 30 vCPUs and 250 above, prefix delegation multiplies by 16', () => {
    expect(maxPodsCalculator(instanceType('m5.large')!)).toBe(29);
    expect(maxPodsCalculator(instanceType('m5.large')!, { prefixDelegation: true })).toBe(110); // 3 × 9 × 16 + 2 = 434
    expect(maxPodsCalculator(instanceType('m5.24xlarge')!)).toBe(250);
    expect(maxPodsCalculator(instanceType('t3.medium')!, { prefixDelegation: true })).toBe(110); // 3 × 5 × 16 + 2 = 242
  });
});
