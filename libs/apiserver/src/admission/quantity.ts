/**
 * resource.Quantity values (`100m`, `1.5Gi`, `2e3`, `1`) as exact integers of nano-units, enough to sum and
 * compare them as pkg/apis/core/helper/qos does. Kubernetes rounds anything finer than 1n up; so do we.
 */
const binary: Readonly<Record<string, bigint>> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };
const decimal: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The quantity in nano-units, or undefined when `raw` is not a quantity. */
export function parseQuantity(raw: unknown): bigint | undefined {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string') return undefined;
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign, number, suffix, exponent] = m;
  const [whole = '', frac = ''] = number!.split('.');
  let num = BigInt(`${whole || '0'}${frac}`);
  let den = 10n ** BigInt(frac.length);
  const scale = suffix && binary[suffix] ? 0 : exponent !== undefined ? Number(exponent) : decimal[suffix ?? '']!;
  if (suffix && binary[suffix]) num *= binary[suffix];
  const e = scale + 9;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den *= 10n ** BigInt(-e);
  const nanos = (num + den - 1n) / den;
  return sign === '-' ? -nanos : nanos;
}
