import { ProtobufDecodeError, UnsupportedKindError } from './errors.js';
import { findKind } from './kinds.js';
import { schema } from './registry.js';
import { WELL_KNOWN_TYPES, type FieldSpec, type MapValueKind, type ScalarKind, type WellKnownType } from './schema.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireReader, type WireType } from './wire.js';
import { decodeWellKnown } from './wellknown.js';

/** `k8s\x00`, the prefix of every Kubernetes protobuf body (runtime/serializer/protobuf). */
export const PROTOBUF_MAGIC: readonly number[] = [0x6b, 0x38, 0x73, 0x00];

/** Kubernetes objects nest about 12 deep (CronJob → … → HTTPGetAction); 64 leaves room and stops abuse. */
export const MAX_DEPTH = 64;
/** Unknown fields listed individually; past this, one summary entry counts the rest. */
const MAX_UNKNOWN_LISTED = 50;

export interface DecodedObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object as Kubernetes JSON, `apiVersion` and `kind` first. */
  readonly object: Record<string, unknown>;
  /** Fields skipped because the schema does not know them, as `Message.field at json.path` (for logging). */
  readonly unknownFields: string[];
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body: the `k8s\x00` prefix, a runtime.Unknown envelope
 * (typeMeta, raw, contentEncoding, contentType), and `raw` as the object's message. The caller bounds the
 * body size (readBody's limit); work is linear in it. Throws ProtobufDecodeError for malformed bytes and
 * UnsupportedKindError for a kind without a schema — both carry a 400 BadRequest status.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  if (body.length < PROTOBUF_MAGIC.length || PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufDecodeError('the body does not start with the Kubernetes protobuf prefix k8s\\x00', 0);
  }
  const envelope = readEnvelope(new WireReader(body, PROTOBUF_MAGIC.length));
  if (envelope.contentEncoding !== '') {
    throw new ProtobufDecodeError(`unsupported contentEncoding ${JSON.stringify(envelope.contentEncoding)}`);
  }
  if (envelope.kind === '') throw new ProtobufDecodeError('the envelope has no kind');
  const supported = findKind(envelope.apiVersion, envelope.kind);
  if (!supported) throw new UnsupportedKindError(envelope.apiVersion, envelope.kind);

  const unknown: Unknowns = { listed: [], more: 0 };
  const raw = envelope.raw ?? new WireReader(body, body.length);
  const fields = decodeMessage(raw, supported.message, '', 1, unknown) as Record<string, unknown>;
  const object = { apiVersion: envelope.apiVersion, kind: envelope.kind, ...fields };
  const unknownFields = unknown.more > 0 ? [...unknown.listed, `…and ${unknown.more} more`] : unknown.listed;
  return { apiVersion: envelope.apiVersion, kind: envelope.kind, object, unknownFields };
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: WireReader | undefined;
  contentEncoding: string;
}

/** runtime.Unknown: typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4. */
function readEnvelope(r: WireReader): Envelope {
  const out: Envelope = { apiVersion: '', kind: '', raw: undefined, contentEncoding: '' };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== WIRE_LEN || field > 4) {
      r.skip(wire);
      continue;
    }
    const payload = r.sub(r.lengthDelimited());
    if (field === 1) {
      while (!payload.done) {
        const t = payload.tag();
        if (t.wire === WIRE_LEN && t.field === 1) out.apiVersion = payload.string();
        else if (t.wire === WIRE_LEN && t.field === 2) out.kind = payload.string();
        else payload.skip(t.wire);
      }
    } else if (field === 2) out.raw = payload;
    else if (field === 3) out.contentEncoding = payload.restString();
    // field 4, contentType, is empty from kubectl and says nothing the outer Content-Type did not.
  }
  return out;
}

interface Unknowns {
  listed: string[];
  more: number;
}

const isWellKnown = (type: string): type is WellKnownType => (WELL_KNOWN_TYPES as readonly string[]).includes(type);

