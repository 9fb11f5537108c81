import { generateNodeTokenSecret, isNodeToken, mintNodeToken, nodeTokenSecret, parseNodeToken } from '@ekslab/client';
import type { UserInfo } from '../user.js';
import { nodeUser } from '../user.js';

/**
 * Node credentials without per-node state: a node token (format in @ekslab/client `mintNodeToken`)
 * authenticates as `system:node:<nodeName>` in `system:nodes`.
 *
 * This stands in for kube-apiserver's per-node credentials (bootstrap tokens + CSR-issued client certs)
 * because one kubelet agent hosts many simulated nodes that come and go: every apiserver replica can check
 * any node token from the shared secret alone, no file rewrite or reload when a node is added.
 * Hazard: whoever holds the secret (the kubelet agents) can act as any node; tokens never expire and can
 * only be revoked all at once, by rotating the secret.
 */
export class NodeTokens {
  private readonly secret: Buffer;

  /** `secret`: at least 32 bytes (see `generateNodeTokenSecret`); a string is the base64url of `node-token.key`. */
  constructor(secret: Buffer | string) {
    this.secret = nodeTokenSecret(secret);
  }

  /** The bearer token of node `nodeName`. Deterministic: the same name always gets the same token. */
  addNodeToken(nodeName: string): string {
    return mintNodeToken(this.secret, nodeName);
  }

  /** Whether `token` has the node-token shape at all (so a mismatch is an invalid token, not someone else's). */
  static isNodeToken(token: string): boolean {
    return isNodeToken(token);
  }

  /** The node user for a valid node token; undefined for anything else. */
  authenticateToken(token: string): UserInfo | undefined {
    const nodeName = parseNodeToken(this.secret, token);
    return nodeName === undefined ? undefined : nodeUser(nodeName);
  }
}

export { generateNodeTokenSecret };
