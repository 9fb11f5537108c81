import { StatusError } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import { ApiStatusError } from '../http/status.js';
import { findResource } from '../resources.js';
import { checkApplyConfiguration, checkObject, enforce, fieldValidationOf, patchFieldCheck, warningHeader } from './field-validation.js';

const deployments = findResource('apps', 'v1', 'deployments')!;
const configmaps = findResource('', 'v1', 'configmaps')!;

function statusOfThrown(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiStatusError || err instanceof StatusError) return err.status;
    throw err;
  }
  throw new Error('did not throw');
}

describe('field validation', () => {
  it('directive — empty is Warn, the three values pass, anything else is 422 on the verb options', () => {
    expect(fieldValidationOf(new URLSearchParams(''), 'CreateOptions')).toBe('Warn');
    expect(fieldValidationOf(new URLSearchParams('fieldValidation='), 'CreateOptions')).toBe('Warn');
    for (const v of ['Strict', 'Warn', 'Ignore']) expect(fieldValidationOf(new URLSearchParams(`fieldValidation=${v}`), 'PatchOptions')).toBe(v);
    const status = statusOfThrown(() => fieldValidationOf(new URLSearchParams('fieldValidation=strict'), 'UpdateOptions'));
    expect(status).toMatchObject({
      code: 422, reason: 'Invalid',
      message: 'UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
    });
  });

  it('warning header — code 299, agent -, quoted text', () => {
    expect(warningHeader('unknown field "spec.foo"')).toBe('299 - "unknown field \\"spec.foo\\""');
  });

  it('enforce — Strict throws 400 with every problem, Warn returns them, Ignore drops them', () => {
    const problems = ['unknown field "spec.foo"', 'duplicate field "x"'];
    expect(statusOfThrown(() => enforce('Strict', problems, 'P: '))).toMatchObject({ code: 400, reason: 'BadRequest', message: 'P: strict decoding error: unknown field "spec.foo", duplicate field "x"' });
    expect(enforce('Warn', problems)).toEqual(problems);
    expect(enforce('Ignore', problems)).toEqual([]);
    expect(enforce('Strict', [])).toEqual([]);
  });

  it('create/update — the object loses unknown fields in every mode; Strict names kind and version of the body', () => {
    for (const directive of ['Warn', 'Ignore'] as const) {
      const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' }, bogus: 1 };
      const warnings = checkObject(configmaps, obj, directive);
      expect(obj).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
      expect(warnings).toEqual(directive === 'Warn' ? ['unknown field "bogus"'] : []);
    }
    const text = '{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1,"replicas":2,"paused":true,"foo":1}}';
    expect(statusOfThrown(() => checkObject(deployments, JSON.parse(text) as Record<string, unknown>, 'Strict', text))).toMatchObject({
      code: 400,
      message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "spec.replicas", unknown field "spec.foo"',
    });
  });

  it('patch — duplicates of the patch and unknown fields of the result; the last run\'s warnings', () => {
    const fields = patchFieldCheck(configmaps, 'Warn', '{"data":{"a":"1","a":"2"}}');
    const patched = fields.check({ metadata: { name: 'a', labelz: {} }, data: { a: '2' } });
    expect(patched).toEqual({ metadata: { name: 'a' }, data: { a: '2' } });
    expect(fields.warnings()).toEqual(['duplicate field "data.a"', 'unknown field "metadata.labelz"']);
    fields.check({ metadata: { name: 'a' } });
    expect(fields.warnings()).toEqual(['duplicate field "data.a"']);
    const strict = patchFieldCheck(configmaps, 'Strict', undefined);
    expect(statusOfThrown(() => strict.check({ metadata: { name: 'a' }, bogus: true }))).toMatchObject({ code: 400, message: 'strict decoding error: unknown field "bogus"' });
  });

  it('apply — an undeclared field fails as the field manager fails, whatever the directive', () => {
    const applied = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data_error: {} };
    const status = statusOfThrown(() => checkApplyConfiguration(configmaps, applied));
    expect(status).toEqual(expect.objectContaining({ code: 500, message: 'failed to create typed patch object (ns/cm; /v1, Kind=ConfigMap): .data_error: field not declared in schema' }));
    expect(status).not.toHaveProperty('reason');
    expect(() => checkApplyConfiguration(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } })).not.toThrow();
  });
});
