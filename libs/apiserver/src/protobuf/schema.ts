/**
 * The schema table's types and the small notation the `schema-*.ts` tables are written in.
 *
 * Each table maps message name → field number → `'<jsonName> <type>'`, with `<type>` one of
 *   `string | int32 | int64 | bool | bytes | double`  a scalar,
 *   `<Message>`                                       a nested message (including the well-known ones below),
 *   `map[string] | map[bytes] | map[Quantity]`        a map (repeated entry messages: key = 1, value = 2),
 * and these prefixes, in this order:
 *   `...`  the message is embedded inline in Go, so its JSON fields merge into the parent (Volume.VolumeSource),
 *   `[]`   repeated,
 *   `*`    a zero scalar on the wire is kept in JSON. Used for Go pointers (`replicas *int32`: sent only when
 *          set, so `0` means 0) and for fields without `omitempty` (`ServicePort.port`). Without `*`, a zero
 *          scalar is dropped, as Go's `omitempty` would: gogo writes every non-pointer field, set or not.
 * An empty table is opaque: its contents are skipped without being reported and it decodes to `{}`. The
 * status messages are written so — gogo sends them full of zeros on create and the apiserver ignores them.
 * Field numbers and types come from the upstream `generated.proto` files; JSON names and pointer-ness from
 * the Go `types.go` tags. Fields not listed are skipped by the decoder and reported as unknown.
 */

export type ScalarKind = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'double';
export type FieldKind = ScalarKind | 'message' | 'map';
export type MapValueKind = 'string' | 'bytes' | 'Quantity';

/** Messages with a hand-written JSON form instead of a field table (apimachinery's custom marshallers). */
export type WellKnownType = 'Time' | 'MicroTime' | 'Duration' | 'IntOrString' | 'Quantity';
export const WELL_KNOWN_TYPES: readonly WellKnownType[] = ['Time', 'MicroTime', 'Duration', 'IntOrString', 'Quantity'];

export interface FieldSpec {
  readonly json: string;
  readonly kind: FieldKind;
  readonly repeated: boolean;
  /** Keep a zero scalar (see the `*` prefix above). */
  readonly keepZero: boolean;
  /** Merge the nested message's JSON into the parent object (Go embedding). */
  readonly inline: boolean;
  /** The message type, for kind `message`. */
  readonly message?: string;
  /** The value type, for kind `map` (keys are always strings in Kubernetes). */
  readonly mapValue?: MapValueKind;
}

export type MessageSpec = ReadonlyMap<number, FieldSpec>;
/** A `schema-*.ts` table as written: message → field number → notation. */
export type SchemaSource = Readonly<Record<string, Readonly<Record<number, string>>>>;

const SCALARS: readonly string[] = ['string', 'int32', 'int64', 'bool', 'bytes', 'double'];
const MAP_VALUES: readonly string[] = ['string', 'bytes', 'Quantity'];
const NOTATION = /^(\w+) (\.\.\.)?(\[\])?(\*)?(?:map\[(\w+)\]|(\w+))$/;

/** Parses one `'<jsonName> <type>'` entry; a typo is a programming error and throws at module load. */
export function parseField(where: string, notation: string): FieldSpec {
  const m = NOTATION.exec(notation);
  if (!m) throw new Error(`schema ${where}: cannot parse '${notation}'`);
  const [, json, inline, repeated, keep, mapValue, type] = m;
  if (mapValue !== undefined) {
    if (!MAP_VALUES.includes(mapValue)) throw new Error(`schema ${where}: unsupported map value ${mapValue}`);
    return { json: json!, kind: 'map', repeated: false, keepZero: false, inline: false, mapValue: mapValue as MapValueKind };
  }
  const scalar = SCALARS.includes(type!);
  if (inline && (scalar || repeated)) throw new Error(`schema ${where}: only a single message can be inline`);
  if (keep && !scalar) throw new Error(`schema ${where}: '*' applies to scalars only`);
  return {
    json: json!,
    kind: scalar ? (type as ScalarKind) : 'message',
    repeated: repeated !== undefined,
    keepZero: keep !== undefined,
    inline: inline !== undefined,
    ...(scalar ? {} : { message: type! }),
  };
}

/**
 * Parses and merges tables, checking that every referenced message exists and that no message is defined
 * twice, so a broken table fails the first test run rather than a request.
 */
export function buildSchema(...sources: SchemaSource[]): ReadonlyMap<string, MessageSpec> {
  const out = new Map<string, Map<number, FieldSpec>>();
  for (const source of sources) {
    for (const [name, fields] of Object.entries(source)) {
      if (out.has(name) || (WELL_KNOWN_TYPES as readonly string[]).includes(name)) {
        throw new Error(`schema: message ${name} is defined twice`);
      }
      const spec = new Map<number, FieldSpec>();
      for (const [num, notation] of Object.entries(fields)) spec.set(Number(num), parseField(`${name}.${num}`, notation));
      out.set(name, spec);
    }
  }
  for (const [name, spec] of out) {
    for (const [num, field] of spec) {
      const ref = field.message;
      if (ref !== undefined && !out.has(ref) && !(WELL_KNOWN_TYPES as readonly string[]).includes(ref)) {
        throw new Error(`schema ${name}.${num}: unknown message ${ref}`);
      }
    }
  }
  return out;
}
