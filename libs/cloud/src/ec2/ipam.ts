// A subnet's address accounting: a bitmap of its addresses (bit set = in use), kept in etcd as chunks of
// up to 4096 addresses (512 bytes each, 16 for a /16) so a /16 stays cheap to read and write and writers
// on different chunks do not conflict. AWS reserves the first four addresses and the last one of every
// subnet; they are marked in use when the subnet is created and never counted as available.
import type { StoredObject } from '@ekslab/storage';
import { CloudApiError } from '../ports.js';
import { type Cidr, formatIpv4 } from './cidr.js';
import type { Tx } from './txn.js';

/** Addresses per chunk; a multiple of 16, so /28 prefixes never straddle chunks. */
export const CHUNK_SIZE = 4096;
/** Addresses in a /28 prefix (AssignIpv4Prefixes). */
export const PREFIX_SIZE = 16;

export interface Chunk extends StoredObject {
  readonly subnetId: string;
  /** Offset of the chunk's first address from the subnet's network address. */
  readonly offset: number;
  readonly size: number;
  /** Addresses in the whole subnet (for its reserved last address). */
  readonly subnetSize: number;
  /** Addresses not in use (reserved ones excluded). */
  free: number;
  /** The bitmap, base64; bit i (LSB first within a byte) is address offset+i. */
  bits: string;
}

export const chunkKey = (subnetId: string, index: number): string => `/ec2/subnet-ips/${subnetId}/${String(index).padStart(4, '0')}`;
export const chunkPrefix = (subnetId: string): string => `/ec2/subnet-ips/${subnetId}/`;
export const chunkCount = (cidr: Cidr): number => Math.ceil(cidr.size / CHUNK_SIZE);

/** The chunks of a new subnet, with AWS's five reserved addresses marked in use. */
export function newChunks(subnetId: string, cidr: Cidr): Chunk[] {
  const chunks: Chunk[] = [];
  for (let offset = 0; offset < cidr.size; offset += CHUNK_SIZE) {
    const size = Math.min(CHUNK_SIZE, cidr.size - offset);
    const bits = new Uint8Array(Math.ceil(size / 8));
    let free = size;
    for (const reserved of [0, 1, 2, 3, cidr.size - 1]) {
      if (reserved >= offset && reserved < offset + size) {
        set(bits, reserved - offset);
        free--;
      }
    }
    chunks.push({ subnetId, offset, size, subnetSize: cidr.size, free, bits: Buffer.from(bits).toString('base64') });
  }
  return chunks;
}

/** Addresses a new subnet of this size has available: all but AWS's five reserved ones. */
export const usableAddresses = (cidr: Cidr): number => cidr.size - 5;

const isSet = (b: Uint8Array, i: number): boolean => (b[i >> 3]! & (1 << (i & 7))) !== 0;
const set = (b: Uint8Array, i: number): void => void (b[i >> 3] = b[i >> 3]! | (1 << (i & 7)));
const clear = (b: Uint8Array, i: number): void => void (b[i >> 3] = b[i >> 3]! & ~(1 << (i & 7)));
const bitsOf = (c: Chunk): Uint8Array => new Uint8Array(Buffer.from(c.bits, 'base64'));
const store = (c: Chunk, b: Uint8Array): void => void (c.bits = Buffer.from(b).toString('base64'));

/** Takes up to `n` free addresses, lowest first; returns their offsets within the subnet. Mutates `c`. */
export function takeFree(c: Chunk, n: number): number[] {
  const b = bitsOf(c);
  const out: number[] = [];
  for (let i = 0; i < c.size && out.length < n; i++) {
    if (!isSet(b, i)) {
      set(b, i);
      out.push(c.offset + i);
    }
  }
  c.free -= out.length;
  store(c, b);
  return out;
}

/** Takes one specific address (offset within the subnet); false if it is in use or reserved. Mutates `c`. */
export function takeExact(c: Chunk, offset: number): boolean {
  const b = bitsOf(c);
  const i = offset - c.offset;
  if (isSet(b, i)) return false;
  set(b, i);
  c.free--;
  store(c, b);
  return true;
}

/** Takes the lowest aligned block of 16 addresses that is entirely free; its offset, or undefined. Mutates `c`. */
export function takeAlignedBlock(c: Chunk): number | undefined {
  const b = bitsOf(c);
  for (let i = 0; i + PREFIX_SIZE <= c.size; i += PREFIX_SIZE) {
    // 16 bits aligned on 16 are two whole bytes.
    if (b[i >> 3] === 0 && b[(i >> 3) + 1] === 0) {
      b[i >> 3] = 0xff;
      b[(i >> 3) + 1] = 0xff;
      c.free -= PREFIX_SIZE;
      store(c, b);
      return c.offset + i;
    }
  }
  return undefined;
}

/**
 * Returns addresses (offsets within the subnet) to the free pool. Mutates `c`. Releasing a free address,
 * one outside the chunk, or one of AWS's reserved addresses is a no-op.
 */
