// Applying a strategic merge patch the way the apiserver does (StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls on). Directives: `$patch: replace|delete|merge`,
// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, `$retainKeys`.
import { PatchDecodeError, StrategicMergePatchError } from './errors.js';
import { goFormat } from './go-compat.js';
import type { PatchMetaLookup } from './schema.js';
import { badArgType, deduplicateScalars, directiveMarker, findByMergeKey, isMap, kindOf, noMergeKey, normalizeElementOrder, partition, sliceElementKind } from './smp-lists.js';
import type { JMap } from './smp-lists.js';

const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';
const retainKeysDirective = '$retainKeys';

const badPatchType = (t: unknown, m: JMap): StrategicMergePatchError => new StrategicMergePatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

/** `extractKey`: `$setElementOrder/containers` → `containers`. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw new PatchDecodeError(prefix === deleteFromPrimitiveListPrefix ? 'invalid patch format of primitive list' : 'invalid patch format of setElementOrder list');
  }
  return key.slice(slash + 1);
}

/** `extractRetainKeysPatchStrategy`: the strategy other than retainKeys ('' when none). */
function otherStrategy(strategies: readonly string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : strategies[0]!;
  if (strategies.length === 2 && strategies[0] === 'retainKeys') return strategies[1]!;
  if (strategies.length === 2 && strategies[1] === 'retainKeys') return strategies[0]!;
  throw new StrategicMergePatchError(`unexpected patch strategy: ${goFormat(strategies)}`);
}

/** `removeDirectives`: drops every map that carries `$patch`; `keep` is false when `obj` itself does. */
function removeDirectives(obj: unknown): { value: unknown; keep: boolean } {
  if (isMap(obj)) {
    if (Object.hasOwn(obj, directiveMarker)) return { value: null, keep: false };
    for (const k of Object.keys(obj)) {
      const r = removeDirectives(obj[k]);
      if (r.keep) obj[k] = r.value;
      else delete obj[k];
    }
    return { value: obj, keep: true };
  }
  if (Array.isArray(obj)) {
    return { value: obj.map(removeDirectives).filter((r) => r.keep).map((r) => r.value), keep: true };
  }
  return { value: obj, keep: true };
}

function discardNullValues(v: unknown): void {
  if (isMap(v)) {
    for (const [k, e] of Object.entries(v)) {
      if (e === null) delete v[k];
      else discardNullValues(e);
    }
  } else if (Array.isArray(v)) {
    v.forEach(discardNullValues);
  }
}

/** Sets `original[key]` to the patch value with nulls and `$patch` maps removed (or deletes it). */
function replaceWithPatch(original: JMap, key: string, patchV: unknown): void {
  discardNullValues(patchV);
  const r = removeDirectives(patchV);
  if (r.keep) original[key] = r.value;
  else delete original[key];
}

