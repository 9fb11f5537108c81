import { describe, expect, it } from 'vitest';
import { generateNodeTokenSecret, isNodeToken, mintNodeToken, nodeTokenSecret, parseNodeToken } from './node-token.js';

describe('node tokens', () => {
  const secret = nodeTokenSecret(generateNodeTokenSecret());

  it('node token — minted tokens parse back to their node name; the format is stable', () => {
    const fixed = nodeTokenSecret(Buffer.alloc(32, 7));
    const token = mintNodeToken(fixed, 'ip-10-0-1-5.ec2.internal');
    expect(token).toMatch(/^ekslab-node\.aXAtMTAtMC0xLTUuZWMyLmludGVybmFs\.[A-Za-z0-9_-]{43}$/);
    expect(mintNodeToken(fixed, 'ip-10-0-1-5.ec2.internal')).toBe(token);
    expect(parseNodeToken(fixed, token)).toBe('ip-10-0-1-5.ec2.internal');
    expect(isNodeToken(token)).toBe(true);
  });

  it.each([
    ['another secret', mintNodeToken(nodeTokenSecret(generateNodeTokenSecret()), 'n1')],
    ['a renamed node', mintNodeToken(secret, 'n1').replace(Buffer.from('n1').toString('base64url'), Buffer.from('n2').toString('base64url'))],
    ['an extra segment', `${mintNodeToken(secret, 'n1')}.x`],
    ['garbage', 'ekslab-node.x.y.z'],
    ['not a node token', 'abc'],
  ])('node token — rejects %s', (_name, token) => {
    expect(parseNodeToken(secret, token)).toBeUndefined();
  });

  it('node token — secrets shorter than 32 bytes and empty node names are refused', () => {
    expect(() => nodeTokenSecret(Buffer.alloc(31).toString('base64url'))).toThrow(RangeError);
    expect(nodeTokenSecret(` ${Buffer.alloc(32, 1).toString('base64url')}\n`)).toEqual(Buffer.alloc(32, 1));
    expect(() => mintNodeToken(secret, '')).toThrow(RangeError);
  });
});
