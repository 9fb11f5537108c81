// The label selector lexer and parser of k8s.io/apimachinery/pkg/labels/selector.go, with its error texts.
import { SelectorParseError } from '../errors.js';
import { formatFieldError } from '../validation/field-errors.js';
import type { FieldError } from '../validation/field-errors.js';
import { newRequirement, validateLabelKey } from './requirement.js';
import type { LabelOperator, LabelRequirement } from './requirement.js';

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item {
  readonly tok: Token;
  readonly lit: string;
}

const keywords: Readonly<Record<string, Token>> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
/** The operators the grammar accepts after a key, in the order Kubernetes lists them in errors. */
const binaryOperators = 'in, notin, =, ==, !=, gt, lt';

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);
const keyword = (s: string): Token | undefined => (Object.hasOwn(keywords, s) ? keywords[s] : undefined);

/** Splits the selector into tokens, ending with 'eos'. A NUL character ends the input, as in Go. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++]! : '\0');
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(ch)) {
      // The longest run of special characters that is still a token.
      let buf = ch;
      let last: Item = { tok: keyword(ch)!, lit: ch };
      for (;;) {
        const next = read();
        if (next === '\0' || !isSpecial(next)) {
          if (next !== '\0') pos--;
          break;
        }
        buf += next;
        const tok = keyword(buf);
        if (tok) last = { tok, lit: buf };
        else {
          pos--;
          break;
        }
      }
      items.push(last);
      continue;
    }
    let buf = ch;
    for (;;) {
      const next = read();
      if (next === '\0') break;
      if (isSpecial(next) || isWhitespace(next)) {
        pos--;
        break;
      }
      buf += next;
    }
    items.push({ tok: keyword(buf) ?? 'id', lit: buf });
  }
}

/** A requirement failed to parse; `parse` wraps it as "unable to parse requirement: ...". */
class ParseFailure extends Error {
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** 'in' and 'notin' are plain identifiers wherever a value is expected. */
const asValue = (item: Item): Item => (item.tok === 'in' || item.tok === 'notin' ? { tok: 'id', lit: item.lit } : item);

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private lookahead(values: boolean): Item {
    const item = this.items[this.position]!;
    return values ? asValue(item) : item;
  }
  private consume(values: boolean): Item {
    const item = this.items[this.position++]!;
    return values ? asValue(item) : item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'id' || tok === '!') {
        try {
          requirements.push(this.parseRequirement());
        } catch (err) {
          if (!(err instanceof ParseFailure)) throw err;
          throw new SelectorParseError(`unable to parse requirement: ${err.message}`, err.fieldErrors);
        }
        const next = this.consume(true);
        if (next.tok === 'eos') return requirements;
        if (next.tok !== ',') throw new SelectorParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
        const after = this.lookahead(true);
        if (after.tok !== 'id' && after.tok !== '!') throw new SelectorParseError(`found '${after.lit}', expected: identifier after ','`);
      } else if (tok === 'eos') {
        return requirements;
      } else {
        throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return requirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return requirement(key, op, [...values].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume(true);
    if (item.tok === '!') {
      operator = '!';
      item = this.consume(true);
    }
    if (item.tok !== 'id') throw new ParseFailure(`found '${item.lit}', expected: identifier`);
    // Go validates against a nil *field.Path, which renders as "<nil>".
    const keyErr = validateLabelKey(item.lit, '<nil>');
    if (keyErr) throw new ParseFailure(formatFieldError(keyErr), [keyErr]);
    const next = this.lookahead(true).tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    const ops: Partial<Record<Token, LabelOperator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    const op = ops[tok];
    if (!op) throw new ParseFailure(`found '${lit}', expected: ${binaryOperators}`);
    return op;
  }

  private parseValues(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== '(') throw new ParseFailure(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === 'id' || tok === ',') {
      const values = this.parseIdentifiersList();
      // Go reports the literal seen before the list here, not the offending one.
      if (this.consume(true).tok !== ')') throw new ParseFailure(`found '${lit}', expected: ')'`);
      return values;
    }
    if (tok === ')') {
      this.consume(true);
      return new Set(['']);
    }
    throw new ParseFailure(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'id') {
        values.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ',') continue;
        if (next.tok === ')') return values;
        throw new ParseFailure(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        // "(,", ",)" and ",," each stand for an empty value.
        if (values.size === 0) values.add('');
        const next = this.lookahead(true).tok;
        if (next === ')') {
          values.add('');
          return values;
        }
        if (next === ',') values.add('');
      } else {
        throw new ParseFailure(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(true).tok;
    if (next === 'eos' || next === ',') return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === 'id') return new Set([lit]);
    throw new ParseFailure(`found '${lit}', expected: identifier`);
  }
}

function requirement(key: string, op: LabelOperator, values: string[]): LabelRequirement {
  return newRequirement(key, op, values, (message, errors) => new ParseFailure(message, errors));
}

/** Parses a selector string into requirements sorted by key (stable for repeated keys). */
export function parseRequirements(selector: string): LabelRequirement[] {
  const requirements = new Parser(lex(selector)).parse();
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
