// Cases from k8s.io/apimachinery/pkg/util/validation/validation_test.go and exact message texts.
import { describe, expect, it } from 'vitest';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';

const a = (n: number): string => 'a'.repeat(n);

describe('validation — valid values have no messages', () => {
  it.each([
    ...['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '012', '1a', '1-a', '1--a--b--2', a(63)].map((v) => ['isDNS1123Label', isDNS1123Label, v] as const),
    ...['a.a', 'a--1--2--b.1', '0.1', '1--a--b--2.1', 'a.b.c.d.e', '11.22.33.44.55', a(253)].map((v) => ['isDNS1123Subdomain', isDNS1123Subdomain, v] as const),
    ...['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now.with.dots/simple', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123', 'requests.storage-foo', a(63), `${a(253)}/${'b'.repeat(63)}`].map(
      (v) => ['isQualifiedName', isQualifiedName, v] as const,
    ),
    ...['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', a(63), ''].map((v) => ['isValidLabelValue', isValidLabelValue, v] as const),
    ...['my-name', 'abc-123'].map((v) => ['isDNS1035Label', isDNS1035Label, v] as const),
  ])('%s(%j)', (_fn, fn, v) => {
    expect(fn(v)).toEqual([]);
  });
});

describe('validation — invalid values are reported', () => {
  it.each([
    ...['', 'A', 'aBc', '-', 'a-', '-a', '_', 'a_b', '.', 'a.b', ' ', 'a b', a(64)].map((v) => ['isDNS1123Label', isDNS1123Label, v] as const),
    ...['', 'A', '-', 'a-', '.', 'a.', '.a', 'a..b', 'A.a', 'ab.A', 'a@b', 'a,b', 'a:b', a(254)].map((v) => ['isDNS1123Subdomain', isDNS1123Subdomain, v] as const),
    ...['nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc', 'example_com/abc', 'example.com/', '/simple', a(64), `${a(254)}/abc`].map(
      (v) => ['isQualifiedName', isQualifiedName, v] as const,
    ),
    ...['nospecialchars%^=@', 'Tama-nui-te-rā.is.Māori.sun', '\\backslashes\\are\\bad', '-starts-with-dash', 'ends-with-dash-', '.starts.with.dot', 'ends.with.dot.', a(64)].map(
      (v) => ['isValidLabelValue', isValidLabelValue, v] as const,
    ),
    ...['1abc', 'a.b', 'A'].map((v) => ['isDNS1035Label', isDNS1035Label, v] as const),
  ])('%s(%j)', (_fn, fn, v) => {
    expect(fn(v).length).toBeGreaterThan(0);
  });
});

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const keyNameMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('validation — exact messages', () => {
  it.each([
    ['isDNS1123Label Foo', isDNS1123Label('Foo'), [labelMsg]],
    ['isDNS1123Label with dots', isDNS1123Label('a.b'), ['must not contain dots']],
    ['isDNS1123Label too long', isDNS1123Label(a(64)), ['must be no more than 63 characters']],
    ['isDNS1123Subdomain Foo', isDNS1123Subdomain('Foo'), [subdomainMsg]],
    ['isDNS1123Subdomain too long and bad', isDNS1123Subdomain(`${a(254)}-`), ['must be no more than 253 characters', subdomainMsg]],
    ['isQualifiedName empty prefix', isQualifiedName('/simple'), ['prefix part must be non-empty']],
    ['isQualifiedName empty name', isQualifiedName('example.com/'), ['name part must be non-empty', keyNameMsg]],
    ['isQualifiedName bad prefix', isQualifiedName('Example.com/abc'), [`prefix part ${subdomainMsg}`]],
    ['isQualifiedName long name', isQualifiedName(a(64)), ['name part must be no more than 63 bytes']],
    ['isValidLabelValue long', isValidLabelValue(a(64)), ['must be no more than 63 bytes']],
    ['isDNS1035Label', isDNS1035Label('1a'), ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]],
  ])('%s', (_name, got, want) => {
    expect(got).toEqual(want);
  });
});

describe('validation — generateName prefixes (maskTrailingDash)', () => {
  it.each([
    ['web-', true, nameIsDNSSubdomain, []],
    ['web-', false, nameIsDNSSubdomain, [subdomainMsg]],
    ['a-', true, nameIsDNSLabel, []],
    ['-', true, nameIsDNSLabel, [labelMsg]],
    ['Web-', true, nameIsDNSSubdomain, [subdomainMsg]],
    [`${a(63)}-`, true, nameIsDNSLabel, []],
    [`${a(64)}-`, true, nameIsDNSLabel, ['must be no more than 63 characters']],
  ] as const)('%j prefix=%s', (name, prefix, fn, want) => {
    expect(fn(name, prefix)).toEqual(want);
  });
});
