import { describe, expect, it } from 'vitest';
import { decodeContinueToken, encodeContinueToken } from './continue-token.js';
import { InvalidContinueTokenError } from './errors.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64url');

describe('continue tokens', () => {
  it.each([
    { token: { revision: '12', start: 'default/web-3\0' } },
    { token: { revision: '9007199254740991', start: 'a' } },
    { token: { revision: '1', start: 'kube-system/coredns-5d78c9869d-abcde\0' } },
  ])('continue tokens — round-trip $token.revision', ({ token }) => {
    expect(decodeContinueToken(encodeContinueToken(token))).toEqual(token);
  });

  it('continue tokens — use Kubernetes\' JSON shape', () => {
    const token = encodeContinueToken({ revision: '5', start: 'x\0' });
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 5, start: 'x\0' });
  });

  it.each([
    { what: 'empty', token: '' },
    { what: 'not base64url', token: 'a+b/c=' },
    { what: 'not JSON', token: b64('nope') },
    { what: 'another version', token: b64('{"v":"v2","rv":1,"start":"a"}') },
    { what: 'zero revision', token: b64('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}') },
    { what: 'string revision', token: b64('{"v":"meta.k8s.io/v1","rv":"1","start":"a"}') },
    { what: 'missing start', token: b64('{"v":"meta.k8s.io/v1","rv":1}') },
    { what: 'absolute start', token: b64('{"v":"meta.k8s.io/v1","rv":1,"start":"/registry/secrets/x"}') },
    { what: 'escaping start', token: b64('{"v":"meta.k8s.io/v1","rv":1,"start":"../secrets/x"}') },
    { what: 'null', token: b64('null') },
  ])('continue tokens — reject $what', ({ token }) => {
    expect(() => decodeContinueToken(token)).toThrow(InvalidContinueTokenError);
  });
});
