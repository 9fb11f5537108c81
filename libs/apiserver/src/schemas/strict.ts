// Unknown and duplicate fields against the kinds' OpenAPI schemas, worded as kube-apiserver's strict
// decoder (sigs.k8s.io/json) words them: `unknown field "spec.template.spec.containers[0].foo"`,
// `duplicate field "spec.replicas"`, in document order.
import { deref } from './definitions.js';
import { refPrefix, type Schema } from './schema.js';

/** Go's %q for the paths kube prints (JSON string escaping agrees for what field names contain). */
export const quote = (path: string): string => JSON.stringify(path);

/** What a value is checked against: a schema, `any` (duplicates only) or nothing (skipped). */
type Check = Schema | 'any' | undefined;

/** What a key's value is checked against; `null` when the key is unknown. */
function childOf(check: Check, key: string): Check | null {
  if (check === 'any' || check === undefined) return check;
  const s = deref(check);
  if (s.properties) return Object.hasOwn(s.properties, key) ? s.properties[key] : null;
  return s.additionalProperties; // undefined for a free-form object (FieldsV1, RawExtension)
}

/** An object schema without properties (FieldsV1, RawExtension) is raw JSON to kube: nothing is checked. */
function freeForm(check: Check): boolean {
  if (check === 'any' || check === undefined) return false;
  const s = deref(check);
  return !s.properties && !s.additionalProperties;
}

function itemsOf(check: Check): Check {
  if (check === 'any' || check === undefined) return check;
  return deref(check).items;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, COMMA = 0x2c;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Scans JSON text (already known to parse) for unknown fields (against `root`, a definition name) and
 * duplicate keys; `root` undefined checks duplicates only (a merge patch has no schema of its own).
 * Returns the problems in the order they appear. Builds no values and no paths unless it reports one.
 * Malformed text ends the scan early (it always terminates); reporting it is the parser's job.
 */
export function scanJson(text: string, root: string | undefined): string[] {
  const problems: string[] = [];
  /** Path segments: keys as `.key`, indexes as `[n]` (the first key without its dot). */
  const segments: string[] = [];
  const pathWith = (key: string): string => (segments.join('') + (segments.length === 0 ? key : `.${key}`));
  let i = 0;
  const ws = (): void => {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  };
  /** Skips a string from its opening quote; returns whether it had escapes. */
  const skipString = (): boolean => {
    let escaped = false;
    i++;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE || Number.isNaN(c)) break;
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      }
      i++;
    }
    i++;
    return escaped;
  };
  const key = (): string => {
    const start = i;
    const escaped = skipString();
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return text.slice(start + 1, i - 1); // not JSON after all: whoever parses the body reports it
    }
  };
  const value = (given: Check): void => {
    ws();
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT) {
      i++;
      const check = freeForm(given) ? undefined : given;
      const seen = check === undefined ? undefined : new Set<string>();
      ws();
      if (text.charCodeAt(i) === CLOSE_OBJECT) {
        i++;
        return;
      }
      for (;;) {
        ws();
        const k = key();
        const child = childOf(check, k);
        if (seen?.has(k)) problems.push(`duplicate field ${quote(pathWith(k))}`);
        else if (child === null) problems.push(`unknown field ${quote(pathWith(k))}`);
        seen?.add(k);
        ws();
        i++; // ':'
        segments.push(segments.length === 0 ? k : `.${k}`);
        value(child ?? undefined);
        segments.pop();
        ws();
        if (text.charCodeAt(i++) !== COMMA) return;
      }
    }
    if (c === OPEN_ARRAY) {
      i++;
      ws();
      if (text.charCodeAt(i) === CLOSE_ARRAY) {
        i++;
        return;
      }
      const items = itemsOf(given);
      for (let n = 0; ; n++) {
        segments.push(`[${n}]`);
        value(items);
        segments.pop();
        ws();
        if (text.charCodeAt(i++) !== COMMA) return;
      }
    }
    if (c === QUOTE) {
      skipString();
      return;
    }
    for (;;) {
      const d = text.charCodeAt(i);
      if (Number.isNaN(d) || d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) return;
      i++;
    }
  };
  value(root === undefined ? 'any' : { $ref: refPrefix + root });
  return problems;
}

/**
 * Removes the fields of `obj` that `root`'s schema does not declare (kube never stores them) and returns
 * their paths in document order.
 */
export function pruneUnknownFields(obj: Record<string, unknown>, root: string): string[] {
  const found: string[] = [];
  const segments: string[] = [];
  const walk = (value: unknown, schema: Schema | undefined): void => {
    if (!schema || value === null || typeof value !== 'object') return;
    const s = deref(schema);
    if (Array.isArray(value)) {
      if (!s.items) return;
      for (let n = 0; n < value.length; n++) {
        segments.push(`[${n}]`);
        walk(value[n], s.items);
        segments.pop();
      }
      return;
    }
    const o = value as Record<string, unknown>;
    const child = s.properties ? undefined : s.additionalProperties;
    if (!s.properties && !child) return;
    for (const key of Object.keys(o)) {
      const p = s.properties ? (Object.hasOwn(s.properties, key) ? s.properties[key] : undefined) : child;
      if (!p) {
        found.push(segments.join('') + (segments.length === 0 ? key : `.${key}`));
        delete o[key];
        continue;
      }
      segments.push(segments.length === 0 ? key : `.${key}`);
      walk(o[key], p);
      segments.pop();
    }
  };
  walk(obj, { $ref: refPrefix + root });
  return found;
}

/**
 * The fields of a server-side apply configuration that `root`'s schema does not declare, as
 * structured-merge-diff reports them (`.spec.foo: field not declared in schema`, list items of a map-type
 * list by key: `.spec.containers[name="web"].foo`); it stops at the first undeclared field of an object.
 */
export function undeclaredFields(obj: Record<string, unknown>, root: string): string[] {
  const errors: string[] = [];
  const walk = (value: unknown, schema: Schema | undefined, path: string, listKeys?: readonly string[]): void => {
    if (!schema || value === null || typeof value !== 'object') return;
    const s = deref(schema);
    if (Array.isArray(value)) {
      value.forEach((item, n) => {
        const keyed = listKeys && item !== null && typeof item === 'object' && !Array.isArray(item)
          ? listKeys.map((k) => `${k}=${JSON.stringify((item as Record<string, unknown>)[k])}`).join(',') : undefined;
        walk(item, s.items, `${path}[${keyed ?? n}]`);
      });
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const p = s.properties ? (Object.hasOwn(s.properties, key) ? s.properties[key] : undefined) : s.additionalProperties;
      if (s.properties && !p) {
        errors.push(`${path}.${key}: field not declared in schema`);
        return;
      }
      walk(child, p, `${path}.${key}`, p?.['x-kubernetes-list-type'] === 'map' ? p['x-kubernetes-list-map-keys'] : undefined);
    }
  };
  walk(obj, { $ref: refPrefix + root }, '');
  return errors;
}
