// List helpers of the strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch/patch.go):
// element kinds, merge-key lookups, and the ordering rules that `$setElementOrder` relies on.
import { PatchApplyError, StrategicMergePatchError } from './errors.js';
import { goFormat, goTypeName, sliceStable } from './go-compat.js';

export type JMap = Record<string, unknown>;
export type Kind = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'null';

export const directiveMarker = '$patch';

export const isMap = (v: unknown): v is JMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The reflect kind Go compares to decide between merging and replacing (ints and floats are not told apart). */
export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  return typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string';
}

/** `mergepatch.ErrBadArgType`. */
export const badArgType = (expected: string, actual: unknown): StrategicMergePatchError =>
  new StrategicMergePatchError(`expected a ${expected}, but received a ${goTypeName(actual)}`);

/** `mergepatch.ErrNoMergeKey`. */
export const noMergeKey = (m: JMap, key: string): StrategicMergePatchError =>
  new StrategicMergePatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);

/** `sliceElementType`: the one kind of every element of the lists; lists of lists are refused. */
export function sliceElementKind(...lists: readonly unknown[][]): Kind {
  let prev: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (prev === undefined) {
        prev = k;
        if (k === 'slice') throw new PatchApplyError('lists of lists are not supported');
      } else if (prev !== k) {
        throw new StrategicMergePatchError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (prev === undefined) throw new StrategicMergePatchError('no elements in any of the given slices');
  return prev;
}

/** `findMapInSliceBasedOnKeyValue`. */
export function findByMergeKey(list: readonly unknown[], key: string, value: unknown): { map: JMap; index: number } | undefined {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isMap(v)) throw new StrategicMergePatchError(`value for key ${i} is not a map`);
    if (Object.hasOwn(v, key) && v[key] === value) return { map: v, index: i };
  }
  return undefined;
}

/** `index`: position of `value` in `list`, by merge key for maps, by value otherwise. */
function indexIn(list: readonly unknown[], value: unknown, mergeKey: string, kind: Kind): number {
  const get = kind === 'map' ? (item: unknown): unknown => (isMap(item) ? item[mergeKey] : undefined) : (item: unknown): unknown => item;
  const want = get(value);
  return list.findIndex((v) => get(v) === want);
}

function validateMergeKeyInLists(mergeKey: string, ...lists: readonly unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw badArgType('map[string]interface {}', item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** `normalizeSliceOrder`: sorts by position in `order` (Go's comparator, unknown items "less"), deletions last. */
function normalizeSliceOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  let keep = [...toSort];
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, keep, [...order]);
    toDelete = keep.filter((v) => isMap(v) && v[directiveMarker] === 'delete');
    keep = keep.filter((v) => !(isMap(v) && v[directiveMarker] === 'delete'));
  }
  sliceStable(keep, (a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...keep, ...toDelete];
}

/** `mergeSortedSlice`: interleaves server-only items (`left`) into patch items (`right`) by server order. */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * `normalizeElementOrder`: patch items in patch (or `$setElementOrder`) order, server-only items in
 * their live order, interleaved where the live order relates them.
 */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/** `partitionPrimitivesByPresentInList` / `partitionMapsByPresentInList`: [in `by`, not in `by`]. */
export function partition(list: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    let present: boolean;
    if (mergeKey === '') {
      present = by.includes(v);
    } else {
      if (!isMap(v)) throw badArgType('map[string]interface {}', v);
      if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
      present = findByMergeKey(by, mergeKey, v[mergeKey]) !== undefined;
    }
    (present ? inBy : serverOnly).push(v);
  }
  return [inBy, serverOnly];
}

/** `deduplicateScalars`, including its habit of moving the last element into a duplicate's slot. */
export function deduplicateScalars(input: readonly unknown[]): unknown[] {
  const s = [...input];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}
