// @ekslab/apimachinery: Kubernetes API machinery semantics as pure functions — selectors, patches,
// validation messages and Status objects, with the texts the real apiserver produces.

export { SelectorParseError, InvalidLabelSelectorError } from './errors.js';

export { LabelSelector, labelSelectorAsSelector } from './labels/selector.js';
export type { LabelSelectorObject, LabelSelectorOperator } from './labels/selector.js';
export type { LabelOperator, LabelRequirement, Labels } from './labels/requirement.js';
export { validateLabelSelector } from './labels/validate-selector.js';
export type { LabelSelectorValidationOptions } from './labels/validate-selector.js';

export { FieldSelector, fieldSelectorError, escapeFieldValue, unescapeFieldValue } from './fields/selector.js';
export type { FieldOperator, FieldRequirement, FieldGetter } from './fields/selector.js';

export {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
  nameIsDNSLabel,
  nameIsDNS1035Label,
  regexError,
  dns1123LabelMaxLength,
  dns1123SubdomainMaxLength,
  labelValueMaxLength,
} from './validation/names.js';
export type { NameValidator } from './validation/names.js';
export {
  FieldPath,
  aggregateMessage,
  fieldErrorBody,
  formatFieldError,
  fieldInvalid,
  fieldTypeInvalid,
  fieldNotFound,
  fieldRequired,
  fieldDuplicate,
  fieldForbidden,
  fieldNotSupported,
  fieldTooLong,
  fieldTooMany,
  fieldInternalError,
  omitValue,
} from './validation/field-errors.js';
export type { FieldError, FieldErrorList, FieldErrorType } from './validation/field-errors.js';
export { validateObjectMeta, validateLabels, validateAnnotations, totalAnnotationSizeLimitBytes } from './validation/object-meta.js';
export type { ObjectMetaLike } from './validation/object-meta.js';

export type { Status, StatusReason, StatusDetails, StatusCause, CauseType, GroupResource, GroupKind } from './status/types.js';
export { groupResourceString, groupKindString } from './status/types.js';
export {
  failure,
  success,
  optimisticLockErrorMsg,
  newNotFound,
  newAlreadyExists,
  newGenerateNameConflict,
  newConflict,
  newUnauthorized,
  newForbidden,
  newGone,
  newResourceExpired,
  newTooOldResourceVersion,
  newInvalid,
  newBadRequest,
  newTooManyRequests,
  newServiceUnavailable,
  newMethodNotSupported,
  newServerTimeout,
  newInternalError,
  newTimeout,
  newRequestEntityTooLarge,
  newUnsupportedMediaType,
} from './status/builders.js';
export { StatusError, statusFrom, newGenericServerResponse, forbiddenMessage } from './status/status-error.js';
export type { ForbiddenAttributes } from './status/status-error.js';

export { applyJsonPatch, applyMergePatch, mergePatchValue } from './patch/json-patch.js';
export type { JsonValue, JsonObject } from './patch/json-patch.js';
export { strategicMergePatch, applyStrategicMergePatch } from './patch/strategic-merge.js';
export { PatchMetaLookup } from './patch/schema.js';
export type { PatchSchema, PatchStrategy, FieldPatchInfo, PatchMeta } from './patch/schema.js';
export { builtinPatchSchema, builtinKindTypes, patchMetaForKind } from './patch/patch-schema-table.js';
export { PatchDecodeError, PatchApplyError, PatchTooLargeError, StrategicMergePatchError, maxJSONPatchOperations } from './patch/errors.js';

export { cloneJson } from './clone.js';
export { FieldSet } from './managed-fields/set.js';
export type { FieldsV1 } from './managed-fields/set.js';
export { FieldPathError, pathString, serializeElement, parseElement, keyElement } from './managed-fields/path.js';
export type { Path, PathElement } from './managed-fields/path.js';
export { typeForKind, deducedType } from './managed-fields/schema.js';
export type { TypeNode, ListType, ObjectKind } from './managed-fields/schema.js';
export { toFieldSet, compare as compareFields, merge as mergeApplied } from './managed-fields/typed.js';
export type { Comparison } from './managed-fields/typed.js';
export { apply, update, conflictMessage, ApplyConflictError } from './managed-fields/managed.js';
export type { ManagedFieldsEntry, ManagedFieldsOperation, Conflict, ManagedFieldsOptions, ApplyOptions, ApplyResult } from './managed-fields/managed.js';

// Cron schedules as kube's CronJob validation and controller read them (robfig/cron ParseStandard).
export { parseSchedule, CronParseError, isValidTimeZone, toWall, fromWall } from './cron/schedule.js';
export type { Schedule } from './cron/schedule.js';

export { nodeSelectorRequirementMatches, nodeSelectorTermMatches, nodeSelectorMatches, toleratesTaint } from './scheduling/node-affinity.js';
export type { NodeSelectorRequirement, NodeSelectorTerm, NodeSelector, TaintLike, TolerationLike } from './scheduling/node-affinity.js';
