// The lab's node credential format, shared by the side that mints tokens (the kubelet agents) and the side
// that checks them (libs/apiserver-auth NodeTokens). Pure: no files, no etcd.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every node token starts with this (so a bad one is an invalid node token, not someone else's token). */
export const NODE_TOKEN_PREFIX = 'ekslab-node.';

/** Shortest accepted secret (bytes). */
export const NODE_TOKEN_SECRET_MIN_BYTES = 32;

/**
 * The secret from the content of `node-token.key` (base64url, surrounding whitespace ignored) or raw bytes.
 * Throws RangeError when it is shorter than 32 bytes.
 */
export function nodeTokenSecret(secret: Buffer | string): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret.trim(), 'base64url') : secret;
  if (bytes.length < NODE_TOKEN_SECRET_MIN_BYTES) throw new RangeError(`node token secret must be at least ${NODE_TOKEN_SECRET_MIN_BYTES} bytes`);
  return bytes;
}

/** 32 random bytes, base64url: the content of the lab's `node-token.key`. */
export function generateNodeTokenSecret(): string {
  return randomBytes(NODE_TOKEN_SECRET_MIN_BYTES).toString('base64url');
}

function mac(secret: Buffer, nodeName: string): Buffer {
  return createHmac('sha256', secret).update(`system:node:${nodeName}`).digest();
}

/**
 * The bearer token of `system:node:<nodeName>`:
 * `ekslab-node.<base64url(nodeName)>.<base64url(HMAC-SHA256(secret, "system:node:" + nodeName))>`.
 * Deterministic (the same name always gets the same token); never expires. Hazard: whoever holds the
 * secret can act as any node.
 */
export function mintNodeToken(secret: Buffer, nodeName: string): string {
  if (nodeName === '') throw new RangeError('node name must not be empty');
  return `${NODE_TOKEN_PREFIX}${Buffer.from(nodeName).toString('base64url')}.${mac(secret, nodeName).toString('base64url')}`;
}

/** Whether `token` has the node-token shape at all. */
export function isNodeToken(token: string): boolean {
  return token.startsWith(NODE_TOKEN_PREFIX);
}

/** The node name of a valid node token (MAC checked in constant time); undefined for anything else. */
export function parseNodeToken(secret: Buffer, token: string): string | undefined {
  if (!isNodeToken(token)) return undefined;
  const [encodedName, encodedMac, ...rest] = token.slice(NODE_TOKEN_PREFIX.length).split('.');
  if (!encodedName || !encodedMac || rest.length > 0) return undefined;
  const nodeName = Buffer.from(encodedName, 'base64url').toString();
  if (nodeName === '' || Buffer.from(nodeName).toString('base64url') !== encodedName) return undefined;
  const given = Buffer.from(encodedMac, 'base64url');
  const expected = mac(secret, nodeName);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return nodeName;
}
