// Test-only: an encoder driven by the same schema table, to build round-trip vectors. It writes every field
// present in the JSON, zero or not, as gogo does for non-pointer fields. Not exported from the barrel.
import { findKind } from './kinds.js';
import { schema } from './registry.js';
import type { FieldSpec, ScalarKind } from './schema.js';

export class Writer {
  readonly bytes: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  len(field: number, payload: readonly number[] | Uint8Array): this {
    this.tag(field, 2).varint(payload.length);
    for (const b of payload) this.bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.len(field, new TextEncoder().encode(s));
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** `k8s\x00` + runtime.Unknown{typeMeta, raw}. */
export function envelope(apiVersion: string, kind: string, raw: readonly number[] | Uint8Array, extra?: (w: Writer) => void): Uint8Array {
  const typeMeta = new Writer().string(1, apiVersion).string(2, kind);
  const w = new Writer();
  w.bytes.push(0x6b, 0x38, 0x73, 0x00);
  w.len(1, typeMeta.bytes).len(2, raw);
  extra?.(w);
  return w.done();
}

/** Encodes a Kubernetes JSON object of a supported kind. */
export function encodeKubernetesProtobuf(object: Record<string, unknown>): Uint8Array {
  const apiVersion = String(object['apiVersion']);
  const kind = String(object['kind']);
  const supported = findKind(apiVersion, kind);
  if (!supported) throw new Error(`encoder: unsupported ${apiVersion}/${kind}`);
  return envelope(apiVersion, kind, encodeMessage(supported.message, object));
}

export function encodeMessage(type: string, json: unknown): number[] {
  const w = new Writer();
  const o = json as Record<string, unknown>;
  switch (type) {
    case 'Time':
      if (o !== null) w.tag(1, 0).varint(Date.parse(String(json)) / 1000);
      return w.bytes;
    case 'IntOrString':
      if (typeof json === 'number') w.tag(1, 0).varint(0).tag(2, 0).varint(json);
      else w.tag(1, 0).varint(1).string(3, String(json));
      return w.bytes;
    case 'Quantity':
      return w.string(1, String(json)).bytes;
  }
  const spec = schema.get(type);
  if (!spec) throw new Error(`encoder: no message ${type}`);
  for (const [num, f] of [...spec].sort(([a], [b]) => a - b)) {
    if (f.inline) {
      w.len(num, encodeMessage(f.message!, o));
      continue;
    }
    const value = o[f.json];
    if (value === undefined) continue;
    if (f.kind === 'map') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const entry = new Writer().string(1, k);
        if (f.mapValue === 'Quantity') entry.len(2, encodeMessage('Quantity', v));
        else if (f.mapValue === 'bytes') entry.len(2, Buffer.from(String(v), 'base64'));
        else entry.string(2, String(v));
        w.len(num, entry.bytes);
      }
    } else {
      for (const item of f.repeated ? (value as unknown[]) : [value]) writeValue(w, num, f, item);
    }
  }
  return w.bytes;
}

function writeValue(w: Writer, num: number, f: FieldSpec, value: unknown): void {
  if (f.kind === 'message') {
    w.len(num, encodeMessage(f.message!, value));
    return;
  }
  const kind = f.kind as ScalarKind;
  if (kind === 'string') w.string(num, String(value));
  else if (kind === 'bytes') w.len(num, Buffer.from(String(value), 'base64'));
  else if (kind === 'bool') w.tag(num, 0).varint(value ? 1 : 0);
  else if (kind === 'double') {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(Number(value));
    w.tag(num, 1).bytes.push(...b);
  } else w.tag(num, 0).varint(Number(value));
}
