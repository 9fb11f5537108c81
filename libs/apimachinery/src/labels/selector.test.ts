// Cases from k8s.io/apimachinery/pkg/labels/selector_test.go plus the exact error texts.
import { describe, expect, it } from 'vitest';
import { InvalidLabelSelectorError, SelectorParseError } from '../errors.js';
import { FieldPath, formatFieldError } from '../validation/field-errors.js';
import { checkRequirement } from './requirement.js';
import { labelSelectorAsSelector, LabelSelector } from './selector.js';
import type { LabelSelectorObject } from './selector.js';
import { validateLabelSelector } from './validate-selector.js';

describe('label selector — parses and re-renders (TestSelectorParse)', () => {
  it.each(['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5'])('%j', (s) => {
    expect(LabelSelector.parse(s).toString()).toBe(s.replaceAll(' ', ''));
  });
});

describe('label selector — rejects (TestSelectorParse, TestSetSelectorParser)', () => {
  it.each(['x=a||y=b', 'x==a==b', '!x=a', 'x<a', 'x,,y', ',x,y', 'x nott in (y)', 'a in (xyz),', 'a in (xyz)b notin ()', 'a in (xyz abc)', 'a notin(', 'a (', '('])('%j', (s) => {
    expect(() => LabelSelector.parse(s)).toThrow(SelectorParseError);
  });
});

describe('label selector — canonical form (TestSetSelectorParser)', () => {
  it.each([
    ['\rx', 'x'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['this-is-another-dns.domain.com/key-with-dash in (so,what)', 'this-is-another-dns.domain.com/key-with-dash in (so,what)'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in (abc,abc)', 'x in (abc)'],
    ['x in ()', 'x in ()'],
    ['x in (a,,,,,,)', 'x in (,a)'],
    ['x in (a,,a,,a,,a,,)', 'x in (,a)'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['x=a,y!=b,z in (h,i,j)', 'x=a,y!=b,z in (h,i,j)'],
    ['x notin ( )', 'x notin ()'],
    ['x notin (, a)', 'x notin (,a)'],
    ['a ', 'a'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['x=a,a=x', 'a=x,x=a'],
    ['notin=in', 'notin=in'],
    ['y==b', 'y==b'],
  ])('%j → %j', (input, out) => {
    expect(LabelSelector.parse(input).toString()).toBe(out);
  });
});

describe('label selector — matches (TestSelectorMatches)', () => {
  const ls = { foo: 'bar', baz: 'blah' };
  it.each([
    ['', { x: 'y' }, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['x>1', { x: 'abc' }, false],
    ['x!=y', {}, true],
    ['x notin (a)', {}, true],
    ['x in (a,b)', { x: 'b' }, true],
    ['foo=bar,baz=blah', ls, true],
    ['foo=blah', ls, false],
    ['foo=bar,foobar=bar,baz=blah', ls, false],
  ] as const)('%j on %j → %s', (s, labels, want) => {
    expect(LabelSelector.parse(s).matches(labels)).toBe(want);
  });
});

describe('label selector — error messages', () => {
  const keyMsg =
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  it.each([
    ['x=a||y=b', "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', 'unable to parse requirement: found \'nott\', expected: in, notin, =, ==, !=, gt, lt'],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a/b/c=x', `unable to parse requirement: <nil>: Invalid value: "a/b/c": ${keyMsg}`],
    ['=x', "found '=', expected: !, identifier, or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
  ])('%j', (s, msg) => {
    expect(() => LabelSelector.parse(s)).toThrow(msg);
  });

  it('requirement errors keep their field errors', () => {
    try {
      LabelSelector.parse('x<a');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SelectorParseError);
      expect((err as SelectorParseError).fieldErrors.map((e) => e.field)).toEqual(['values[0]']);
      expect((err as SelectorParseError).retryable).toBe(false);
    }
  });
});

describe('label selector — requirement validation paths (TestRequirementConstructor)', () => {
  it.each([
    ['x1', 'in', [], ['values']],
    ['x3', 'in', ['foo'], []],
    ['x5', '=', ['bar', 'foo'], ['values']],
    ['x6', 'exists', [], []],
    ['x8', 'exists', ['foo'], ['values']],
    ['x11', 'gt', ['1'], []],
    ['x13', 'gt', [], ['values']],
    ['x14', 'gt', ['bar'], ['values[0]']],
    ['a'.repeat(254), 'exists', [], ['key']],
    ['x16', '=', ['a'.repeat(254)], ['values[0][x16]']],
    ['x17', '=', ['a b'], ['values[0][x17]']],
    ['x18', 'unsupportedOp', [], ['operator']],
  ] as const)('%s %s %j → %j', (key, op, values, fields) => {
    expect(checkRequirement(key, op, values).map((e) => e.field)).toEqual(fields);
  });

  it('unsupported operator lists the valid ones', () => {
    expect(checkRequirement('k', 'bogus', []).map((e) => e.detail)).toEqual(['supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"']);
  });
});

describe('label selector — metav1.LabelSelector conversion', () => {
  it.each([
    ['null selects nothing', null, { a: 'b' }, false, ''],
    ['empty selects everything', {}, { a: 'b' }, true, ''],
    ['matchLabels', { matchLabels: { b: '2', a: '1' } }, { a: '1', b: '2' }, true, 'a=1,b=2'],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, { tier: 'api' }, true, 'tier in (api,web)'],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, { tier: 'web' }, false, 'tier notin (web)'],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {}, false, 'tier'],
    ['DoesNotExist', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, {}, true, '!tier'],
  ] as const)('%s', (_name, ps: LabelSelectorObject | null, labels, match, str) => {
    const sel = labelSelectorAsSelector(ps);
    expect(sel.matches(labels)).toBe(match);
    expect(sel.toString()).toBe(str);
  });

  it.each([
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid label selector operator'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist'],
    ['bad matchLabels value', { matchLabels: { a: 'b c' } }, 'values[0][a]: Invalid value: "b c": a valid label must be'],
  ] as const)('%s', (_name, ps: LabelSelectorObject, msg) => {
    expect(() => labelSelectorAsSelector(ps)).toThrow(InvalidLabelSelectorError);
    expect(() => labelSelectorAsSelector(ps)).toThrow(msg);
  });
});

describe('label selector — ValidateLabelSelector', () => {
  const path = FieldPath.root('spec', 'selector');
  it.each([
    ['valid', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, []],
    ['In without values', { matchExpressions: [{ key: 'tier', operator: 'In' }] }, ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['Exists with values', { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] }, ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    ['bad operator', { matchExpressions: [{ key: 'tier', operator: 'Has' }] }, ['spec.selector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator']],
  ] as const)('%s', (_name, ps: LabelSelectorObject, want) => {
    expect(validateLabelSelector(ps, path).map(formatFieldError)).toEqual(want);
  });
});

describe('label selector — helpers', () => {
  it('fromSet sorts keys', () => expect(LabelSelector.fromSet({ b: '1', a: '2' }).toString()).toBe('a=2,b=1'));
  it('nothing matches nothing', () => expect(LabelSelector.nothing().matches({})).toBe(false));
  it.each([
    ['x=a', 'a'],
    ['x in (a)', 'a'],
    ['x in (a,b)', undefined],
    ['x!=a', undefined],
    ['y=a', undefined],
  ])('requiresExactMatch %j', (s, want) => expect(LabelSelector.parse(s).requiresExactMatch('x')).toBe(want));
});
