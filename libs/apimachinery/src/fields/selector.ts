// Field selectors from k8s.io/apimachinery/pkg/fields/selector.go: `a=b`, `a==b`, `a!=b`, comma = AND,
// values escaped with `\,` `\=` `\\`. Which fields a resource supports is the caller's business.
import { SelectorParseError } from '../errors.js';
import { newBadRequest } from '../status/builders.js';
import type { Status } from '../status/types.js';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** `==` parses to `=`. */
  readonly operator: FieldOperator;
  readonly value: string;
}

/** Reads a field of the object being filtered; an absent field reads as "" (Go's `Fields.Get`). */
export type FieldGetter = (field: string) => string | undefined;

/** `EscapeValue`: backslash, comma and equals are escaped. */
export const escapeFieldValue = (s: string): string => s.replace(/[\\,=]/g, (c) => `\\${c}`);

/** `UnescapeValue`; throws `SelectorParseError` with Go's text (the unescaped rune prints as its code point). */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw new SelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new SelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator found scanning left to right; at one position `!=` wins over `==` over `=`. */
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op === '!=' ? '!=' : '=', term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** A parsed field selector: requirements ANDed, in sorted term order. */
export class FieldSelector {
  private constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  /** `ParseSelector`; throws `SelectorParseError` (`invalid selector: 'x'; can't understand 'x'`). */
  static parse(selector: string): FieldSelector {
    const terms = splitTerms(selector).sort();
    const reqs: FieldRequirement[] = [];
    for (const term of terms) {
      if (term === '') continue;
      const parts = splitTerm(term);
      if (!parts) throw new SelectorParseError(`invalid selector: '${selector}'; can't understand '${term}'`);
      const [field, operator, raw] = parts;
      const value = unescapeFieldValue(raw);
      // Go's identity Transform turns a term with empty field and value into "everything".
      if (field === '' && value === '') continue;
      reqs.push({ field, operator, value });
    }
    return new FieldSelector(reqs);
  }

  /** `SelectorFromSet`: `field=value` for each entry. */
  static fromSet(set: Readonly<Record<string, string>>): FieldSelector {
    return new FieldSelector(Object.keys(set).sort().map((field) => ({ field, operator: '=' as const, value: set[field]! })));
  }

  matches(get: FieldGetter): boolean {
    return this.requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.operator === '='));
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** `RequiresExactMatch`: the value of the first `field=value` term (e.g. `metadata.name` for a single-object list). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** Fields used, for checking them against the resource's supported field labels. */
  fields(): string[] {
    return this.requirements.map((r) => r.field);
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * The 400 BadRequest the apiserver returns for a field the resource's field-label conversion does not know:
 * `field label not supported: <field>` (`resource` is accepted for logging symmetry; Go does not print it).
 */
export function fieldSelectorError(_resource: string, field: string): Status {
  return newBadRequest(`field label not supported: ${field}`);
}
