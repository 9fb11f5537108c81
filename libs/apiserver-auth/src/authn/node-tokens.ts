import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../user.js';
import { nodeUser } from '../user.js';

const prefix = 'ekslab-node.';

/**
 * Node credentials without per-node state: a node token is
 * `ekslab-node.<base64url(nodeName)>.<base64url(HMAC-SHA256(secret, "system:node:" + nodeName))>`,
 * and authenticates as `system:node:<nodeName>` in `system:nodes`.
 *
 * This stands in for kube-apiserver's per-node credentials (bootstrap tokens + CSR-issued client certs)
 * because one kubelet agent hosts many simulated nodes that come and go: every apiserver replica can check
 * any node token from the shared secret alone, no file rewrite or reload when a node is added.
 * Hazard: whoever holds the secret (the kubelet agents) can act as any node; tokens never expire and can
 * only be revoked all at once, by rotating the secret.
 */
export class NodeTokens {
  private readonly secret: Buffer;

  /** `secret`: at least 32 bytes (see `generateNodeTokenSecret`). */
  constructor(secret: Buffer | string) {
    this.secret = typeof secret === 'string' ? Buffer.from(secret, 'base64url') : secret;
    if (this.secret.length < 32) throw new RangeError('node token secret must be at least 32 bytes');
  }

  /** The bearer token of node `nodeName`. Deterministic: the same name always gets the same token. */
  addNodeToken(nodeName: string): string {
    if (nodeName === '') throw new RangeError('node name must not be empty');
    return `${prefix}${Buffer.from(nodeName).toString('base64url')}.${this.mac(nodeName).toString('base64url')}`;
  }

  /** Whether `token` has the node-token shape at all (so a mismatch is an invalid token, not someone else's). */
  static isNodeToken(token: string): boolean {
    return token.startsWith(prefix);
  }

  /** The node user for a valid node token; undefined for anything else. */
  authenticateToken(token: string): UserInfo | undefined {
    if (!NodeTokens.isNodeToken(token)) return undefined;
    const [encodedName, encodedMac, ...rest] = token.slice(prefix.length).split('.');
    if (!encodedName || !encodedMac || rest.length > 0) return undefined;
    const nodeName = Buffer.from(encodedName, 'base64url').toString();
    if (nodeName === '' || Buffer.from(nodeName).toString('base64url') !== encodedName) return undefined;
    const given = Buffer.from(encodedMac, 'base64url');
    const expected = this.mac(nodeName);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return nodeUser(nodeName);
  }

  private mac(nodeName: string): Buffer {
    return createHmac('sha256', this.secret).update(`system:node:${nodeName}`).digest();
  }
}

/** 32 random bytes, base64url: the content of the lab's `node-token.key`. */
export function generateNodeTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}