export function giveBack(c: Chunk, offsets: readonly number[]): void {
  const b = bitsOf(c);
  const reserved = reservedOffsets(c.subnetSize);
  for (const o of offsets) {
    const i = o - c.offset;
    if (i < 0 || i >= c.size || !isSet(b, i) || reserved.includes(o)) continue;
    clear(b, i);
    c.free++;
  }
  store(c, b);
}

/** Offsets in use in a chunk (tests and audits). */
export function usedOffsets(c: Chunk): number[] {
  const b = bitsOf(c);
  const out: number[] = [];
  for (let i = 0; i < c.size; i++) if (isSet(b, i)) out.push(c.offset + i);
  return out;
}

/** Offsets AWS reserves in a subnet of `size` addresses. */
export const reservedOffsets = (size: number): number[] => [0, 1, 2, 3, size - 1];

const insufficientAddresses = (): CloudApiError =>
  new CloudApiError('InsufficientFreeAddressesInSubnet', 'The specified subnet does not have enough free addresses to satisfy the request.', true);
const insufficientBlocks = (): CloudApiError =>
  new CloudApiError('InsufficientCidrBlocks', 'The specified subnet does not have enough free cidr blocks to satisfy the request.', true);

/** The subnet facts the allocator needs. */
export interface SubnetRef {
  readonly subnetId: string;
  readonly cidr: Cidr;
}

async function chunkAt(tx: Tx, s: SubnetRef, index: number): Promise<Chunk> {
  const c = await tx.get<Chunk>(chunkKey(s.subnetId, index));
  if (!c) throw new CloudApiError('InternalError', `address chunk ${index} of ${s.subnetId} is missing`);
  return c;
}

/**
 * Allocates `n` addresses in one transaction (all or none): InsufficientFreeAddressesInSubnet when the
 * subnet has fewer than `n` free. Starts at a random chunk so replicas allocating in a large subnet
 * rarely contend for one record.
 */
export async function allocateAddresses(tx: Tx, s: SubnetRef, n: number): Promise<string[]> {
  const count = chunkCount(s.cidr);
  const start = count > 1 ? Math.floor(Math.random() * count) : 0;
  const out: number[] = [];
  for (let k = 0; k < count && out.length < n; k++) {
    const index = (start + k) % count;
    const c = await chunkAt(tx, s, index);
    if (c.free === 0) continue;
    out.push(...takeFree(c, n - out.length));
    tx.put(chunkKey(s.subnetId, index), c);
  }
  if (out.length < n) throw insufficientAddresses();
  return out.map((o) => formatIpv4(s.cidr.base + o));
}

/** Claims specific addresses; `InvalidParameterValue` if one is outside the subnet or reserved, `InvalidIPAddress.InUse` if taken. */
export async function claimAddresses(tx: Tx, s: SubnetRef, addresses: readonly number[]): Promise<void> {
  for (const a of addresses) {
    const offset = a - s.cidr.base;
    const ip = formatIpv4(a);
    if (offset < 0 || offset >= s.cidr.size) throw new CloudApiError('InvalidParameterValue', `Address ${ip} does not fall within the subnet's address range`);
    if (reservedOffsets(s.cidr.size).includes(offset)) throw new CloudApiError('InvalidParameterValue', `Address ${ip} is reserved by AWS`);
    const index = Math.floor(offset / CHUNK_SIZE);
    const c = await chunkAt(tx, s, index);
    if (!takeExact(c, offset)) throw new CloudApiError('InvalidIPAddress.InUse', `Address ${ip} is in use.`);
    tx.put(chunkKey(s.subnetId, index), c);
  }
}

/** Allocates `n` aligned /28 prefixes (all or none): InsufficientCidrBlocks when not enough fully free aligned blocks remain. */
export async function allocatePrefixes(tx: Tx, s: SubnetRef, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let index = 0; index < chunkCount(s.cidr) && out.length < n; index++) {
    const c = await chunkAt(tx, s, index);
    if (c.free < PREFIX_SIZE) continue;
    let taken = false;
    for (let o = takeAlignedBlock(c); o !== undefined; o = out.length < n ? takeAlignedBlock(c) : undefined) {
      out.push(`${formatIpv4(s.cidr.base + o)}/28`);
      taken = true;
    }
    if (taken) tx.put(chunkKey(s.subnetId, index), c);
  }
  if (out.length < n) throw insufficientBlocks();
  return out;
}

/** Returns addresses (as numbers) to the subnet. */
export async function releaseAddresses(tx: Tx, s: SubnetRef, addresses: readonly number[]): Promise<void> {
  const byChunk = new Map<number, number[]>();
  for (const a of addresses) {
    const offset = a - s.cidr.base;
    if (offset < 0 || offset >= s.cidr.size || reservedOffsets(s.cidr.size).includes(offset)) continue;
    const index = Math.floor(offset / CHUNK_SIZE);
    byChunk.set(index, [...(byChunk.get(index) ?? []), offset]);
  }
  for (const [index, offsets] of byChunk) {
    const c = await chunkAt(tx, s, index);
    giveBack(c, offsets);
    tx.put(chunkKey(s.subnetId, index), c);
  }
}

/** The 16 addresses of a /28 prefix, as numbers. */
export function prefixAddresses(base: number): number[] {
  return Array.from({ length: PREFIX_SIZE }, (_, i) => base + i);
}
