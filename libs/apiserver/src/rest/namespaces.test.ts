import { describe, expect, it } from 'vitest';
import { findResource } from '../resources.js';
import { ApiStatusError } from '../http/status.js';
import { prepareForUpdate, type KubeObject } from './objects.js';

const info = findResource('', 'v1', 'namespaces')!;
const stored = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Namespace',
  metadata: { name: 'x', uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', deletionTimestamp: '2026-01-02T00:00:00Z' },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Terminating' },
});

describe('namespace updates', () => {
  it.each<[string, string | undefined, Partial<KubeObject>, unknown, unknown]>([
    ['main resource — spec.finalizers and status are kept', undefined, { spec: { finalizers: [] }, status: { phase: 'Active' }, metadata: { name: 'x', labels: { a: 'b' } } }, { finalizers: ['kubernetes'] }, { phase: 'Terminating' }],
    ['main resource — an omitted spec keeps the stored finalizers', undefined, { metadata: { name: 'x' } }, { finalizers: ['kubernetes'] }, { phase: 'Terminating' }],
    ['finalize — empties spec.finalizers, keeps status', 'finalize', { spec: { finalizers: [] }, status: { phase: 'Active' }, metadata: { name: 'x' } }, {}, { phase: 'Terminating' }],
    ['finalize — keeps the finalizers the request keeps', 'finalize', { spec: { finalizers: ['kubernetes', 'example.com/x'] }, metadata: { name: 'x' } }, { finalizers: ['kubernetes', 'example.com/x'] }, { phase: 'Terminating' }],
    ['status — changes status only', 'status', { spec: { finalizers: [] }, status: { phase: 'Terminating', conditions: [{ type: 'NamespaceContentRemaining' }] }, metadata: { name: 'x' } }, { finalizers: ['kubernetes'] }, { phase: 'Terminating', conditions: [{ type: 'NamespaceContentRemaining' }] }],
  ])('%s', (_name, subresource, input, spec, status) => {
    const next = prepareForUpdate({ info, ...(subresource ? { subresource } : {}) }, stored(), input as KubeObject);
    expect(next.spec).toEqual(spec);
    expect(next.status).toEqual(status);
    expect(next.metadata.deletionTimestamp).toBe('2026-01-02T00:00:00Z');
  });

  it('finalize — only spec.finalizers changes, not labels', () => {
    const next = prepareForUpdate({ info, subresource: 'finalize' }, stored(), { metadata: { name: 'x', labels: { a: 'b' } }, spec: { finalizers: [] } });
    expect(next.metadata.labels).toBeUndefined();
  });

  it('finalize — an invalid finalizer name is 422 Invalid', () => {
    let err: unknown;
    try {
      prepareForUpdate({ info, subresource: 'finalize' }, stored(), { metadata: { name: 'x' }, spec: { finalizers: ['bad name!'] } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiStatusError);
    expect((err as ApiStatusError).status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((err as ApiStatusError).status.message).toContain('Namespace "x" is invalid: spec.finalizers[0]: Invalid value: "bad name!"');
  });
});
