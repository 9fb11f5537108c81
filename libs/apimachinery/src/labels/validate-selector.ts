// ValidateLabelSelector from k8s.io/apimachinery/pkg/apis/meta/v1/validation: the create/update-time check
// of a `metav1.LabelSelector` field (messages differ from `labelSelectorAsSelector`'s).
import { fieldForbidden, fieldInvalid, fieldRequired } from '../validation/field-errors.js';
import type { FieldError, FieldPath } from '../validation/field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';
import { validateLabels } from '../validation/object-meta.js';
import type { LabelSelectorObject } from './selector.js';

export interface LabelSelectorValidationOptions {
  /** Accept label values that are not valid label values (only for existing invalid data). */
  readonly allowInvalidLabelValueInSelector?: boolean;
}

export function validateLabelSelector(ps: LabelSelectorObject | null | undefined, path: FieldPath, opts: LabelSelectorValidationOptions = {}): FieldError[] {
  if (!ps) return [];
  const errs = validateLabels(ps.matchLabels ?? undefined, path.child('matchLabels'));
  (ps.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldRequired(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldForbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldInvalid(p.child('operator'), expr.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(expr.key)) errs.push(fieldInvalid(p.child('key'), expr.key, msg));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const msg of isValidLabelValue(v)) errs.push(fieldInvalid(p.child('values').index(j), v, msg));
      });
    }
  });
  return errs;
}
