import { describe, expect, it } from 'vitest';
import { architectureOf, eniMaxPods } from './instance-type.js';

describe('instance type facts', () => {
  // eni-max-pods.txt: t3.medium 17, m5.large 29, m5.xlarge 58, m5.4xlarge 234, m5.24xlarge 737.
  it.each([
    ['t3.medium', 3, 6, 17],
    ['m5.large', 3, 10, 29],
    ['m5.xlarge', 4, 15, 58],
    ['m5.4xlarge', 8, 30, 234],
    ['m5.24xlarge', 15, 50, 737],
  ])('max pods — %s (%i ENIs × %i IPv4) → %i', (_type, enis, ips, pods) => {
    expect(eniMaxPods(enis, ips)).toBe(pods);
  });

  it('max pods — non-positive limits are refused', () => {
    expect(() => eniMaxPods(0, 10)).toThrow(RangeError);
    expect(() => eniMaxPods(3, 1.5)).toThrow(RangeError);
  });

  it.each([
    ['m5.large', 'amd64'],
    ['c5n.xlarge', 'amd64'],
    ['m6i.large', 'amd64'],
    ['m6g.large', 'arm64'],
    ['c7gn.xlarge', 'arm64'],
    ['t4g.small', 'arm64'],
    ['r8gd.2xlarge', 'arm64'],
  ])('architecture — %s is %s', (type, arch) => {
    expect(architectureOf(type)).toBe(arch);
  });
});
