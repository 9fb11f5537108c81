// The node-token side of the lab credentials (libs/client lab-credentials.ts has the CA + static tokens); the
// token format must match libs/apiserver-auth NodeTokens, which the kubelet scope may not import.
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, type Logger } from '@ekslab/runtime';

/** What the agent needs from the lab's cert dir: the CA and the node token secret. */
export interface NodeCredentials {
  readonly ca: Buffer;
  /** The bearer token of `system:node:<nodeName>`. */
  nodeToken(nodeName: string): string;
}

/**
 * A node token as libs/apiserver-auth NodeTokens checks it:
 * `ekslab-node.<base64url(name)>.<base64url(HMAC-SHA256(secret, "system:node:" + name))>`.
 */
export function nodeToken(secret: Buffer, nodeName: string): string {
  const mac = createHmac('sha256', secret).update(`system:node:${nodeName}`).digest();
  return `ekslab-node.${Buffer.from(nodeName).toString('base64url')}.${mac.toString('base64url')}`;
}

export async function loadNodeCredentials(certDir: string): Promise<NodeCredentials> {
  const ca = await readFile(join(certDir, 'ca.crt'));
  const secret = Buffer.from((await readFile(join(certDir, 'node-token.key'), 'utf8')).trim(), 'base64url');
  if (secret.length < 32) throw new Error(`${join(certDir, 'node-token.key')} holds fewer than 32 bytes`);
  return { ca, nodeToken: (name) => nodeToken(secret, name) };
}

/** Waits until the cert dir holds the credentials; undefined when the signal aborts first. */
export async function waitForNodeCredentials(certDir: string, retryMs: number, log: Logger, signal: AbortSignal): Promise<NodeCredentials | undefined> {
  for (;;) {
    try {
      return await loadNodeCredentials(certDir);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'lab credentials not available yet; retrying');
    }
    try {
      await sleep(retryMs, signal);
    } catch {
      return undefined;
    }
  }
}

/** A stable EC2-looking instance id for a node index: `i-` + 17 hex digits. */
export function instanceIdFor(seed: string): string {
  return `i-${createHash('sha256').update(seed).digest('hex').slice(0, 17)}`;
}
