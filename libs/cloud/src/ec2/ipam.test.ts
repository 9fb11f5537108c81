import { describe, expect, it } from 'vitest';
import { carve, formatCidr, parseCidr, privateDnsName } from './cidr.js';
import { giveBack, newChunks, takeAlignedBlock, takeExact, takeFree, usedOffsets } from './ipam.js';

describe('cidr', () => {
  it('cidr — parses aligned blocks and refuses host bits', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ base: 0x0a000000, prefixLength: 16, size: 65536 });
    expect(parseCidr('10.0.0.1/16')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('256.0.0.0/8')).toBeUndefined();
  });

  it('cidr — carve takes the first free aligned block', () => {
    const vpc = parseCidr('10.0.0.0/16')!;
    expect(formatCidr(carve([vpc], [parseCidr('10.0.0.0/24')!, parseCidr('10.0.1.0/28')!], 24)!)).toBe('10.0.2.0/24');
    expect(carve([parseCidr('10.0.0.0/24')!], [parseCidr('10.0.0.0/25')!, parseCidr('10.0.0.128/25')!], 28)).toBeUndefined();
  });

  it('cidr — private DNS names as in us-east-1', () => {
    expect(privateDnsName('10.0.1.23')).toBe('ip-10-0-1-23.ec2.internal');
  });
});

describe('ipam chunks', () => {
  it('ipam — a /28 has 11 usable addresses: .4 to .14', () => {
    const [c] = newChunks('subnet-1', parseCidr('10.0.0.0/28')!);
    expect(c!.free).toBe(11);
    expect(takeFree(c!, 100)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(c!.free).toBe(0);
    expect(takeFree(c!, 1)).toEqual([]);
  });

  it('ipam — a /16 is 16 chunks, reserved addresses only at the ends', () => {
    const chunks = newChunks('subnet-1', parseCidr('10.0.0.0/16')!);
    expect(chunks).toHaveLength(16);
    expect(chunks.reduce((n, c) => n + c.free, 0)).toBe(65536 - 5);
    expect(usedOffsets(chunks[15]!)).toEqual([65535]);
  });

  it('ipam — released addresses return, reserved ones never do', () => {
    const [c] = newChunks('subnet-1', parseCidr('10.0.0.0/28')!);
    takeFree(c!, 3);
    giveBack(c!, [5, 0, 15]);
    expect(c!.free).toBe(9);
    expect(takeFree(c!, 1)).toEqual([5]);
  });

  it('ipam — prefixes are aligned /28 blocks that are entirely free; one used address spoils its block', () => {
    const [c] = newChunks('subnet-1', parseCidr('10.0.0.0/26')!); // 64 addresses, blocks at 0, 16, 32, 48
    expect(takeAlignedBlock(c!)).toBe(16); // block 0 holds the reserved .0–.3
    expect(takeExact(c!, 33)).toBe(true);
    expect(takeAlignedBlock(c!)).toBeUndefined(); // block 32 has .33; block 48 holds the broadcast address
    expect(c!.free).toBe(64 - 5 - 16 - 1);
    expect(takeFree(c!, 1)).toEqual([4]); // single addresses remain
  });
});
