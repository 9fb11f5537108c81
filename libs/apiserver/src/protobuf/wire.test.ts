import { describe, expect, it } from 'vitest';
import { ProtobufDecodeError } from './errors.js';
import { WireReader } from './wire.js';

const reader = (...bytes: number[]) => new WireReader(Uint8Array.from(bytes));

describe('WireReader', () => {
  it.each([
    ['one byte', [0x01], 'int64', 1],
    ['two bytes (300)', [0xac, 0x02], 'int64', 300],
    ['int32 -1 is ten bytes', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'int32', -1],
    ['int64 -5', [0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'int64', -5],
    ['int32 max', [0xff, 0xff, 0xff, 0xff, 0x07], 'int32', 2147483647],
    ['int64 2^40', [0x80, 0x80, 0x80, 0x80, 0x80, 0x20], 'int64', 2 ** 40],
    ['uint32 max', [0xff, 0xff, 0xff, 0xff, 0x0f], 'uint32', 4294967295],
    ['bool from a wide varint', [0x80, 0x01], 'bool', true],
    ['double 1.5', [0, 0, 0, 0, 0, 0, 0xf8, 0x3f], 'double', 1.5],
  ] as const)('WireReader — reads %s', (_name, bytes, method, want) => {
    const r = reader(...bytes);
    expect(r[method]()).toBe(want);
    expect(r.done).toBe(true);
  });

  it.each([
    ['truncated varint', [0x80, 0x80], (r: WireReader) => r.int64(), /truncated varint/],
    ['eleven-byte varint', [...Array<number>(10).fill(0xff), 0x01], (r: WireReader) => r.int64(), /longer than 10 bytes/],
    ['length past the end', [0x05, 0x61], (r: WireReader) => r.bytes(), /runs past the end/],
    ['huge length', [0xff, 0xff, 0xff, 0xff, 0x0f], (r: WireReader) => r.bytes(), /length 4294967295 runs past/],
    ['length over 32 bits', [0xff, 0xff, 0xff, 0xff, 0xff, 0x01], (r: WireReader) => r.bytes(), /32 bits/],
    ['field number 0', [0x02], (r: WireReader) => r.tag(), /field number 0/],
    ['group start (wire type 3)', [0x0b], (r: WireReader) => r.tag(), /wire type 3/],
    ['wire type 7', [0x0f], (r: WireReader) => r.tag(), /wire type 7/],
    ['truncated fixed64', [0x01, 0x02], (r: WireReader) => r.double(), /past the end/],
    ['skip truncated fixed32', [0x01], (r: WireReader) => r.skip(5), /past the end/],
  ])('WireReader — rejects %s', (_name, bytes, read, message) => {
    const r = reader(...bytes);
    expect(() => read(r)).toThrow(ProtobufDecodeError);
    expect(() => read(reader(...bytes))).toThrow(message);
  });

  it('WireReader — a sub-reader cannot read past its bounds', () => {
    const r = reader(0x02, 0x01, 0x01, 0x61);
    const sub = r.sub(r.lengthDelimited());
    expect(sub.int64()).toBe(1);
    expect(sub.int64()).toBe(1);
    expect(() => sub.int64()).toThrow(/truncated varint/);
  });
});
