// IPv4 addresses and CIDR blocks as numbers: parsing, formatting, containment and overlap.
import { CloudApiError } from '../ports.js';

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefixLength: number;
  /** Number of addresses (2^(32−prefixLength)). */
  readonly size: number;
}

/** Parses a dotted quad; undefined when malformed. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/n` whose host bits are zero; undefined otherwise. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(s);
  if (!m) return undefined;
  const base = parseIpv4(m[1]!);
  const prefixLength = Number(m[2]);
  if (base === undefined || prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  if (base % size !== 0) return undefined;
  return { base, prefixLength, size };
}

/** Like parseCidr, throwing `code` with AWS's "The CIDR '…' is invalid." for bad input. */
export function requireCidr(s: string, code: string): Cidr {
  const c = parseCidr(s);
  if (!c) throw new CloudApiError(code, `The CIDR '${s}' is invalid.`);
  return c;
}

export function formatCidr(c: Pick<Cidr, 'base' | 'prefixLength'>): string {
  return `${formatIpv4(c.base)}/${c.prefixLength}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

/** EC2's private DNS name for an address in us-east-1: `ip-10-0-1-23.ec2.internal`. */
export function privateDnsName(ip: string): string {
  return `ip-${ip.replaceAll('.', '-')}.ec2.internal`;
}

/**
 * The first block of `prefixLength` inside one of `within` that overlaps none of `taken` (lowest address
 * first), or undefined.
 */
export function carve(within: readonly Cidr[], taken: readonly Cidr[], prefixLength: number): Cidr | undefined {
  const size = 2 ** (32 - prefixLength);
  for (const outer of within) {
    if (outer.prefixLength > prefixLength) continue;
    for (let base = outer.base; base < outer.base + outer.size; ) {
      const candidate: Cidr = { base, prefixLength, size };
      const clash = taken.find((t) => overlaps(t, candidate));
      if (!clash) return candidate;
      // Jump past the clashing block, rounded up to the next aligned candidate.
      base = Math.ceil((clash.base + clash.size) / size) * size;
    }
  }
  return undefined;
}
