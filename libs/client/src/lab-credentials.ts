import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, type Logger } from '@ekslab/runtime';

/** The lab's credentials, from the apiservers' shared cert dir: the CA and the static token file. */
export interface LabCredentials {
  readonly ca: Buffer;
  /** username → bearer token, from `tokens.csv` (`token,user,uid,"groups"`). */
  readonly tokens: ReadonlyMap<string, string>;
}

/** The cert dir lacks a file or an identity; retrying helps once the apiserver has created them. */
export class CredentialsUnavailableError extends Error {
  override readonly name = 'CredentialsUnavailableError';
  readonly retryable = true;
}

export async function loadCredentials(certDir: string, usernames: readonly string[]): Promise<LabCredentials> {
  let ca: Buffer;
  let csv: string;
  try {
    ca = await readFile(join(certDir, 'ca.crt'));
    csv = await readFile(join(certDir, 'tokens.csv'), 'utf8');
  } catch (err) {
    throw new CredentialsUnavailableError(`cannot read the lab credentials in ${certDir}: ${(err as Error).message}`, { cause: err });
  }
  const tokens = new Map<string, string>();
  for (const line of csv.split('\n')) {
    const [token, user] = line.split(',');
    if (token && user) tokens.set(user, token);
  }
  const missing = usernames.filter((u) => !tokens.has(u));
  if (missing.length > 0) throw new CredentialsUnavailableError(`${join(certDir, 'tokens.csv')} has no token for ${missing.join(', ')}`);
  return { ca, tokens };
}

/**
 * Waits until the cert dir holds the credentials (the first apiserver creates them), retrying every
 * `retryMs`; undefined when the signal aborts first.
 */
export async function waitForCredentials(certDir: string, usernames: readonly string[], retryMs: number, log: Logger, signal: AbortSignal): Promise<LabCredentials | undefined> {
  for (;;) {
    try {
      return await loadCredentials(certDir, usernames);
    } catch (err) {
      if (!(err instanceof CredentialsUnavailableError)) throw err;
      log.warn({ err: err.message }, 'lab credentials not available yet; retrying');
    }
    try {
      await sleep(retryMs, signal);
    } catch {
      return undefined;
    }
  }
}
