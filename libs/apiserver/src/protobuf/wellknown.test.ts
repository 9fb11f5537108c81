import { describe, expect, it } from 'vitest';
import { Writer } from './encode.fixture.js';
import type { WellKnownType } from './schema.js';
import { decodeWellKnown, goDuration } from './wellknown.js';
import { WireReader } from './wire.js';

/** A fixed32 field 7 the Quantity table does not know, then string = 1. */
function unknownThenQuantity(): Writer {
  const w = new Writer().tag(7, 5);
  w.bytes.push(1, 2, 3, 4);
  return w.string(1, '1');
}

const decode = (type: WellKnownType, w: Writer) => decodeWellKnown(new WireReader(w.done()), type);

describe('well-known types', () => {
  it.each([
    ['Time empty is null', 'Time', new Writer(), null],
    ['Time epoch (seconds present, zero)', 'Time', new Writer().tag(1, 0).varint(0), '1970-01-01T00:00:00Z'],
    ['Time drops nanos', 'Time', new Writer().tag(1, 0).varint(1717243200).tag(2, 0).varint(999), '2024-06-01T12:00:00Z'],
    ['Time before the epoch', 'Time', new Writer().tag(1, 0).varint(-86400), '1969-12-31T00:00:00Z'],
    ['MicroTime empty is null', 'MicroTime', new Writer(), null],
    ['MicroTime keeps microseconds', 'MicroTime', new Writer().tag(1, 0).varint(1717243200).tag(2, 0).varint(123456789), '2024-06-01T12:00:00.123456Z'],
    ['MicroTime whole second', 'MicroTime', new Writer().tag(1, 0).varint(1717243200), '2024-06-01T12:00:00.000000Z'],
    ['Duration', 'Duration', new Writer().tag(1, 0).varint(90e9), '1m30s'],
    ['Duration empty', 'Duration', new Writer(), '0s'],
    ['IntOrString int', 'IntOrString', new Writer().tag(1, 0).varint(0).tag(2, 0).varint(-1), -1],
    ['IntOrString empty is 0', 'IntOrString', new Writer(), 0],
    ['IntOrString string', 'IntOrString', new Writer().tag(1, 0).varint(1).string(3, '50%'), '50%'],
    ['IntOrString empty string', 'IntOrString', new Writer().tag(1, 0).varint(1), ''],
    ['Quantity', 'Quantity', new Writer().string(1, '1.5Gi'), '1.5Gi'],
    ['Quantity empty is 0', 'Quantity', new Writer(), '0'],
    ['unknown fields are skipped', 'Quantity', unknownThenQuantity(), '1'],
  ] as const)('well-known types — %s', (_name, type, w, want) => {
    expect(decode(type, w)).toStrictEqual(want);
  });

  it.each([
    [0, '0s'],
    [1, '1ns'],
    [1500, '1.5µs'],
    [250e6, '250ms'],
    [1e9, '1s'],
    [1.5e9, '1.5s'],
    [3600e9, '1h0m0s'],
    [3723e9, '1h2m3s'],
    [-90e9, '-1m30s'],
  ])('well-known types — Duration %d ns is %s', (ns, want) => {
    expect(goDuration(ns)).toBe(want);
  });
});
