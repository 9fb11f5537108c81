/** Tolerant readers for decoded JSON: a missing or mistyped field reads as Go's zero value. */
export type Json = Record<string, unknown>;

export function rec(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

export function recs(value: unknown): Json[] {
  return arr(value).map(rec);
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

export function bool(value: unknown): boolean {
  return value === true;
}

/** Number of keys of a JSON object (Go's `len(map)`). */
export function size(value: unknown): number {
  return Object.keys(rec(value)).length;
}

/** A string-valued map such as labels or a nodeSelector. */
export function strMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(value))) out[k] = str(v);
  return out;
}
