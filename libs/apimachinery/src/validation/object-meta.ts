// The parts of ValidateObjectMetaAccessor (pkg/api/validation/objectmeta.go) and
// ValidateLabels (pkg/apis/meta/v1/validation) that every kind shares. Owner references,
// finalizers and managedFields are not checked here.
import { FieldPath, fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel } from './names.js';
import type { NameValidator } from './names.js';

/** `TotalAnnotationSizeLimitB`: 256 KiB over all keys and values. */
export const totalAnnotationSizeLimitBytes = 256 * 1024;

/** The metadata fields these checks read. */
export interface ObjectMetaLike {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** `ValidateLabels`: key errors carry the key as bad value, value errors the value. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fieldInvalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(fieldInvalid(path, v, msg));
  }
  return errs;
}

/** `ValidateAnnotations`: keys are checked lower-cased; the total size is limited. */
export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldInvalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > totalAnnotationSizeLimitBytes) errs.push(fieldTooLong(path, totalAnnotationSizeLimitBytes));
  return errs;
}

/**
 * `ValidateObjectMeta` on create, for name, generateName, namespace, labels and annotations.
 * Expects name generation to have happened already (a bad generateName is reported on both fields).
 */
export function validateObjectMeta(
  meta: ObjectMetaLike,
  namespaced: boolean,
  nameFn: NameValidator,
  path: FieldPath = FieldPath.root('metadata'),
): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of nameFn(meta.generateName, true)) errs.push(fieldInvalid(path.child('generateName'), meta.generateName, msg));
  }
  if (!meta.name) errs.push(fieldRequired(path.child('name'), 'name or generateName is required'));
  else for (const msg of nameFn(meta.name, false)) errs.push(fieldInvalid(path.child('name'), meta.name, msg));
  if (namespaced) {
    if (!meta.namespace) errs.push(fieldRequired(path.child('namespace')));
    else for (const msg of nameIsDNSLabel(meta.namespace, false)) errs.push(fieldInvalid(path.child('namespace'), meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(fieldForbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  return errs;
}
