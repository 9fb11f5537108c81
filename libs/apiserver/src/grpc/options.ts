// Request options of the resource API translated into what the REST layer takes, with its validation.
import { DeletionPropagation, FieldValidation as WireFieldValidation, PatchType as WirePatchType } from '@ekslab/proto';
import type { DeleteOptions as WireDeleteOptions, ListOptions } from '@ekslab/proto';
import { failure } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import type { FieldValidation } from '../rest/field-validation.js';
import type { KubeObject } from '../rest/objects.js';
import type { PatchType } from '../rest/patch.js';
import type { DeleteRequestOptions } from '../rest/registry.js';
import { parseSelectors } from '../rest/selectors.js';

const patchTypes: Partial<Record<WirePatchType, PatchType>> = {
  [WirePatchType.JSON]: 'json',
  [WirePatchType.MERGE]: 'merge',
  [WirePatchType.STRATEGIC_MERGE]: 'strategic',
  [WirePatchType.APPLY]: 'apply',
};

const propagations: Partial<Record<DeletionPropagation, DeleteRequestOptions['propagationPolicy']>> = {
  [DeletionPropagation.ORPHAN]: 'Orphan',
  [DeletionPropagation.BACKGROUND]: 'Background',
  [DeletionPropagation.FOREGROUND]: 'Foreground',
};

/** The list/watch/deletecollection selectors of ListOptions as one predicate (400 for a bad selector). */
export function selectorsOf(info: ResourceInfo, o: ListOptions | undefined): (obj: KubeObject) => boolean {
  return parseSelectors(info, new URLSearchParams({ labelSelector: o?.labelSelector ?? '', fieldSelector: o?.fieldSelector ?? '' }));
}

/** DeleteOptions as the registry takes them; a bad grace period or propagation policy is 400 / 422 as over REST. */
export function deleteOptionsOf(o: WireDeleteOptions | undefined): Omit<DeleteRequestOptions, 'signal'> {
  const grace = o?.gracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw failure(400, 'BadRequest', `invalid gracePeriodSeconds ${grace}`);
  const policy = o?.propagationPolicy ?? DeletionPropagation.UNSPECIFIED;
  const propagationPolicy = propagations[policy];
  if (policy !== DeletionPropagation.UNSPECIFIED && !propagationPolicy) {
    throw failure(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${policy}: supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  const pre = o?.preconditions;
  return {
    dryRun: o?.dryRun ?? false,
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(propagationPolicy ? { propagationPolicy } : {}),
    ...(pre && (pre.uid || pre.resourceVersion) ? { preconditions: { ...(pre.uid ? { uid: pre.uid } : {}), ...(pre.resourceVersion ? { resourceVersion: pre.resourceVersion } : {}) } } : {}),
  };
}

/** The REST patch type of a PatchRequest; PATCH_TYPE_UNSPECIFIED (or unknown) is 415 UnsupportedMediaType. */
export function patchTypeOf(t: WirePatchType): PatchType {
  const type = patchTypes[t];
  if (!type) throw failure(415, 'UnsupportedMediaType', `unsupported patch type ${t}: use PATCH_TYPE_JSON, PATCH_TYPE_MERGE, PATCH_TYPE_STRATEGIC_MERGE or PATCH_TYPE_APPLY`);
  return type;
}

/** The directive of a create, update or patch; unset (or unknown) is the API's default, Warn. */
export function fieldValidationOf(v: WireFieldValidation | undefined): FieldValidation {
  switch (v) {
    case WireFieldValidation.IGNORE: return 'Ignore';
    case WireFieldValidation.STRICT: return 'Strict';
    default: return 'Warn';
  }
}
