// Field paths as structured-merge-diff (fieldpath) names them: a field of a struct or map (`f:name`), an
// item of an associative list by its keys (`k:{"name":"c"}`), an item of a set by its value (`v:"x"`), or an
// item of an atomic-free list by index (`i:0`, never produced here: lists without keys are atomic).
import type { JsonValue } from '../patch/json-patch.js';

export type PathElement =
  | { readonly field: string }
  | { readonly key: ReadonlyArray<readonly [string, JsonValue]> }
  | { readonly value: JsonValue }
  | { readonly index: number };

export type Path = readonly PathElement[];

// encoding/json escapes <, > and & (jsoniter's ConfigCompatibleWithStandardLibrary does too).
const goJson = (v: JsonValue): string => JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A key element with its fields sorted by name, as `value.FieldList.Sort` leaves them. */
export function keyElement(fields: Record<string, JsonValue>): PathElement {
  return { key: Object.keys(fields).sort().map((k) => [k, fields[k]!] as const) };
}

/** The FieldsV1 spelling of one element: `f:labels`, `k:{"containerPort":80,"protocol":"TCP"}`, `v:"x"`, `i:0`. */
export function serializeElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('index' in pe) return `i:${pe.index}`;
  // Elements are immutable and one element is spelled many times over (once per path through it, again when
  // sorting and writing FieldsV1): its JSON spelling is kept with it.
  let s = spelled.get(pe);
  if (s === undefined) {
    s = 'key' in pe ? `k:{${pe.key.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}` : `v:${goJson(pe.value)}`;
    spelled.set(pe, s);
  }
  return s;
}
const spelled = new WeakMap<PathElement, string>();

export class FieldPathError extends Error {
  override readonly name = 'FieldPathError';
}

/** Parses `serializeElement`'s output back (DeserializePathElement); anything else throws FieldPathError. */
export function parseElement(s: string): PathElement {
  if (s.length < 2 || s[1] !== ':') throw new FieldPathError(s.length < 2 ? 'key must be 2 characters long:' : `missing colon: ${s}`);
  const rest = s.slice(2);
  try {
    switch (s[0]) {
      case 'f': return { field: rest };
      case 'v': return { value: JSON.parse(rest) as JsonValue };
      case 'i': {
        const n = Number(rest);
        if (!Number.isInteger(n)) throw new FieldPathError(`invalid index: ${rest}`);
        return { index: n };
      }
      case 'k': {
        const obj = JSON.parse(rest) as unknown;
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new FieldPathError(`invalid key: ${rest}`);
        return keyElement(obj as Record<string, JsonValue>);
      }
      default: throw new FieldPathError('unknown path element type');
    }
  } catch (err) {
    if (err instanceof FieldPathError) throw err;
    throw new FieldPathError(`invalid path element ${s}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// value.ToString: strings quoted (Go %q, which JSON quoting matches for printable text), the rest as JSON.
const toGoString = (v: JsonValue): string => JSON.stringify(v);

/** How Kubernetes prints a path in messages (fieldpath.Path.String): `.spec.containers[name="c"].image`. */
export function pathString(path: Path): string {
  return path.map((pe) => {
    if ('field' in pe) return `.${pe.field}`;
    if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${toGoString(v)}`).join(',')}]`;
    if ('value' in pe) return `[=${toGoString(pe.value)}]`;
    return `[${pe.index}]`;
  }).join('');
}

const rank = (pe: PathElement): number => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

function compareValues(a: JsonValue, b: JsonValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** PathElement.Compare: fields before keys before values before indexes, then by content. */
export function compareElements(a: PathElement, b: PathElement): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  if ('field' in a && 'field' in b) return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
  if ('key' in a && 'key' in b) {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      const [ka, va] = a.key[i]!;
      const [kb, vb] = b.key[i]!;
      if (ka !== kb) return ka < kb ? -1 : 1;
      const c = compareValues(va, vb);
      if (c !== 0) return c;
    }
    return a.key.length - b.key.length;
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index - b.index;
  return 0;
}
