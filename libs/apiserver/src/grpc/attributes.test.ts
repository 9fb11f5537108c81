import { describe, expect, it } from 'vitest';
import { ApiStatusError } from '../http/status.js';
import type { Verb } from '../resources.js';
import { attributesOf, restUrlOf, type CallTarget } from './attributes.js';

const pods = { group: '', version: 'v1', resource: 'pods' };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments' };
const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const t = (over: Partial<CallTarget>): CallTarget => ({ gvr: pods, namespace: '', name: '', subresource: '', ...over });

describe('grpc attributes — the REST request a call stands for', () => {
  it.each<[string, Verb, CallTarget, string, Partial<ReturnType<typeof attributesOf>>]>([
    ['get of a namespaced object', 'get', t({ namespace: 'ns', name: 'p' }), '/api/v1/namespaces/ns/pods/p', { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns', name: 'p', subresource: '' }],
    ['list across namespaces', 'list', t({}), '/api/v1/pods', { verb: 'list', namespace: '', name: '' }],
    ['list named by a field selector', 'list', t({ namespace: 'ns', fieldSelector: 'metadata.name=p' }), '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp', { verb: 'list', name: 'p' }],
    ['watch', 'watch', t({ namespace: 'ns' }), '/api/v1/namespaces/ns/pods?watch=true', { verb: 'watch', namespace: 'ns' }],
    ['create in a group', 'create', t({ gvr: deployments, namespace: 'ns' }), '/apis/apps/v1/namespaces/ns/deployments', { verb: 'create', apiGroup: 'apps', resource: 'deployments', name: '' }],
    ['update of a subresource', 'update', t({ namespace: 'ns', name: 'p', subresource: 'status' }), '/api/v1/namespaces/ns/pods/p/status', { verb: 'update', subresource: 'status' }],
    ['create of a subresource names the object', 'create', t({ namespace: 'ns', name: 'p', subresource: 'binding' }), '/api/v1/namespaces/ns/pods/p/binding', { verb: 'create', name: 'p', subresource: 'binding' }],
    ['patch', 'patch', t({ gvr: deployments, namespace: 'ns', name: 'd' }), '/apis/apps/v1/namespaces/ns/deployments/d', { verb: 'patch', name: 'd' }],
    ['delete', 'delete', t({ namespace: 'ns', name: 'p' }), '/api/v1/namespaces/ns/pods/p', { verb: 'delete' }],
    ['deletecollection', 'deletecollection', t({ namespace: 'ns' }), '/api/v1/namespaces/ns/pods', { verb: 'deletecollection' }],
    ['a namespace is addressed by name, not scope', 'get', t({ gvr: namespaces, namespace: 'x', name: 'x' }), '/api/v1/namespaces/x', { verb: 'get', resource: 'namespaces', name: 'x', namespace: 'x' }],
    ['namespace status', 'update', t({ gvr: namespaces, name: 'x', subresource: 'status' }), '/api/v1/namespaces/x/status', { resource: 'namespaces', name: 'x', subresource: 'status' }],
  ])('%s', (_name, verb, target, url, attrs) => {
    expect(restUrlOf(verb, target)).toBe(url);
    expect(attributesOf(verb, target)).toMatchObject({ isResourceRequest: true, ...attrs });
  });

  it.each([
    ['a name with a slash', t({ namespace: 'ns', name: 'a/b' })],
    ['a namespace of ".."', t({ namespace: '..', name: 'p' })],
    ['a name with "?"', t({ namespace: 'ns', name: 'p?watch=true' })],
    ['a percent-encoded name', t({ namespace: 'ns', name: 'p%2F' })],
    ['no gvr', t({ gvr: undefined })],
    ['no resource', t({ gvr: { group: '', version: 'v1', resource: '' } })],
  ])('%s is 400 BadRequest, never a different path', (_name, target) => {
    expect(() => restUrlOf('get', target)).toThrow(ApiStatusError);
    try {
      restUrlOf('get', target);
    } catch (err) {
      expect((err as ApiStatusError).status).toMatchObject({ code: 400, reason: 'BadRequest' });
    }
  });
});
