// Requirement from k8s.io/apimachinery/pkg/labels/selector.go: one `key op values` term of a label selector.
import { aggregateMessage, fieldInvalid, fieldNotSupported } from '../validation/field-errors.js';
import type { FieldError, FieldPath } from '../validation/field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

/** `selection.Operator` values as Kubernetes spells them (`!` is DoesNotExist, `gt`/`lt` print as `>`/`<`). */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

const labelOperators: readonly string[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

export type Labels = Readonly<Record<string, string>>;

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated, as `sets.String.List()` leaves them. */
  readonly values: readonly string[];
}

/** Renders a field path the way Go's nil `*field.Path` does. */
const renderPath = (base: FieldPath | undefined, child: (p: FieldPath) => FieldPath, fallback: string): string =>
  base ? child(base).toString() : fallback;

/** `validateLabelKey`: one Invalid error joining every message with "; ". */
export function validateLabelKey(key: string, field: string): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? fieldInvalid(field, key, errs.join('; ')) : undefined;
}

/**
 * `NewRequirement`: validates key, operator and values and returns the field errors (empty when valid).
 * `base` is the path the selector came from (`spec.selector`); without one, paths are `key`, `values[0]`.
 */
export function checkRequirement(key: string, op: string, values: readonly string[], base?: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const keyErr = validateLabelKey(key, renderPath(base, (p) => p.child('key'), 'key'));
  if (keyErr) errs.push(keyErr);
  const valuesPath = renderPath(base, (p) => p.child('values'), 'values');
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldInvalid(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldInvalid(valuesPath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldInvalid(valuesPath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldInvalid(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(fieldInvalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(fieldNotSupported(renderPath(base, (p) => p.child('operator'), 'operator'), op, labelOperators));
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length > 0) errs.push(fieldInvalid(`${valuesPath}[${i}][${key}]`, v, msgs.join('; ')));
  });
  return errs;
}

/** Builds a requirement, throwing `onError(message, errors)` with the aggregate message when invalid. */
export function newRequirement(
  key: string,
  op: string,
  values: readonly string[],
  onError: (message: string, errors: FieldError[]) => Error,
  base?: FieldPath,
): LabelRequirement {
  const errs = checkRequirement(key, op, values, base);
  const message = aggregateMessage(errs);
  if (message !== undefined) throw onError(message, errs);
  return { key, operator: op as LabelOperator, values: [...values] };
}

/** `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n;
}

const hasLabel = (labels: Labels, key: string): boolean => Object.hasOwn(labels, key);

/** `Requirement.Matches`. Note `!=`/`notin` match when the label is absent. */
export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const present = hasLabel(labels, r.key);
  const value = present ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return present && r.values.includes(value);
    case 'notin':
    case '!=':
      return !present || !r.values.includes(value);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      if (!present || r.values.length !== 1) return false;
      const have = parseInt64(value);
      const want = parseInt64(r.values[0]!);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

const opText: Record<LabelOperator, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '' };

/** `Requirement.String`: `x in (a,b)`, `!x`, `x>1`; set values print sorted. */
export function requirementToString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${opText[r.operator]}${set ? `(${values})` : values}`;
}
