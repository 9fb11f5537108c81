// Unknown and duplicate fields against the kinds' OpenAPI schemas, worded as kube-apiserver's strict
// decoder (sigs.k8s.io/json) words them: `unknown field "spec.template.spec.containers[0].foo"`,
// `duplicate field "spec.replicas"`, in document order.
import { deref } from './definitions.js';
import { refPrefix, type Schema } from './schema.js';

/** Go's %q for the paths kube prints (JSON string escaping agrees for what field names contain). */
export const quote = (path: string): string => JSON.stringify(path);

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** What a value is checked against: a schema, `any` (duplicates only) or nothing (skipped). */
type Check = Schema | 'any' | undefined;

function childOf(check: Check, key: string): { check: Check; unknown: boolean } {
  if (check === 'any' || check === undefined) return { check, unknown: false };
  const s = deref(check);
  if (s.properties) {
    const p = s.properties[key];
    return p ? { check: p, unknown: false } : { check: undefined, unknown: true };
  }
  if (s.additionalProperties) return { check: s.additionalProperties, unknown: false };
  return { check: undefined, unknown: false }; // free-form object (FieldsV1, RawExtension)
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

/**
 * Scans JSON text (already known to parse) for unknown fields (against `root`, a definition name) and
 * duplicate keys; `root` undefined checks duplicates only (a merge patch has no schema of its own).
 * Returns the problems in the order they appear.
 */
export function scanJson(text: string, root: string | undefined): string[] {
  const problems: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const string = (): string => {
    const start = i++;
    let escaped = false;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        escaped = true;
        i++;
      }
      i++;
    }
    i++;
    const raw = text.slice(start, i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const value = (given: Check, path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const check = freeForm(given) ? undefined : given;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = string();
        const at = join(path, key);
        const child = childOf(check, key);
        if (check !== undefined && seen.has(key)) problems.push(`duplicate field ${quote(at)}`);
        else if (child.unknown) problems.push(`unknown field ${quote(at)}`);
        seen.add(key);
        ws();
        i++; // ':'
        value(child.check, at);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      const items = itemsOf(given);
      for (let n = 0; ; n++) {
        value(items, `${path}[${n}]`);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !',}] \n\r\t'.includes(text[i]!)) i++;
  };
  value(root === undefined ? 'any' : { $ref: refPrefix + root }, '');
  return problems;
}

/**
 * Removes the fields of `obj` that `root`'s schema does not declare (kube never stores them) and returns
 * their paths in document order.
 */
export function pruneUnknownFields(obj: Record<string, unknown>, root: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown, schema: Schema | undefined, path: string): void => {
    if (!schema || value === null || typeof value !== 'object') return;
    const s = deref(schema);
    if (Array.isArray(value)) {
      value.forEach((v, n) => walk(v, s.items, `${path}[${n}]`));
      return;
    }
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const at = join(path, key);
      if (s.properties) {
        const p = s.properties[key];
        if (p) walk(o[key], p, at);
        else {
          found.push(at);
          delete o[key];
        }
      } else if (s.additionalProperties) walk(o[key], s.additionalProperties, at);
    }
  };
  walk(obj, { $ref: refPrefix + root }, '');
  return found;
}
