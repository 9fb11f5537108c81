import { ProtobufDecodeError } from './errors.js';
import type { WellKnownType } from './schema.js';
import { WIRE_LEN, WIRE_VARINT, type WireReader } from './wire.js';

/**
 * The apimachinery types whose JSON is not their field table (custom MarshalJSON in Go):
 * - Time `{seconds = 1, nanos = 2}` → RFC 3339 with whole seconds (`2006-01-02T15:04:05Z`); an empty message is
 *   Go's zero time, whose JSON is `null`. Nanos are dropped, as metav1.Time's Unmarshal does.
 * - MicroTime (same fields) → RFC 3339 with six fractional digits; empty → `null`.
 * - Duration `{duration = 1}` in nanoseconds → Go's `time.Duration.String()` (`1h0m0s`).
 * - IntOrString `{type = 1, intVal = 2, strVal = 3}` → a JSON number (type 0) or string (type 1).
 * - Quantity `{string = 1}` → the string as is (not re-canonicalised; validation is the apiserver's job).
 */
export function decodeWellKnown(r: WireReader, type: WellKnownType): unknown {
  const start = r.offset;
  const fields = readFlat(r);
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      if (r.offset === start) return null;
      const seconds = num(fields.get(1));
      const nanos = type === 'MicroTime' ? num(fields.get(2)) : 0;
      return rfc3339(seconds, nanos, type === 'MicroTime', start);
    }
    case 'Duration':
      return goDuration(num(fields.get(1)));
    case 'IntOrString': {
      const kind = num(fields.get(1));
      if (kind === 0) return num(fields.get(2)) | 0;
      if (kind === 1) return str(fields.get(3));
      throw new ProtobufDecodeError(`IntOrString has impossible type ${kind}`, start);
    }
    case 'Quantity': {
      const value = str(fields.get(1));
      return value === '' ? '0' : value;
    }
  }
}

/** Reads a message of scalar fields (last occurrence wins); every well-known type is one. */
function readFlat(r: WireReader): Map<number, number | string> {
  const out = new Map<number, number | string>();
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire === WIRE_VARINT) out.set(field, r.int64());
    else if (wire === WIRE_LEN) out.set(field, r.string());
    else r.skip(wire);
  }
  return out;
}

const num = (v: number | string | undefined): number => (typeof v === 'number' ? v : 0);
const str = (v: number | string | undefined): string => (typeof v === 'string' ? v : '');

const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z, the last instant Go's RFC 3339 MarshalJSON accepts

function rfc3339(seconds: number, nanos: number, micro: boolean, at: number): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ProtobufDecodeError(`timestamp ${seconds}s is outside the years 0001–9999`, at);
  }
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${whole}Z`;
  const micros = Math.min(999_999, Math.max(0, Math.floor(nanos / 1000)));
  return `${whole}.${String(micros).padStart(6, '0')}Z`;
}

/** Go's `time.Duration.String()`: `0s`, `1.5µs`, `250ms`, `1m30s`, `1h0m0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const u = Math.abs(ns);
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${fraction(u, 1e3)}µs`;
  if (u < 1e9) return `${sign}${fraction(u, 1e6)}ms`;
  const hours = Math.floor(u / 3.6e12);
  const minutes = Math.floor((u % 3.6e12) / 6e10);
  const rest = u % 6e10;
  const h = hours > 0 ? `${hours}h` : '';
  const m = hours > 0 || minutes > 0 ? `${minutes}m` : '';
  return `${sign}${h}${m}${fraction(rest, 1e9)}s`;
}

function fraction(value: number, scale: number): string {
  const whole = Math.floor(value / scale);
  const frac = value % scale;
  if (frac === 0) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}
