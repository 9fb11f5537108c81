import { createHash, randomBytes } from 'node:crypto';

/** A new AWS-style id: `<prefix>-` and 17 hex digits (`i-0abc…`, `eni-…`, `subnet-…`). */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** A deterministic id from `seed`, so replicas creating the same thing at once pick the same id. */
export function stableId(prefix: string, seed: string): string {
  return `${prefix}-${createHash('sha256').update(seed).digest('hex').slice(0, 17)}`;
}
