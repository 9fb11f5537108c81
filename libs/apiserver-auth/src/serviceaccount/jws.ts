import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// RS256 JSON Web Signatures in compact form (RFC 7515), with node:crypto alone: the one algorithm
// kube-apiserver uses for service-account tokens signed with an RSA key.

export interface JwsHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `header.payload.signature`, signed RS256 with `key` and carrying `kid`. */
export function signJws(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${b64({ alg: 'RS256', kid })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** The parts of a compact JWS, decoded but NOT verified; undefined when it is not one. */
export function decodeJws(token: string): { header: JwsHeader; payload: Record<string, unknown>; signingInput: string; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as JwsHeader;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as unknown;
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    return { header, payload: payload as Record<string, unknown>, signingInput: `${parts[0]!}.${parts[1]!}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

/** Whether `signature` is an RS256 signature of `signingInput` by `key`. */
export function verifyRs256(signingInput: string, signature: Buffer, key: KeyObject): boolean {
  return verify('sha256', Buffer.from(signingInput), key, signature);
}

/**
 * The key id kube-apiserver gives a public key: base64url (unpadded) of the SHA-256 of its PKIX DER
 * encoding, so every replica with the same key announces the same `kid`.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** An RFC 7517 JWK of an RSA public key, as `/openid/v1/jwks` lists it. */
export function publicJwk(publicKey: KeyObject): Record<string, string> {
  const jwk = (publicKey.type === 'public' ? publicKey : createPublicKey(publicKey)).export({ format: 'jwk' });
  return { use: 'sig', kty: 'RSA', kid: keyIdOf(publicKey), alg: 'RS256', n: String(jwk.n), e: String(jwk.e) };
}
