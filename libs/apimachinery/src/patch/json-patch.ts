// RFC 6902 JSON patch and RFC 7386 JSON merge patch, with the apiserver's error mapping.
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { maxJSONPatchOperations, PatchApplyError, PatchDecodeError, PatchTooLargeError } from './errors.js';

/** A JSON value as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's name for the JSON kind that failed to unmarshal, as in `json: cannot unmarshal object into ...`. */
export function goJsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** Parses a request body; a syntax error becomes `PatchDecodeError` with `message` (Go's texts differ per decoder). */
export function parsePatchBody(body: string, message?: string): JsonValue {
  try {
    return JSON.parse(body) as JsonValue;
  } catch (err) {
    throw new PatchDecodeError(message ?? (err instanceof Error ? err.message : String(err)), { cause: err });
  }
}

/**
 * Applies an `application/json-patch+json` body to `doc` (not mutated).
 * - body not a JSON array of operations → 400 (`json: cannot unmarshal object into Go value of type jsonpatch.Patch`)
 * - more than 10000 operations → 413
 * - an operation that fails (unresolvable path, failed `test`, bad op) → 422 generic Invalid
 */
export function applyJsonPatch(doc: JsonValue, body: string): JsonValue {
  const ops = parsePatchBody(body);
  if (!Array.isArray(ops)) throw new PatchDecodeError(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`);
  if (ops.length > maxJSONPatchOperations) throw new PatchTooLargeError(ops.length);
  try {
    return fastJsonPatch.applyPatch(structuredClone(doc), ops as unknown as Operation[], true, true, true).newDocument;
  } catch (err) {
    throw new PatchApplyError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Removes null members from objects (recursively, also inside arrays); nulls in arrays stay, as in evanphx/json-patch. */
function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((e) => (e === null ? e : pruneNulls(e)));
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, e] of Object.entries(v)) if (e !== null) out[k] = pruneNulls(e);
  return out;
}

/** RFC 7386 merge of `patch` into `doc`: null deletes, objects merge recursively, anything else replaces. */
export function mergePatchValue(doc: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = mergePatchValue(out[k], v);
    else out[k] = pruneNulls(v);
  }
  return out;
}

/**
 * Applies an `application/merge-patch+json` body. A body that is not JSON, is `null`, or is not an
 * object becomes 400 `Invalid JSON Patch` (evanphx's ErrBadJSONPatch). Known difference: Go turns a
 * top-level array patch into the whole document, which then fails to decode; here it is a 400 too.
 */
export function applyMergePatch(doc: JsonValue, body: string): JsonValue {
  const patch = parsePatchBody(body, 'Invalid JSON Patch');
  if (!isObject(patch)) throw new PatchDecodeError('Invalid JSON Patch');
  return mergePatchValue(doc, patch);
}
