// The walks over an object and its type that server-side apply needs (SMD's typed package): the set of
// fields an object sets, the difference between two objects, the merge of an applied configuration into
// a live object, and the removal of owned items.
import type { JsonObject, JsonValue } from '../patch/json-patch.js';
import { keyElement, serializeElement, type Path, type PathElement } from './path.js';
import type { TypeNode } from './schema.js';
import { FieldSet } from './set.js';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: JsonValue | undefined): boolean => (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);

/** Deep equality of JSON values (map key order does not matter). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The path element of a list item, or undefined when the list is atomic or the item cannot be keyed
 * (a keyed item without its key and no default): such a list is then treated as atomic.
 */
function itemElement(t: TypeNode, item: JsonValue): PathElement | undefined {
  const list = t.list;
  if (list.type === 'set') return isObject(item) || Array.isArray(item) ? undefined : { value: item };
  if (list.type !== 'map' || !isObject(item)) return undefined;
  const key: Record<string, JsonValue> = {};
  for (const k of list.keys) {
    const v = Object.hasOwn(item, k) ? item[k] : t.keyDefault(k);
    if (v === undefined) {
      if (list.keys.length === 1) return undefined;
      continue; // a secondary key without a default is left out of the key (as SMD does)
    }
    key[k] = v;
  }
  return keyElement(key);
}

/** Items of a granular list by path element, or undefined when the list has to be treated as atomic. */
function indexItems(t: TypeNode, list: readonly JsonValue[]): Map<string, { pe: PathElement; item: JsonValue }> | undefined {
  if (t.list.type === 'atomic') return undefined;
  const out = new Map<string, { pe: PathElement; item: JsonValue }>();
  for (const item of list) {
    const pe = itemElement(t, item);
    if (!pe) return undefined;
    const k = serializeElement(pe);
    if (!out.has(k)) out.set(k, { pe, item });
  }
  return out;
}

/** The fields an object sets (TypedValue.ToFieldSet): leaves, map entries, list items, atomic values. */
export function toFieldSet(obj: JsonValue, t: TypeNode): FieldSet {
  const paths: Path[] = [];
  const walk = (v: JsonValue, node: TypeNode, path: Path): void => {
    if (isObject(v)) {
      if (node.objectKind === 'atomic') return void paths.push(path);
      for (const [k, child] of Object.entries(v)) {
        const p = [...path, { field: k }];
        walk(child, node.field(k), p);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || node.objectKind === 'map') paths.push(p);
      }
      return;
    }
    if (Array.isArray(v)) {
      const items = indexItems(node, v);
      if (!items) return void paths.push(path);
      for (const { pe, item } of items.values()) {
        const p = [...path, pe];
        walk(item, node.element(), p);
        paths.push(p);
      }
      return;
    }
    paths.push(path);
  };
  walk(obj, t, []);
  return FieldSet.of(...paths);
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * What changed from `lhs` to `rhs` (TypedValue.Compare). Structs that appear or disappear are not
 * recorded themselves, only what is in them: Go's typed objects always carry their non-pointer structs
 * (spec, template, strategy), so Kubernetes never sees them added. Maps and list items are recorded.
 */