function decodeMessage(r: WireReader, type: string, path: string, depth: number, unknown: Unknowns): unknown {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`messages nest deeper than ${MAX_DEPTH} levels`, r.offset);
  if (isWellKnown(type)) return decodeWellKnown(r, type);
  const spec = schema.get(type);
  if (!spec) throw new ProtobufDecodeError(`no schema for message ${type}`); // buildSchema rules this out
  const obj: Record<string, unknown> = {};
  if (spec.size === 0) {
    while (!r.done) r.skip(r.tag().wire); // an opaque table (status): checked for shape, not reported
    return obj;
  }
  while (!r.done) {
    const { field, wire } = r.tag();
    const f = spec.get(field);
    if (!f) {
      r.skip(wire);
      if (unknown.listed.length < MAX_UNKNOWN_LISTED) unknown.listed.push(`${type}.${field} at ${path || '.'}`);
      else unknown.more++;
      continue;
    }
    const at = r.offset;
    const here = path === '' ? f.json : `${path}.${f.json}`;
    if (f.kind === 'map') {
      expectWire(f, wire, WIRE_LEN, at);
      const entries = (obj[f.json] ??= {}) as Record<string, unknown>;
      const [key, value] = readMapEntry(r.sub(r.lengthDelimited()), f.mapValue!, depth + 1);
      setOwn(entries, key, value);
    } else if (f.kind === 'message') {
      expectWire(f, wire, WIRE_LEN, at);
      const value = decodeMessage(r.sub(r.lengthDelimited()), f.message!, here, depth + 1, unknown);
      if (f.inline) Object.assign(obj, value);
      else if (f.repeated) ((obj[f.json] ??= []) as unknown[]).push(value);
      else obj[f.json] = value;
    } else if (f.repeated) {
      const list = (obj[f.json] ??= []) as unknown[];
      if (wire === WIRE_LEN && f.kind !== 'string' && f.kind !== 'bytes') {
        const packed = r.sub(r.lengthDelimited()); // packed repeated scalars: proto3 style, accepted too
        while (!packed.done) list.push(readScalar(packed, f.kind));
      } else {
        expectWire(f, wire, scalarWire(f.kind), at);
        list.push(readScalar(r, f.kind));
      }
    } else {
      expectWire(f, wire, scalarWire(f.kind), at);
      const value = readScalar(r, f.kind);
      if (f.keepZero || !isZero(value)) obj[f.json] = value;
      else delete obj[f.json];
    }
  }
  return obj;
}

/** A map entry message: key = 1 (string), value = 2. Absent parts are their zero values, as in Go. */
function readMapEntry(r: WireReader, valueKind: MapValueKind, depth: number): [string, unknown] {
  let key = '';
  let value: unknown = valueKind === 'Quantity' ? '0' : '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) key = r.string();
    else if (field === 2 && wire === WIRE_LEN) {
      if (valueKind === 'string') value = r.string();
      else if (valueKind === 'bytes') value = base64(r.bytes());
      else {
        if (depth + 1 > MAX_DEPTH) throw new ProtobufDecodeError(`messages nest deeper than ${MAX_DEPTH} levels`, r.offset);
        value = decodeWellKnown(r.sub(r.lengthDelimited()), 'Quantity');
      }
    } else if (field === 1 || field === 2) throw new ProtobufDecodeError(`map entry field ${field} has wire type ${wire}`, r.offset);
    else r.skip(wire);
  }
  return [key, value];
}

function readScalar(r: WireReader, kind: ScalarKind): string | number | boolean {
  switch (kind) {
    case 'string':
      return r.string();
    case 'bytes':
      return base64(r.bytes());
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'double':
      return r.double();
  }
}

const scalarWire = (kind: ScalarKind): WireType =>
  kind === 'string' || kind === 'bytes' ? WIRE_LEN : kind === 'double' ? WIRE_FIXED64 : WIRE_VARINT;

function expectWire(f: FieldSpec, got: WireType, want: WireType, at: number): void {
  if (got !== want) throw new ProtobufDecodeError(`field ${f.json} has wire type ${got}, expected ${want}`, at);
}

const isZero = (v: string | number | boolean): boolean => v === '' || v === 0 || v === false;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Map keys come from the client: define them as own properties so `__proto__` stays a plain key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Whether a Content-Type header names Kubernetes protobuf (parameters and case ignored). */
export const isKubernetesProtobuf = (contentType: string | undefined | null): boolean =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
