// Cases from k8s.io/apimachinery/pkg/fields/selector_test.go.
import { describe, expect, it } from 'vitest';
import { SelectorParseError } from '../errors.js';
import { escapeFieldValue, FieldSelector, fieldSelectorError, unescapeFieldValue } from './selector.js';

const getter = (set: Record<string, string>) => (f: string) => set[f];

describe('field selector — parses and re-renders (TestSelectorParse)', () => {
  it.each(['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=a||y\\=b', 'x=a\\=\\=b'])('%j', (s) => {
    expect(FieldSelector.parse(s).toString()).toBe(s);
  });
  it.each([
    ['a=x,x=a', 'a=x,x=a'],
    ['x=a,a=x', 'a=x,x=a'],
    ['b==v', 'b=v'],
    ['a=a,', 'a=a'],
    [',a=a', 'a=a'],
    ['k=\\,,k2=v2', 'k2=v2,k=\\,'],
    ['함=수,목=록', '목=록,함=수'],
    ['=', ''],
    ['metadata.name=web', 'metadata.name=web'],
  ])('%j → %j', (s, want) => {
    expect(FieldSelector.parse(s).toString()).toBe(want);
  });
});

describe('field selector — rejects (TestSelectorParse)', () => {
  it.each([
    ['x=a||y=b', 'invalid field selector: unescaped character in value: 61'],
    ['x==a==b', 'invalid field selector: unescaped character in value: 61'],
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ['x in (a,b,c)', "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
    ['x', "invalid selector: 'x'; can't understand 'x'"],
    ['k=\\a', 'invalid field selector: invalid escape sequence: \\a'],
    ['k=\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('%j', (s, msg) => {
    expect(() => FieldSelector.parse(s)).toThrow(SelectorParseError);
    expect(() => FieldSelector.parse(s)).toThrow(msg);
  });
});

describe('field selector — matches (TestSelectorMatches)', () => {
  const fieldset = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
  it.each([
    ['', { x: 'y' }, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['foo=bar', fieldset, true],
    ['foo=bar,baz=blah', fieldset, true],
    ['foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\', fieldset, true],
    ['foo=blah', fieldset, false],
    ['foo=bar,foobar=bar,baz=blah', fieldset, false],
    ['spec.nodeName=', {}, true],
    ['spec.nodeName!=', {}, false],
  ] as const)('%j on %j → %s', (s, set, want) => {
    expect(FieldSelector.parse(s).matches(getter(set))).toBe(want);
  });
});

describe('field selector — escaping (TestEscapeValue)', () => {
  it.each([
    ['', ''],
    ['a', 'a'],
    ['=', '\\='],
    [',', '\\,'],
    ['\\', '\\\\'],
    ['\\=\\,\\', '\\\\\\=\\\\\\,\\\\'],
  ])('%j ⇄ %j', (raw, escaped) => {
    expect(escapeFieldValue(raw)).toBe(escaped);
    expect(unescapeFieldValue(escaped)).toBe(raw);
  });
  it.each(['\\', '\\\\\\', '\\a'])('%j is an invalid escape sequence', (v) => {
    expect(() => unescapeFieldValue(v)).toThrow('invalid field selector: invalid escape sequence');
  });
});

describe('field selector — helpers', () => {
  it('requiresExactMatch finds metadata.name', () => expect(FieldSelector.parse('metadata.namespace=a,metadata.name=b').requiresExactMatch('metadata.name')).toBe('b'));
  it('requiresExactMatch ignores !=', () => expect(FieldSelector.parse('metadata.name!=b').requiresExactMatch('metadata.name')).toBeUndefined());
  it('lists its fields', () => expect(FieldSelector.parse('b=1,a!=2').fields()).toEqual(['a', 'b']));
  it('fromSet', () => expect(FieldSelector.fromSet({ b: 'x,y', a: '1' }).toString()).toBe('a=1,b=x\\,y'));
  it('unsupported field is a 400 BadRequest', () => {
    expect(fieldSelectorError('pods', 'spec.foo')).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'field label not supported: spec.foo',
      reason: 'BadRequest',
      code: 400,
    });
  });
});
