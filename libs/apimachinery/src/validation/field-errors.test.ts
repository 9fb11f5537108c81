import { describe, expect, it } from 'vitest';
import {
  aggregateMessage,
  FieldPath,
  fieldDuplicate,
  fieldErrorBody,
  fieldForbidden,
  fieldInternalError,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  fieldTooMany,
  fieldTypeInvalid,
  formatFieldError,
} from './field-errors.js';
import { validateObjectMeta } from './object-meta.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';

describe('field errors — rendering like field.Error.Error()', () => {
  const p = FieldPath.root('spec').child('containers').index(0).child('image');
  it.each([
    [fieldInvalid('metadata.name', 'Foo', 'bad'), 'metadata.name: Invalid value: "Foo": bad'],
    [fieldInvalid(p, 'x', 'd'), 'spec.containers[0].image: Invalid value: "x": d'],
    [fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0'), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    [fieldInvalid('spec.x', true, 'd'), 'spec.x: Invalid value: true: d'],
    [fieldInvalid('values', [], 'd'), 'values: Invalid value: []: d'],
    [fieldInvalid('values', ['a', 'b'], 'd'), 'values: Invalid value: ["a","b"]: d'],
    [fieldInvalid('x', 'say "hi"', 'd'), 'x: Invalid value: "say \\"hi\\"": d'],
    [fieldRequired('metadata.name', 'name or generateName is required'), 'metadata.name: Required value: name or generateName is required'],
    [fieldRequired('spec.containers'), 'spec.containers: Required value'],
    [fieldForbidden('metadata.namespace', 'not allowed on this type'), 'metadata.namespace: Forbidden: not allowed on this type'],
    [fieldNotSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never']), 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    [fieldDuplicate(FieldPath.root('spec', 'ports').index(1), 'http'), 'spec.ports[1]: Duplicate value: "http"'],
    [fieldNotFound('spec.x', 'y'), 'spec.x: Not found: "y"'],
    [fieldTooLong('metadata.annotations', 262144), 'metadata.annotations: Too long: may not be more than 262144 bytes'],
    [fieldTooLong('x', 1), 'x: Too long: may not be more than 1 byte'],
    [fieldTooMany('spec.items', 5, 4), 'spec.items: Too many: 5: must have at most 4 items'],
    [fieldTooMany('spec.items', -1, 1), 'spec.items: Too many: must have at most 1 item'],
    [fieldTypeInvalid('spec.x', 'y', 'must be an integer'), 'spec.x: Invalid value: "y": must be an integer'],
    [fieldInternalError('spec', new Error('boom')), 'spec: Internal error: boom'],
    [fieldInvalid(FieldPath.root('metadata', 'labels').key('app'), 'a b', 'd'), 'metadata.labels[app]: Invalid value: "a b": d'],
  ])('%#', (e, want) => {
    expect(formatFieldError(e)).toBe(want);
  });

  it('body omits the field', () => expect(fieldErrorBody(fieldRequired('a'))).toBe('Required value'));
});

describe('field errors — aggregate (ErrorList.ToAggregate)', () => {
  const e1 = fieldRequired('a');
  const e2 = fieldInvalid('b', 'x', 'bad');
  it.each([
    [[], undefined],
    [[e1], 'a: Required value'],
    [[e1, e2], '[a: Required value, b: Invalid value: "x": bad]'],
    [[e1, e1], 'a: Required value'],
    [[e1, e2, e1], '[a: Required value, b: Invalid value: "x": bad]'],
  ])('%#', (list, want) => {
    expect(aggregateMessage(list)).toBe(want);
  });
});

describe('field errors — ValidateObjectMeta', () => {
  it.each([
    ['valid', { name: 'web', namespace: 'default' }, true, []],
    ['missing name', { namespace: 'default' }, true, ['metadata.name: Required value: name or generateName is required']],
    ['bad name', { name: 'Foo', namespace: 'default' }, true, [expect.stringMatching(/^metadata\.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain/)]],
    ['missing namespace', { name: 'web' }, true, ['metadata.namespace: Required value']],
    ['namespace on cluster-scoped', { name: 'n1', namespace: 'default' }, false, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['bad generateName', { generateName: 'Web-', name: 'Web-abcde', namespace: 'default' }, true, [expect.stringMatching(/^metadata\.generateName: Invalid value: "Web-"/), expect.stringMatching(/^metadata\.name: Invalid value: "Web-abcde"/)]],
    ['bad label value', { name: 'web', namespace: 'ns', labels: { app: 'a b' } }, true, [expect.stringMatching(/^metadata\.labels: Invalid value: "a b": a valid label must be/)]],
    ['bad label key', { name: 'web', namespace: 'ns', labels: { 'a/b/c': 'x' } }, true, [expect.stringMatching(/^metadata\.labels: Invalid value: "a\/b\/c": a valid label key/)]],
    ['bad annotation key', { name: 'web', namespace: 'ns', annotations: { '-x': 'y' } }, true, [expect.stringMatching(/^metadata\.annotations: Invalid value: "-x": name part/)]],
    ['annotations too large', { name: 'web', namespace: 'ns', annotations: { a: 'x'.repeat(256 * 1024) } }, true, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
  ])('%s', (_name, meta, namespaced, want) => {
    expect(validateObjectMeta(meta, namespaced, nameIsDNSSubdomain).map(formatFieldError)).toEqual(want);
  });

  it('namespace names use the DNS label rule', () => {
    expect(validateObjectMeta({ name: 'a.b' }, false, nameIsDNSLabel).map(formatFieldError)).toEqual(['metadata.name: Invalid value: "a.b": must not contain dots']);
  });
});