function applyRetainKeys(original: JMap, patch: JMap): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw new PatchDecodeError('invalid patch format of retainKeys');
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw new PatchDecodeError('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** `validatePatchWithSetOrderList`: the patch list must follow the `$setElementOrder` list's order. */
function validateSetOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    for (const v of patchList) if (!isMap(v)) throw badArgType('map[string]interface {}', v);
    items = patchList.filter((v) => !(isMap(v) && v[directiveMarker] === 'delete'));
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isMap(item) && Object.hasOwn(item, directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw new StrategicMergePatchError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`);
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isMap(left)) throw badArgType('map[string]interface {}', left);
  if (!isMap(right)) throw badArgType('map[string]interface {}', right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** `mergePatchIntoOriginal`: handles each `$setElementOrder/<list>` together with `<list>`. */
function mergeSetElementOrder(original: JMap, patch: JMap, schema: PatchMetaLookup): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const listKey = extractKey(key, setElementOrderPrefix);
    const hasOriginal = Object.hasOwn(original, listKey);
    const hasPatch = Object.hasOwn(patch, listKey);
    const originalList = original[listKey];
    const patchList = patch[listKey];
    if (hasOriginal && !Array.isArray(originalList)) throw badArgType('[]interface {}', originalList);
    if (hasPatch && !Array.isArray(patchList)) throw badArgType('[]interface {}', patchList);
    const originalItems = (hasOriginal ? originalList : []) as unknown[];
    const patchItems = (hasPatch ? patchList : []) as unknown[];
    const { sub, meta } = schema.lookup(listKey);
    const strategy = otherStrategy(meta.strategies);
    validateSetOrder(patchItems, order, meta.mergeKey);

    let merged: unknown[];
    if (hasOriginal && !hasPatch) merged = originalItems;
    else if (!hasOriginal && hasPatch) {
      const r = removeDirectives(patchItems);
      if (!r.keep) continue;
      merged = r.value as unknown[];
    } else if (hasOriginal && hasPatch) merged = mergeList(originalItems, patchItems, sub, strategy, meta.mergeKey, false);
    else continue;

    const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey);
    const kind = sliceElementKind(originalItems, patchItems);
    original[listKey] = normalizeElementOrder(inOrder, serverOnly, order, originalItems, meta.mergeKey, kind);
    delete patch[listKey];
  }
}

function mergeMap(original: JMap | undefined, patch: JMap, schema: PatchMetaLookup): JMap {
  if (Object.hasOwn(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      delete patch[directiveMarker];
      return patch;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  const out = original ?? {};
  applyRetainKeys(out, patch);
  mergeSetElementOrder(out, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(rawKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!Object.hasOwn(out, key) || kindOf(out[key]) !== kindOf(patchV)) {
      if (!isDeleteList) replaceWithPatch(out, key, patchV);
      continue;
    }
    const { sub, meta } = schema.lookup(key);
    const strategy = otherStrategy(meta.strategies);
    if (isMap(patchV)) {
      out[key] = strategy === 'replace' ? patchV : mergeMap(out[key] as JMap, patchV, sub);
    } else if (Array.isArray(patchV)) {
      out[key] = mergeList(out[key] as unknown[], patchV, sub, strategy, meta.mergeKey, isDeleteList);
    } else {
      replaceWithPatch(out, key, patchV);
    }
  }
  return out;
}

/**
 * `mergeSliceHandler`: only lists tagged `merge` (or a deletion list) are merged; others are replaced verbatim.
 *
 * Go slice aliasing is part of the observable behaviour and is reproduced on purpose: `original` is
 * treated as Go's backing array (len = cap, as the apiserver's unstructured conversion makes it).
 * `$patch: delete` shifts elements down inside it and new items are appended into the freed slots, so
 * a caller still holding `original` (the `$setElementOrder` path uses it as the live order) sees them.
 */
function mergeList(original: unknown[], patch: unknown[], schema: PatchMetaLookup, strategy: string, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (strategy !== 'merge' && !isDeleteList) return patch;
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    const merged = deduplicateScalars([...original, ...patch]);
    const [inPatch, serverOnly] = partition(merged, patch, '');
    return normalizeElementOrder(inPatch, serverOnly, patch, original, '', kind);
  }
  if (mergeKey === '') throw new StrategicMergePatchError(`cannot merge lists without merge key for ${schema.name()}`);
  const special = applySpecialElements(original, patch, mergeKey);
  // `backing` is the array Go's `original` slice points to; it changes only when an append outgrows it.
  let backing = special.replaced ?? original;
  let length = special.replaced ? special.replaced.length : special.length;
  const serverOrderLength = length;
  const serverOrderArray = backing;
  const patchOrder = special.replaced ? [] : special.plain;
  for (const v of patchOrder) {
    const item = v as JMap;
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const found = findByMergeKey(backing.slice(0, length), mergeKey, item[mergeKey]);
    if (found) {
      backing[found.index] = mergeMap(found.map, item, schema);
    } else {
      if (backing === original && length >= original.length) backing = original.slice(0, length);
      backing[length++] = v;
    }
  }
  const merged = backing.slice(0, length);
  const serverOrder = serverOrderArray.slice(0, serverOrderLength);
  const [inPatch, serverOnly] = partition(merged, patchOrder, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, patchOrder, serverOrder, mergeKey, kind);
}

/**
 * `mergeSliceWithSpecialElements`: applies `$patch: delete` items in place (shrinking the live length)
 * and returns the other patch items; `$patch: replace` makes those items the whole list (`replaced`).
 */
function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string): { length: number; plain: unknown[]; replaced?: unknown[] } {
  let length = original.length;
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JMap;
    if (!Object.hasOwn(item, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      for (;;) {
        const found = findByMergeKey(original.slice(0, length), mergeKey, item[mergeKey]);
        if (!found) break;
        // append(original[:i], original[i+1:]...): shift down in place; the last slot keeps its old value.
        original.copyWithin(found.index, found.index + 1, length);
        length--;
      }
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new StrategicMergePatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  return replace ? { length, plain, replaced: plain } : { length, plain };
}

/**
 * Applies a strategic merge patch to `original` (neither argument is mutated) using the patch metadata
 * of `schema` (see `patchMetaForKind`). Throws `PatchDecodeError` (400), `PatchApplyError` (422) or
 * `StrategicMergePatchError` (500), matching the apiserver's `interpretStrategicMergePatchError`.
 */
export function strategicMergePatch(original: JMap, patch: JMap, schema: PatchMetaLookup): JMap {
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

/**
 * Parses an `application/strategic-merge-patch+json` body and applies it. A body that is not JSON or
 * not an object is 400 BadRequest; `null` is an empty patch, as with Go's decoder.
 */
export function applyStrategicMergePatch(original: JMap, body: string, schema: PatchMetaLookup): JMap {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    throw new PatchDecodeError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (patch === null) patch = {};
  if (!isMap(patch)) {
    throw new PatchDecodeError(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch} into Go value of type map[string]interface {}`);
  }
  return strategicMergePatch(original, patch, schema);
}
