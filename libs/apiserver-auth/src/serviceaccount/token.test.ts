import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ServiceAccountTokenAuthenticator, type LiveObject, type ObjectLookup } from './authenticator.js';
import { decodeJws, keyIdOf } from './jws.js';
import { jwks, openIdConfiguration } from './oidc.js';
import { ServiceAccountTokenSigner, serviceAccountClaims, type TokenClaimsInput } from './token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const issuer = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const T0 = Date.parse('2026-11-22T05:00:00Z');
const signer = new ServiceAccountTokenSigner(privateKey, publicKey);

const objects = new Map<string, LiveObject>([
  ['ServiceAccount/ns1/default', { uid: 'sa-uid' }],
  ['Pod/ns1/web', { uid: 'pod-uid' }],
  ['Node//n1', { uid: 'node-uid' }],
  ['Pod/ns1/gone', { uid: 'gone-uid', deletionTimestamp: new Date(T0 - 120_000).toISOString() }],
]);
const lookup: ObjectLookup = (kind, ns, name) => Promise.resolve(objects.get(`${kind}/${ns ?? ''}/${name}`));

function token(over: Partial<TokenClaimsInput> = {}, key: KeyObject = privateKey): string {
  const claims = serviceAccountClaims({
    issuer, namespace: 'ns1', serviceAccount: { name: 'default', uid: 'sa-uid' }, audiences: ['https://kubernetes.default.svc'],
    expirationSeconds: 3600, now: T0, ...over,
  });
  return new ServiceAccountTokenSigner(key, createPublicKey(key)).sign(claims);
}

const authn = (now = T0) => new ServiceAccountTokenAuthenticator({
  issuers: [issuer], publicKeys: [publicKey], apiAudiences: ['https://kubernetes.default.svc'], lookup, now: () => now,
});

describe('service-account tokens — issue', () => {
  it('claims — as kube-apiserver sets them', () => {
    const decoded = decodeJws(token({ pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, warnAfterSeconds: 3607 }));
    expect(decoded?.header).toEqual({ alg: 'RS256', kid: keyIdOf(publicKey) });
    const t = T0 / 1000;
    expect(decoded?.payload).toMatchObject({
      iss: issuer, sub: 'system:serviceaccount:ns1:default', aud: ['https://kubernetes.default.svc'], iat: t, nbf: t, exp: t + 3600,
      'kubernetes.io': { namespace: 'ns1', serviceaccount: { name: 'default', uid: 'sa-uid' }, pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, warnafter: t + 3607 },
    });
    expect(decoded?.payload['jti']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('claims — a token bound to a secret and a pod at once is refused', () => {
    expect(() => token({ pod: { name: 'web', uid: 'pod-uid' }, secret: { name: 's', uid: 's' } })).toThrow(/one object type/);
  });

  it('jwks — lists the public key under the token kid, and it verifies the signature', async () => {
    const set = jwks([publicKey]);
    expect(set.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: signer.keyId, e: 'AQAB' })]);
    const fromJwk = createPublicKey({ key: { kty: 'RSA', n: set.keys[0]!['n']!, e: set.keys[0]!['e']! }, format: 'jwk' });
    const viaJwks = new ServiceAccountTokenAuthenticator({ issuers: [issuer], publicKeys: [fromJwk], apiAudiences: [], lookup, now: () => T0 });
    expect((await viaJwks.check(token())).kind).toBe('valid');
    expect(openIdConfiguration(issuer, 'https://x/openid/v1/jwks')).toMatchObject({ issuer, jwks_uri: 'https://x/openid/v1/jwks', id_token_signing_alg_values_supported: ['RS256'] });
  });
});

describe('service-account tokens — verify', () => {
  it('valid — user, groups and extras', async () => {
    const result = await authn().check(token({ pod: { name: 'web', uid: 'pod-uid' } }));
    expect(result).toEqual({
      kind: 'valid',
      user: {
        username: 'system:serviceaccount:ns1:default', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1'],
        extra: {
          'authentication.kubernetes.io/pod-name': ['web'], 'authentication.kubernetes.io/pod-uid': ['pod-uid'],
          'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=/)],
        },
      },
    });
  });

  it('valid — within the 60 s leeway after exp', async () => {
    expect((await authn(T0 + 3_650_000).check(token())).kind).toBe('valid');
  });

  it.each<[string, () => string, number, RegExp | 'not-mine']>([
    ['expired', () => token(), T0 + 3_661_000, /has expired/],
    ['not valid yet', () => token({ now: T0 + 120_000 }), T0, /not valid yet/],
    ['forged (another key)', () => token({}, other.privateKey), T0, /invalid signature/],
    ['tampered payload', () => { const [h, , s] = token().split('.'); return `${h!}.${Buffer.from(JSON.stringify({ iss: issuer, sub: 'x' })).toString('base64url')}.${s!}`; }, T0, /invalid signature/],
    ['wrong audience', () => token({ audiences: ['sts.amazonaws.com'] }), T0, /audiences/],
    ['service account recreated (uid differs)', () => token({ serviceAccount: { name: 'default', uid: 'old' } }), T0, /does not match/],
    ['service account deleted', () => token({ serviceAccount: { name: 'builder', uid: 'b' } }), T0, /does not exist/],
    ['bound pod gone', () => token({ pod: { name: 'missing', uid: 'p' } }), T0, /does not exist/],
    ['bound pod deleted more than the leeway ago', () => token({ pod: { name: 'gone', uid: 'gone-uid' } }), T0, /has been deleted/],
    ['other issuer', () => token({ issuer: 'https://elsewhere' }), T0, 'not-mine'],
    ['not a JWT', () => 'abc.def', T0, 'not-mine'],
  ])('reject — %s', async (_name, make, now, want) => {
    const result = await authn(now).check(make());
    if (want === 'not-mine') expect(result.kind).toBe('not-mine');
    else expect(result).toEqual({ kind: 'invalid', reason: expect.stringMatching(want) as string });
    expect(await authn(now).authenticateToken(make())).toBeUndefined();
  });

  it('reject — a lookup failure (storage down) fails the token', async () => {
    const broken = new ServiceAccountTokenAuthenticator({ issuers: [issuer], publicKeys: [publicKey], apiAudiences: [], lookup: () => Promise.reject(new Error('etcd down')), now: () => T0 });
    expect(await broken.check(token())).toEqual({ kind: 'invalid', reason: expect.stringMatching(/etcd down/) as string });
  });
});
