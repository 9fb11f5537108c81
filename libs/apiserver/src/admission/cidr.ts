/**
 * IPv4 CIDR arithmetic for the service range, as pkg/registry/core/service/ipallocator counts it: the
 * network address and the broadcast address are never handed out, so a /16 has 65534 usable addresses
 * and a /29 has 6. IPv6 service ranges are not supported (EKS clusters are IPv4 unless created IPv6).
 */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
  /** Every address in the block, network and broadcast included (2^(32-prefix)). */
  readonly size: number;
  readonly text: string;
}

export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';
  readonly retryable = false;
}

/** `10.100.0.5` → number, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) return undefined;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

export const formatIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses `10.100.0.0/16`; the address must be the network address (as kube-apiserver insists for the flag). */
export function parseCidr(text: string): Ipv4Cidr {
  const [addr, bits, extra] = text.split('/');
  const base = addr === undefined ? undefined : parseIpv4(addr);
  const prefix = bits !== undefined && /^\d{1,2}$/.test(bits) ? Number(bits) : -1;
  if (base === undefined || extra !== undefined || prefix < 0 || prefix > 32) throw new InvalidCidrError(`invalid CIDR address: ${text}`);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new InvalidCidrError(`${text} is not a network address (did you mean ${formatIpv4(base - (base % size))}/${prefix}?)`);
  return { base, prefix, size, text: `${formatIpv4(base)}/${prefix}` };
}

/** Addresses the allocator may hand out: all but the network and broadcast addresses. */
export const usableCount = (cidr: Ipv4Cidr): number => Math.max(0, cidr.size - 2);

/** The usable address at `index` (0 → the first address after the network address). */
export const addressAt = (cidr: Ipv4Cidr, index: number): string => formatIpv4(cidr.base + 1 + index);

/** The index of a usable address, or undefined when `ip` is not one (outside, network, broadcast). */
export function indexOf(cidr: Ipv4Cidr, ip: string): number | undefined {
  const n = parseIpv4(ip);
  if (n === undefined) return undefined;
  const index = n - cidr.base - 1;
  return index >= 0 && index < usableCount(cidr) ? index : undefined;
}

/**
 * The first usable address, which kube-apiserver gives the `kubernetes` Service (ServiceIPRange → index 1
 * of the block: 10.100.0.1 for 10.100.0.0/16).
 */
export const kubernetesServiceIp = (cidr: Ipv4Cidr): string => addressAt(cidr, 0);

/**
 * KEP-3070 (reserved ranges for static allocation): dynamic allocation prefers addresses from this many
 * onward, leaving the low band to clusterIPs users pick. min(max(16, size/16), 256), 0 for blocks ≤ 16.
 */
export function ipRangeOffset(cidr: Ipv4Cidr): number {
  if (cidr.size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(cidr.size / 16)), 256);
}

/**
 * EKS's default service CIDR: 10.100.0.0/16, or 172.20.0.0/16 when the VPC's CIDR overlaps 10.0.0.0/8
 * (so service IPs never shadow VPC addresses).
 */
export function defaultServiceCidr(vpcCidr: string): string {
  const vpc = parseCidr(vpcCidr);
  const ten = parseCidr('10.0.0.0/8');
  const overlaps = vpc.base < ten.base + ten.size && ten.base < vpc.base + vpc.size;
  return overlaps ? '172.20.0.0/16' : '10.100.0.0/16';
}

/** A NodePort range, `30000-32767` (both ends included), as --service-node-port-range takes it. */
export interface PortRange {
  readonly base: number;
  readonly size: number;
  readonly text: string;
}

export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new InvalidCidrError(`invalid port range: ${text}`);
  return { base: lo, size: hi - lo + 1, text: `${lo}-${hi}` };
}

/** portallocator's reserved low band for static NodePorts: min(max(16, size/32), 128), 0 below 16 ports. */
export function portRangeOffset(range: PortRange): number {
  if (range.size < 16) return 0;
  return Math.min(Math.max(16, Math.floor(range.size / 32)), 128);
}
