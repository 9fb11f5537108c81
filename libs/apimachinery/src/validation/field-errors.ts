// The field.ErrorList model from k8s.io/apimachinery/pkg/util/validation/field: plain data that renders
// exactly like Go's `(*field.Error).Error()` and `ErrorList.ToAggregate().Error()`.

/** `field.ErrorType`; the string is also the `reason` of a Status cause. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTooFew'
  | 'FieldValueTooShort'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

/** Marks a bad value that is not printed (Go's `omitValue`). */
export const omitValue: unique symbol = Symbol('omitValue');

export interface FieldError {
  readonly type: FieldErrorType;
  /** The rendered path, e.g. `spec.containers[0].image`; `<nil>` for Go's nil path. */
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;
}

export type FieldErrorList = readonly FieldError[];

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTooFew: 'Too few',
  FieldValueTooShort: 'Too short',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

const valueless = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'FieldValueTooShort', 'InternalError']);

const goEscapes: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's `%q` (strconv.Quote): `\a`-style escapes, `\x07` for other control bytes, `\u…` for other non-printable runes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (goEscapes[ch] !== undefined) out += goEscapes[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (/\p{C}/u.test(ch)) out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Error) return JSON.stringify({});
  return JSON.stringify(value) ?? 'null';
}

/** `ErrorBody()`: the message without the field, which is what a Status cause carries. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  if (!valueless.has(e.type) && e.badValue !== omitValue) s = `${s}: ${renderValue(e.badValue)}`;
  return e.detail.length > 0 ? `${s}: ${e.detail}` : s;
}

/** `Error()`: `<field>: <body>`, e.g. `metadata.name: Required value: name or generateName is required`. */
export const formatFieldError = (e: FieldError): string => `${e.field}: ${fieldErrorBody(e)}`;

/**
 * `ErrorList.ToAggregate().Error()`: duplicates dropped, one error printed bare, several as `[a, b]`.
 * Returns undefined for an empty list (Go's nil aggregate).
 */
export function aggregateMessage(list: FieldErrorList): string | undefined {
  const msgs = [...new Set(list.map(formatFieldError))];
  if (msgs.length === 0) return undefined;
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}

/** Builds field paths the way `field.Path` renders them: `a.b[0][key]`. */
export class FieldPath {
  private constructor(private readonly rendered: string) {}
  static root(name: string, ...more: string[]): FieldPath {
    return new FieldPath([name, ...more].join('.'));
  }
  child(name: string, ...more: string[]): FieldPath {
    return new FieldPath([this.rendered, name, ...more].join('.'));
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.rendered}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.rendered}[${k}]`);
  }
  toString(): string {
    return this.rendered;
  }
}

type PathLike = FieldPath | string;
const str = (p: PathLike): string => p.toString();

export const fieldInvalid = (path: PathLike, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field: str(path), badValue: value, detail });
export const fieldTypeInvalid = (path: PathLike, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: str(path), badValue: value, detail });
export const fieldNotFound = (path: PathLike, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: str(path), badValue: value, detail: '' });
export const fieldRequired = (path: PathLike, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: str(path), badValue: '', detail });
export const fieldDuplicate = (path: PathLike, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: str(path), badValue: value, detail: '' });
export const fieldForbidden = (path: PathLike, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: str(path), badValue: '', detail });

/** `field.NotSupported`: detail lists the valid values quoted, e.g. `supported values: "In", "NotIn"`. */
export function fieldNotSupported(path: PathLike, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field: str(path), badValue: value, detail };
}

/** `field.TooLong`: the value is never printed; a negative max gives "value is too long". */
export function fieldTooLong(path: PathLike, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { type: 'FieldValueTooLong', field: str(path), badValue: '<value omitted>', detail };
}

/** `field.TooMany`: a negative actual quantity omits the value. */
export function fieldTooMany(path: PathLike, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { type: 'FieldValueTooMany', field: str(path), badValue: actual >= 0 ? actual : omitValue, detail };
}

export const fieldInternalError = (path: PathLike, err: Error): FieldError => ({ type: 'InternalError', field: str(path), badValue: err, detail: err.message });