export function compare(lhs: JsonValue | undefined, rhs: JsonValue | undefined, t: TypeNode): Comparison {
  const added: Path[] = [];
  const modified: Path[] = [];
  const removed: Path[] = [];
  const leaf = (l: JsonValue | undefined, r: JsonValue | undefined, path: Path): void => {
    if (l === undefined) added.push(path);
    else if (r === undefined) removed.push(path);
    else if (!jsonEqual(l, r)) modified.push(path);
  };
  const walk = (l: JsonValue | undefined, r: JsonValue | undefined, node: TypeNode, path: Path, item: boolean): void => {
    if (l === undefined && r === undefined) return;
    const ol = l === undefined || isObject(l);
    const or = r === undefined || isObject(r);
    if (ol && or && node.objectKind !== 'atomic' && !(isEmpty(l) && isEmpty(r)) && !(l === undefined && isEmpty(r)) && !(r === undefined && isEmpty(l))) {
      const lo = (l ?? {});
      const ro = (r ?? {});
      for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) walk(lo[k], ro[k], node.field(k), [...path, { field: k }], false);
      if (node.objectKind === 'map' || item) {
        if (l === undefined) added.push(path);
        else if (r === undefined) removed.push(path);
      }
      return;
    }
    const al = l === undefined || Array.isArray(l);
    const ar = r === undefined || Array.isArray(r);
    if (al && ar && !(isEmpty(l) && isEmpty(r))) {
      const li = indexItems(node, (l ?? []));
      const ri = indexItems(node, (r ?? []));
      if (li && ri) {
        for (const k of new Set([...li.keys(), ...ri.keys()])) {
          const pe = (li.get(k) ?? ri.get(k))!.pe;
          walk(li.get(k)?.item, ri.get(k)?.item, node.element(), [...path, pe], true);
        }
        if (l === undefined) added.push(path);
        else if (r === undefined) removed.push(path);
        return;
      }
    }
    leaf(l, r, path);
  };
  walk(lhs, rhs, t, [], false);
  return { added: FieldSet.of(...added), modified: FieldSet.of(...modified), removed: FieldSet.of(...removed) };
}

/**
 * Merges an applied configuration into the live object (TypedValue.Merge): structs and maps field by
 * field, associative lists and sets item by item (live order first, new items after), atomic values and
 * scalars replaced. A `null` in the configuration removes the field.
 */
export function merge(live: JsonValue | undefined, config: JsonValue | undefined, t: TypeNode): JsonValue | undefined {
  if (config === undefined) return live;
  if (config === null) return undefined;
  if (isObject(live) && isObject(config) && t.objectKind !== 'atomic') {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(config)) {
      const m = merge(live[k], v, t.field(k));
      if (m === undefined) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(config)) {
    const li = indexItems(t, live);
    const ci = indexItems(t, config);
    if (li && ci) {
      const out: JsonValue[] = [];
      for (const [k, { item }] of li) {
        const c = ci.get(k);
        const m = c ? merge(item, c.item, t.element()) : item;
        if (m !== undefined) out.push(m);
      }
      for (const [k, { item }] of ci) if (!li.has(k)) out.push(structuredClone(item));
      return out;
    }
  }
  return structuredClone(config);
}

/** Removes every member of `set` from `obj` (fields, map entries, list items), in place. */
export function removeItems(obj: JsonValue, set: FieldSet, t: TypeNode): void {
  for (const path of set.paths()) removeAt(obj, path, t);
}

function removeAt(obj: JsonValue, path: Path, t: TypeNode): void {
  let v: JsonValue = obj;
  let node = t;
  const parents: Array<{ container: JsonValue; pe: PathElement; node: TypeNode }> = [];
  for (const [i, pe] of path.entries()) {
    const last = i === path.length - 1;
    if ('field' in pe) {
      if (!isObject(v) || !Object.hasOwn(v, pe.field)) return;
      if (last) {
        delete v[pe.field];
        break;
      }
      parents.push({ container: v, pe, node });
      node = node.field(pe.field);
      v = v[pe.field]!;
      continue;
    }
    if (!Array.isArray(v)) return;
    const k = serializeElement(pe);
    const at = v.findIndex((item) => {
      const e = itemElement(node, item);
      return e !== undefined && serializeElement(e) === k;
    });
    if (at < 0) return;
    if (last) {
      v.splice(at, 1);
      break;
    }
    parents.push({ container: v, pe, node });
    v = v[at]!;
    node = node.element();
  }
  // A map or list left empty by the removal goes too (Go drops empty maps and slices it encodes with omitempty).
  for (const { container, pe } of parents.reverse()) {
    if (!('field' in pe) || !isObject(container)) break;
    const child = container[pe.field];
    if (!isEmpty(child) || pe.field === 'metadata' || pe.field === 'spec') break;
    delete container[pe.field];
  }
}
