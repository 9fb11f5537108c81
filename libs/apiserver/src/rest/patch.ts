import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchMetaForKind, type JsonValue } from '@ekslab/apimachinery';
import { mediaType } from '../http/body.js';
import { failure } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from './objects.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const types: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** The patch type of a PATCH request from its Content-Type; anything else is 415 UnsupportedMediaType. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = types[mediaType(contentType)];
  if (!t) {
    throw failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
  return t;
}

/**
 * Applies one patch to the current object. Strategic merge patch uses the Kubernetes types' merge keys
 * (containers by name, ports by containerPort, …); server-side apply is served, for now, as a merge of the
 * applied configuration (no managedFields, no conflict detection).
 */
export function applyPatch(info: ResourceInfo, type: PatchType, current: KubeObject, body: Buffer): KubeObject {
  const text = body.toString('utf8');
  const doc = current as unknown as JsonValue;
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, text) as unknown as KubeObject;
    case 'merge':
      return applyMergePatch(doc, text) as unknown as KubeObject;
    case 'strategic':
      return applyStrategicMergePatch(current, text, patchMetaForKind(info.group, info.kind)) as unknown as KubeObject;
    case 'apply':
      return applyMergePatch(doc, text) as unknown as KubeObject;
  }
}
