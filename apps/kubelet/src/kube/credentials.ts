// The node-token side of the lab credentials (libs/client lab-credentials.ts has the CA + static tokens); the
// token format is @ekslab/client's node-token.ts, which the apiserver checks too.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mintNodeToken, nodeTokenSecret } from '@ekslab/client';
import { sleep, type Logger } from '@ekslab/runtime';

/** What the agent needs from the lab's cert dir: the CA and the node token secret. */
export interface NodeCredentials {
  readonly ca: Buffer;
  /** The bearer token of `system:node:<nodeName>`. */
  nodeToken(nodeName: string): string;
}

export async function loadNodeCredentials(certDir: string): Promise<NodeCredentials> {
  const ca = await readFile(join(certDir, 'ca.crt'));
  const path = join(certDir, 'node-token.key');
  let secret: Buffer;
  try {
    secret = nodeTokenSecret(await readFile(path, 'utf8'));
  } catch (err) {
    if (err instanceof RangeError) throw new Error(`${path}: ${err.message}`, { cause: err });
    throw err;
  }
  return { ca, nodeToken: (name) => mintNodeToken(secret, name) };
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
