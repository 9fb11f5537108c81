// Objects in and out of the gRPC API: Kubernetes JSON bytes with the typed ResourceRef beside them.
import { RawObject, fromJsonBytes, toJsonBytes } from '@ekslab/proto';
import { failure } from '../http/status.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';

/** A stored object as RawObject: the exact JSON REST would return, and its identity derived from it. */
export function rawObjectOf(info: ResourceInfo, obj: KubeObject): RawObject {
  const m = obj.metadata;
  return RawObject.create({
    ref: {
      apiVersion: obj.apiVersion ?? apiVersionOf(info),
      group: info.group,
      version: info.version,
      resource: info.resource,
      kind: obj.kind ?? info.kind,
      namespace: m.namespace ?? '',
      name: m.name ?? '',
      uid: m.uid ?? '',
      resourceVersion: m.resourceVersion ?? '',
    },
    json: toJsonBytes(obj),
  });
}

/**
 * A JSON object from request bytes (CreateRequest.object, UpdateRequest.object). Anything that is not
 * UTF-8 JSON of an object is 400 BadRequest, worded like the REST body decoder.
 */
export function decodeJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = fromJsonBytes(bytes);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw failure(400, 'BadRequest', `${what} is not valid UTF-8 JSON: ${detail}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw failure(400, 'BadRequest', `${what} must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
