import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchMetaForKind, type JsonValue } from '@ekslab/apimachinery';
import { mediaType } from '../http/body.js';
import { failure, statusOf } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import { applyConfiguration, type PatchManager } from './apply.js';
import type { KubeObject } from './objects.js';
import type { Registry, Target, WriteOptions } from './registry.js';

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
 * (containers by name, ports by containerPort, …). Server-side apply goes through `serverSideApply`;
 * here (the scale subresource only) an apply patch is merged like a merge patch.
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

/**
 * Server-side apply of the configuration `config` to the target: a real apply with field ownership
 * (rest/apply.ts) on the stored object, or a create when there is none (not through a subresource).
 * `created` tells the caller to answer 201.
 */
export async function serverSideApply(registry: Registry, t: Target, config: Record<string, unknown>, pm: PatchManager, opts: WriteOptions, now: () => number): Promise<{ object: KubeObject; created: boolean }> {
  try {
    return { object: await registry.mutate(t, (current) => applyConfiguration(t, current, config, pm, now()), opts), created: false };
  } catch (err) {
    if (statusOf(err).code !== 404 || t.subresource) throw err;
  }
  const meta = (config['metadata'] ?? {}) as Record<string, unknown>;
  const name = meta['name'];
  if (name !== undefined && name !== t.name) {
    throw failure(400, 'BadRequest', `the name of the object (${typeof name === 'string' ? name : JSON.stringify(name)}) does not match the name on the URL (${t.name})`);
  }
  const obj = applyConfiguration(t, undefined, { ...config, metadata: { ...meta, name: t.name } }, pm, now());
  return { object: await registry.create(t.info, t.namespace, obj, opts), created: true };
}
