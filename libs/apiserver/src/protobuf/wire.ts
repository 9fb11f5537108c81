import { ProtobufDecodeError } from './errors.js';

/** Protobuf wire types (encoding.md): groups (3, 4) are long deprecated and rejected. */
export type WireType = 0 | 1 | 2 | 5;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** A 64-bit varint as two unsigned 32-bit halves, so no value is silently rounded while reading. */
export interface Varint64 {
  readonly lo: number;
  readonly hi: number;
}

const TWO_32 = 0x1_0000_0000;

/**
 * A bounds-checked reader over one message's bytes. Every read either stays inside `[pos, end)` or throws
 * `ProtobufDecodeError`; nothing loops without consuming input, so hostile bytes cannot hang it.
 * Offsets in errors are absolute positions in the underlying buffer.
 */
export class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint of up to 10 bytes; a tenth byte with the continuation bit set is malformed. */
  varint64(): Varint64 {
    const at = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint', at);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo += bits * 2 ** (7 * i);
      else if (i === 4) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >>> 4;
      } else hi += bits * 2 ** (7 * i - 32);
      if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes', at);
  }

  /** A varint that must fit in 32 unsigned bits (tags and lengths). */
  uint32(): number {
    const at = this.pos;
    const { lo, hi } = this.varint64();
    if (hi !== 0) throw new ProtobufDecodeError('varint does not fit in 32 bits', at);
    return lo;
  }

  /** proto `int32`: negative values arrive sign-extended to 10 bytes; the low 32 bits are the value. */
  int32(): number {
    return this.varint64().lo | 0;
  }

  /**
   * proto `int64` as a JS number. Values past ±2^53 lose precision (JSON clients such as kubectl parse
   * numbers as float64-safe integers anyway; no Kubernetes field of the supported kinds gets near that).
   */
  int64(): number {
    const { lo, hi } = this.varint64();
    return (hi | 0) * TWO_32 + lo;
  }

  bool(): boolean {
    const { lo, hi } = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  double(): number {
    const bytes = this.take(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  }

  /** A length-delimited field's payload, as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const at = this.pos;
    const length = this.uint32();
    if (length > this.end - this.pos) {
      throw new ProtobufDecodeError(`length ${length} runs past the end of the message`, at);
    }
    return this.take(length);
  }

  /** The bounds `[start, end)` of a length-delimited payload, for a nested reader over the same buffer. */
  lengthDelimited(): { start: number; end: number } {
    const at = this.pos;
    const length = this.uint32();
    if (length > this.end - this.pos) {
      throw new ProtobufDecodeError(`length ${length} runs past the end of the message`, at);
    }
    const start = this.pos;
    this.pos += length;
    return { start, end: this.pos };
  }

  /** A reader over `[start, end)` of the same buffer (a nested message). */
  sub(range: { start: number; end: number }): WireReader {
    return new WireReader(this.buf, range.start, range.end);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Everything left in this reader as a string (the payload of a `sub` reader over a string field). */
  restString(): string {
    return utf8.decode(this.take(this.end - this.pos));
  }

  /** A field key: field number ≥ 1 and a supported wire type. */
  tag(): { field: number; wire: WireType } {
    const at = this.pos;
    const key = this.uint32();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 0) throw new ProtobufDecodeError('field number 0 is invalid', at);
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) {
      throw new ProtobufDecodeError(`unsupported wire type ${wire} for field ${field}`, at);
    }
    return { field, wire };
  }

  /** Skips one value of the given wire type (an unknown field). */
  skip(wire: WireType): void {
    if (wire === WIRE_VARINT) this.varint64();
    else if (wire === WIRE_FIXED64) this.take(8);
    else if (wire === WIRE_FIXED32) this.take(4);
    else this.lengthDelimited();
  }

  private take(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new ProtobufDecodeError(`${n} bytes run past the end of the message`, this.pos);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Lenient UTF-8 (bad sequences become U+FFFD): Kubernetes' gogo proto2 code does not validate strings either. */
const utf8 = new TextDecoder('utf-8');
