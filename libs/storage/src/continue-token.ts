import { InvalidContinueTokenError } from './errors.js';

/**
 * A list continue token, in Kubernetes' format: base64url (no padding) of
 * `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<next key, relative to the list prefix>"}`.
 * `rv` is the revision of the first page; later pages are read at it, so all pages form one snapshot.
 * Not guaranteed: that the token stays usable — once `rv` is compacted the next page fails with 410 Expired.
 */
export interface ContinueToken {
  revision: string;
  /** The key to resume from, relative to the list prefix (the last returned key's suffix plus "\0"). */
  start: string;
}

const VERSION = 'meta.k8s.io/v1';

export function encodeContinueToken(token: ContinueToken): string {
  const json = JSON.stringify({ v: VERSION, rv: Number(token.revision), start: token.start });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Parses a token, rejecting anything this library did not issue with {@link InvalidContinueTokenError}. */
export function decodeContinueToken(encoded: string): ContinueToken {
  if (encoded === '' || !/^[A-Za-z0-9_-]+$/.test(encoded)) throw new InvalidContinueTokenError('not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (err) {
    throw new InvalidContinueTokenError('not JSON', { cause: err });
  }
  const { v, rv, start } = (parsed ?? {}) as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== VERSION) throw new InvalidContinueTokenError(`unknown version ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) throw new InvalidContinueTokenError('resource version must be a positive integer');
  if (typeof start !== 'string' || start === '') throw new InvalidContinueTokenError('missing start key');
  if (start.startsWith('/') || start.split('/').some((s) => s === '.' || s === '..')) {
    throw new InvalidContinueTokenError('start key may not leave the listed prefix');
  }
  return { revision: String(rv), start };
}
