import { describe, expect, it } from 'vitest';
import { statusOf } from '../http/status.js';
import { findResource } from '../resources.js';
import { applyConfiguration, fieldManagerOf, forceParam, patchManagerOf } from './apply.js';
import type { KubeObject } from './objects.js';

const failureOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('expected a failure');
};

describe('managed fields — field manager options', () => {
  it.each([
    ['an explicit manager', 'mine', 'kubectl/v1.33.0 (linux/amd64)', 'mine'],
    ['the User-Agent up to its first slash', null, 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['a User-Agent without a slash', undefined, 'curl', 'curl'],
    ['no User-Agent at all', undefined, undefined, ''],
  ])('managed fields — %s', (_what, explicit, ua, want) => {
    expect(fieldManagerOf('UpdateOptions', explicit, ua).name).toBe(want);
  });

  it.each([
    ['apply without a manager', true, undefined, undefined, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    ['force on a non-apply patch', false, 'x', true, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
    ['a manager over 128 bytes', true, 'm'.repeat(129), undefined, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
    ['a control character', true, 'a\u0007', undefined, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\a": invalid character U+0007 (at position 1)'],
  ])('managed fields — %s is 422 Invalid', (_what, isApply, explicit, force, message) => {
    const s = failureOf(() => patchManagerOf(isApply, explicit, force, 'kubectl/v1'));
    expect(s).toMatchObject({ code: 422, reason: 'Invalid', details: { group: 'meta.k8s.io', kind: 'PatchOptions' } });
    expect(s.message).toBe(message);
  });

  it('managed fields — force is parsed as Go parses booleans', () => {
    expect([forceParam(new URLSearchParams('force=true')), forceParam(new URLSearchParams('force=false')), forceParam(new URLSearchParams(''))]).toEqual([true, false, undefined]);
    expect(failureOf(() => forceParam(new URLSearchParams('force=yes')))).toMatchObject({ code: 400, reason: 'BadRequest' });
  });
});

describe('managed fields — apply configurations', () => {
  const info = findResource('apps', 'v1', 'deployments')!;
  const pm = { manager: { name: 'kubectl' }, force: false };
  it.each([
    ['another apiVersion', { apiVersion: 'apps/v1beta1', kind: 'Deployment' }, 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1'],
    ['managedFields in the configuration', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { managedFields: [] } }, 'metadata.managedFields must be nil'],
  ])('managed fields — %s is 400 BadRequest', (_what, config, message) => {
    expect(failureOf(() => applyConfiguration({ info }, undefined, config, pm, 0))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it('managed fields — a no-op apply returns the stored object itself', () => {
    const config = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } };
    const first = applyConfiguration({ info }, undefined, config, pm, Date.parse('2026-11-22T05:00:00Z'));
    const stored = { ...first, metadata: { ...first.metadata, uid: 'u', resourceVersion: '7' } } as KubeObject;
    expect(applyConfiguration({ info }, stored, config, pm, Date.parse('2026-11-22T06:00:00Z'))).toBe(stored);
  });

  it('managed fields — kubectl\'s own apply keeps a client-side apply annotation in step; other managers leave it', () => {
    const key = 'kubectl.kubernetes.io/last-applied-configuration';
    const stored = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', uid: 'u', annotations: { [key]: '{"old":true}\n' } }, spec: { replicas: 1 },
    } as KubeObject;
    const config = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web' }, spec: { replicas: 2 } };
    const byKubectl = applyConfiguration({ info }, stored, config, pm, 0);
    expect(byKubectl.metadata.annotations?.[key]).toBe('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}\n');
    const byOther = applyConfiguration({ info }, stored, config, { ...pm, manager: { name: 'ctl' } }, 0);
    expect(byOther.metadata.annotations?.[key]).toBe('{"old":true}\n');
  });
});
