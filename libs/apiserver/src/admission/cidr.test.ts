import { describe, expect, it } from 'vitest';
import { addressAt, defaultServiceCidr, indexOf, ipRangeOffset, kubernetesServiceIp, parseCidr, parsePortRange, portRangeOffset, usableCount } from './cidr.js';

describe('service CIDR', () => {
  it.each([
    ['10.100.0.0/16', 65534, '10.100.0.1', '10.100.255.254', 256],
    ['172.20.0.0/16', 65534, '172.20.0.1', '172.20.255.254', 256],
    ['10.0.0.0/29', 6, '10.0.0.1', '10.0.0.6', 0],
    ['10.0.0.0/24', 254, '10.0.0.1', '10.0.0.254', 16],
    ['10.96.0.0/12', 1048574, '10.96.0.1', '10.111.255.254', 256],
  ])('cidr — %s has %i usable addresses from %s to %s, static band %i', (text, usable, first, last, offset) => {
    const cidr = parseCidr(text);
    expect(usableCount(cidr)).toBe(usable);
    expect(addressAt(cidr, 0)).toBe(first);
    expect(addressAt(cidr, usable - 1)).toBe(last);
    expect(kubernetesServiceIp(cidr)).toBe(first);
    expect(ipRangeOffset(cidr)).toBe(offset);
  });

  it.each([
    ['10.100.0.0', undefined],
    ['10.100.0.1', 0],
    ['10.100.1.0', 255],
    ['10.100.255.255', undefined],
    ['10.101.0.1', undefined],
    ['not-an-ip', undefined],
  ])('cidr — index of %s in 10.100.0.0/16 is %s (network and broadcast are never usable)', (ip, index) => {
    expect(indexOf(parseCidr('10.100.0.0/16'), ip)).toBe(index);
  });

  it.each(['10.100.0.1/16', '10.100.0.0/33', '10.100.0/16', '300.0.0.0/8', 'fd00::/108'])('cidr — %s is refused', (text) => {
    expect(() => parseCidr(text)).toThrow();
  });

  it.each([
    ['192.168.0.0/16', '10.100.0.0/16'],
    ['172.31.0.0/16', '10.100.0.0/16'],
    ['10.0.0.0/16', '172.20.0.0/16'],
    ['10.200.0.0/16', '172.20.0.0/16'],
    ['10.0.0.0/8', '172.20.0.0/16'],
  ])('cidr — a VPC in %s gets the EKS service CIDR %s', (vpc, want) => {
    expect(defaultServiceCidr(vpc)).toBe(want);
  });
});

describe('NodePort range', () => {
  it.each([
    ['30000-32767', 30000, 2768, 86],
    ['30000-30009', 30000, 10, 0],
    ['30000-30511', 30000, 512, 16],
    ['20000-29999', 20000, 10000, 128],
  ])('ports — %s starts at %i with %i ports, static band %i', (text, base, size, offset) => {
    const range = parsePortRange(text);
    expect([range.base, range.size, portRangeOffset(range)]).toEqual([base, size, offset]);
  });

  it.each(['32767-30000', '0-10', '30000-70000', 'x'])('ports — %s is refused', (text) => {
    expect(() => parsePortRange(text)).toThrow();
  });
});
