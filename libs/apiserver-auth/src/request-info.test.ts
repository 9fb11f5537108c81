import { describe, expect, it } from 'vitest';
import { RequestInfoError } from './errors.js';
import { parseRequestInfo } from './request-info.js';

// [method, url, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, parts]
// Cases from k8s.io/apiserver/pkg/endpoints/request/requestinfo_test.go (TestGetAPIRequestInfo).
type Case = [string, string, string, string, string, string, string, string, string, string, string[]];
const resourceCases: Case[] = [
  // resource paths
  ['GET', '/api/v1/namespaces', 'list', 'api', '', 'v1', '', 'namespaces', '', '', ['namespaces']],
  ['GET', '/api/v1/namespaces/other', 'get', 'api', '', 'v1', 'other', 'namespaces', '', 'other', ['namespaces', 'other']],
  ['GET', '/api/v1/namespaces/other/pods', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
  ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
  ['GET', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
  ['HEAD', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
  // special verbs
  ['GET', '/api/v1/proxy/namespaces/other/pods/foo', 'proxy', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
  ['GET', '/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource', 'proxy', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo', 'subpath', 'not', 'a', 'subresource']],
  ['GET', '/api/v1/watch/pods', 'watch', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/pods?watch=true', 'watch', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/pods?watch=false', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/watch/namespaces/other/pods', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/watch/namespaces/other/pods/foo', 'watch', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
  // subresource identification
  ['GET', '/api/v1/namespaces/other/pods/foo/status', 'get', 'api', '', 'v1', 'other', 'pods', 'status', 'foo', ['pods', 'foo', 'status']],
  ['GET', '/api/v1/namespaces/other/pods/foo/proxy/subpath', 'get', 'api', '', 'v1', 'other', 'pods', 'proxy', 'foo', ['pods', 'foo', 'proxy', 'subpath']],
  ['PUT', '/api/v1/namespaces/other/finalize', 'update', 'api', '', 'v1', 'other', 'namespaces', 'finalize', 'other', ['namespaces', 'other', 'finalize']],
  ['PUT', '/api/v1/namespaces/other/status', 'update', 'api', '', 'v1', 'other', 'namespaces', 'status', 'other', ['namespaces', 'other', 'status']],
  ['POST', '/api/v1/namespaces/default/pods/foo/binding', 'create', 'api', '', 'v1', 'default', 'pods', 'binding', 'foo', ['pods', 'foo', 'binding']],
  // verb identification
  ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
  ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
  ['POST', '/api/v1/namespaces/other/pods', 'create', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  // deletecollection verb identification
  ['DELETE', '/api/v1/nodes', 'deletecollection', 'api', '', 'v1', '', 'nodes', '', '', ['nodes']],
  ['DELETE', '/api/v1/namespaces', 'deletecollection', 'api', '', 'v1', '', 'namespaces', '', '', ['namespaces']],
  ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['DELETE', '/apis/extensions/v1/namespaces/other/pods', 'deletecollection', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', ['pods']],
  // api group and version identification
  ['POST', '/apis/extensions/v1/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', ['pods']],
  ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1beta3', 'other', 'pods', '', '', ['pods']],
  ['GET', '/apis/apps/v1/namespaces/kube-system/deployments/coredns/scale', 'get', 'apis', 'apps', 'v1', 'kube-system', 'deployments', 'scale', 'coredns', ['deployments', 'coredns', 'scale']],
  // fieldSelector=metadata.name pins the name of a list or watch
  ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo', 'list', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3D%3Dfoo&watch=true', 'watch', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?fieldSelector=spec.nodeName%3Dn1,metadata.name%3Dfoo', 'list', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%21%3Dfoo', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3D..', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['GET', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
  ['DELETE', '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo', 'deletecollection', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
];

describe('parseRequestInfo', () => {
  it.each(resourceCases)('resource request — %s %s', (method, url, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, parts) => {
    expect(parseRequestInfo(method, url)).toEqual({
      isResourceRequest: true,
      path: url.split('?')[0],
      verb,
      apiPrefix,
      apiGroup,
      apiVersion,
      namespace,
      resource,
      subresource,
      name,
      parts,
    });
  });

  it.each([
    ['GET', '/', 'get'],
    ['GET', '/version', 'get'],
    ['GET', '/healthz', 'get'],
    ['GET', '/api', 'get'],
    ['GET', '/api/v1', 'get'],
    ['GET', '/apis', 'get'],
    ['GET', '/apis/apps', 'get'],
    ['GET', '/apis/apps/v1', 'get'],
    ['POST', '/api/version/', 'post'],
    ['GET', '/apis/group/version/', 'get'],
    ['GET', '/badprefix/version/resource', 'get'],
    ['HEAD', '/healthz/etcd', 'head'],
  ])('non-resource request — %s %s', (method, url, verb) => {
    const info = parseRequestInfo(method, url);
    expect(info).toMatchObject({ isResourceRequest: false, path: url, verb, resource: '', namespace: '', name: '' });
  });

  it.each(['/api/v1/watch', '/api/v1/proxy', '/apis/apps/v1/watch'])('invalid request — %s cannot be parsed', (url) => {
    expect(() => parseRequestInfo('GET', url)).toThrow(RequestInfoError);
    expect(() => parseRequestInfo('GET', url)).toThrow(/unable to determine kind and namespace from url/);
  });
});
