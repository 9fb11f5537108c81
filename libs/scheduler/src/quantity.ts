// resource.Quantity as the scheduler reads it: Value() and MilliValue(), both rounded up (away from zero) like
// apimachinery's Quantity does. Exact arithmetic in BigInt so "0.1" + "0.2" style inputs never drift.

const binary: Readonly<Record<string, bigint>> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const decimal: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const pattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
  constructor(readonly input: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  }
}

/** The quantity scaled by 10^scale and rounded up: scale 0 is Value(), scale 3 is MilliValue(). */
function scaled(q: string | number, scale: number): number {
  const text = typeof q === 'number' ? String(q) : q.trim();
  const m = pattern.exec(text);
  const [, sign = '', whole = '', frac = '', suffix, exp] = m ?? [];
  if (!m || (whole === '' && frac === '')) throw new QuantityParseError(text);
  let num = BigInt(whole + frac || '0');
  let den = 10n ** BigInt(frac.length);
  if (suffix !== undefined && suffix in binary) {
    num *= 1024n ** (binary[suffix] ?? 0n);
  } else {
    const e = (exp !== undefined ? Number(exp) : (decimal[suffix ?? ''] ?? 0)) + scale;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  if (suffix !== undefined && suffix in binary && scale > 0) num *= 10n ** BigInt(scale);
  const ceil = (num + den - 1n) / den;
  return Number(sign === '-' ? -ceil : ceil);
}

/** Quantity.Value(): whole units, rounded up ("1.5" → 2, "100m" → 1). */
export const quantityValue = (q: string | number): number => scaled(q, 0);

/** Quantity.MilliValue(): thousandths, rounded up ("0.5" → 500, "1" → 1000, "1n" → 1). */
export const quantityMilliValue = (q: string | number): number => scaled(q, 3);
