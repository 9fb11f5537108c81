import { describe, expect, it } from 'vitest';
import { PatchApplyError, PatchDecodeError, PatchTooLargeError } from './errors.js';
import { applyJsonPatch, applyMergePatch } from './json-patch.js';
import type { JsonValue } from './json-patch.js';

const doc: JsonValue = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, list: [1, 2] } };

describe('json patch — applies RFC 6902 operations', () => {
  it.each<[string, unknown[], JsonValue]>([
    ['replace', [{ op: 'replace', path: '/spec/replicas', value: 3 }], { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 3, list: [1, 2] } }],
    ['add to map', [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }], { metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } }, spec: { replicas: 1, list: [1, 2] } }],
    ['append', [{ op: 'add', path: '/spec/list/-', value: 3 }], { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, list: [1, 2, 3] } }],
    ['remove', [{ op: 'remove', path: '/metadata/labels/app' }], { metadata: { name: 'web', labels: {} }, spec: { replicas: 1, list: [1, 2] } }],
    ['escaped key', [{ op: 'add', path: '/metadata/labels/a~1b', value: 'x' }], { metadata: { name: 'web', labels: { app: 'web', 'a/b': 'x' } }, spec: { replicas: 1, list: [1, 2] } }],
    ['test then replace', [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 2 }], { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 2, list: [1, 2] } }],
    ['move', [{ op: 'move', from: '/spec/replicas', path: '/spec/count' }], { metadata: { name: 'web', labels: { app: 'web' } }, spec: { count: 1, list: [1, 2] } }],
    ['empty', [], doc],
  ])('%s', (_name, ops, want) => {
    expect(applyJsonPatch(doc, JSON.stringify(ops))).toEqual(want);
  });

  it('does not mutate the document', () => {
    const before = JSON.stringify(doc);
    applyJsonPatch(doc, JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: 9 }]));
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('json patch — errors map to the apiserver Status', () => {
  it.each([
    ['not JSON', '[{', PatchDecodeError, 400],
    ['an object', '{"op":"add"}', PatchDecodeError, 400],
    ['missing path', JSON.stringify([{ op: 'replace', path: '/spec/nope/x', value: 1 }]), PatchApplyError, 422],
    ['remove missing', JSON.stringify([{ op: 'remove', path: '/metadata/annotations' }]), PatchApplyError, 422],
    ['failed test', JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 5 }]), PatchApplyError, 422],
    ['unknown op', JSON.stringify([{ op: 'frob', path: '/spec' }]), PatchApplyError, 422],
    ['too many operations', JSON.stringify(Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }))), PatchTooLargeError, 413],
  ])('%s', (_name, body, cls, code) => {
    expect(() => applyJsonPatch(doc, body)).toThrow(cls);
    try {
      applyJsonPatch(doc, body);
    } catch (err) {
      expect((err as PatchApplyError).status.code).toBe(code);
    }
  });

  it('a failed operation has the generic Invalid message', () => {
    try {
      applyJsonPatch(doc, JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 5 }]));
      expect.unreachable();
    } catch (err) {
      expect((err as PatchApplyError).status).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      });
    }
  });

  it('too many operations says how many', () => {
    const body = JSON.stringify(Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 })));
    expect(() => applyJsonPatch(doc, body)).toThrow('Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  });
  it('an object body says what Go says', () => {
    expect(() => applyJsonPatch(doc, '{}')).toThrow('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });
});

describe('merge patch — RFC 7386', () => {
  it.each<[string, JsonValue, JsonValue, JsonValue]>([
    ['adds', { a: 'b' }, { c: 'd' }, { a: 'b', c: 'd' }],
    ['replaces', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['null deletes', { a: 'b', c: 'd' }, { a: null }, { c: 'd' }],
    ['deleting absent is fine', { a: 'b' }, { x: null }, { a: 'b' }],
    ['merges nested', { a: { b: 1, c: 2 } }, { a: { b: null, d: 3 } }, { a: { c: 2, d: 3 } }],
    ['replaces lists', { l: [1, 2, 3] }, { l: [4] }, { l: [4] }],
    ['object replaces scalar', { a: 'x' }, { a: { b: 1 } }, { a: { b: 1 } }],
    ['nulls inside new objects are dropped', {}, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ['nulls inside arrays stay', {}, { a: [null, { b: null }] }, { a: [null, {}] }],
    ['empty patch', { a: 1 }, {}, { a: 1 }],
  ])('%s', (_name, target, patch, want) => {
    expect(applyMergePatch(target, JSON.stringify(patch))).toEqual(want);
  });

  it.each(['nope', 'null', '[1]', '5'])('body %j is 400 Invalid JSON Patch', (body) => {
    expect(() => applyMergePatch({}, body)).toThrow(PatchDecodeError);
    expect(() => applyMergePatch({}, body)).toThrow('Invalid JSON Patch');
  });
});
