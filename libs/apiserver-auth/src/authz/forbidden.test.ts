import { describe, expect, it } from 'vitest';
import { bootstrapPolicy } from '../bootstrap/bootstrap.js';
import { InvalidAccessReviewError } from '../errors.js';
import { parseRequestInfo } from '../request-info.js';
import type { UserInfo } from '../user.js';
import { anonymousUser } from '../user.js';
import { evaluateSelfSubjectAccessReview } from './access-review.js';
import { Authorizer } from './authorizer.js';
import { forbiddenMessage, forbiddenStatus } from './forbidden.js';
import { InMemoryRbacSource } from './source.js';

const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };

describe('forbiddenMessage', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods/x', 'pods "x" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"'],
    ['GET', '/api/v1/namespaces/default/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"'],
    ['GET', '/api/v1/nodes', 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope'],
    ['GET', '/api/v1/pods?watch=1', 'pods is forbidden: User "alice" cannot watch resource "pods" in API group "" at the cluster scope'],
    ['POST', '/api/v1/namespaces/default/pods/x/eviction', 'pods "x" is forbidden: User "alice" cannot create resource "pods/eviction" in API group "" in the namespace "default"'],
    ['DELETE', '/apis/apps/v1/namespaces/prod/deployments/web', 'deployments.apps "web" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "prod"'],
    ['GET', '/api/v1/namespaces/kube-system', 'namespaces "kube-system" is forbidden: User "alice" cannot get resource "namespaces" in API group "" in the namespace "kube-system"'],
    ['GET', '/foo', 'forbidden: User "alice" cannot get path "/foo"'],
    ['POST', '/logs/<x>', 'forbidden: User "alice" cannot post path "/logs/&lt;x&gt;"'],
  ])('wording — %s %s', (method, url, message) => {
    expect(forbiddenMessage(alice, parseRequestInfo(method, url))).toBe(message);
  });

  it('wording — the authorizer reason follows after ": "', () => {
    const attrs = parseRequestInfo('GET', '/api/v1/namespaces/dev/pods');
    expect(forbiddenMessage(alice, attrs, 'RBAC: role.rbac.authorization.k8s.io "r" not found')).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "dev": RBAC: role.rbac.authorization.k8s.io "r" not found',
    );
  });

  it('status — a 403 Status with details', () => {
    expect(forbiddenStatus(anonymousUser, parseRequestInfo('GET', '/apis/apps/v1/namespaces/a/deployments/d'))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "d" is forbidden: User "system:anonymous" cannot get resource "deployments" in API group "apps" in the namespace "a"',
      reason: 'Forbidden',
      details: { name: 'd', group: 'apps', kind: 'deployments' },
      code: 403,
    });
  });
});

describe('evaluateSelfSubjectAccessReview', () => {
  const authorizer = new Authorizer(new InMemoryRbacSource(bootstrapPolicy()));
  const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
  const scheduler: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };

  it.each([
    ['admin can do anything', admin, { resourceAttributes: { verb: '*', group: '*', resource: '*' } }, { allowed: true }],
    ['scheduler can create pods/binding', scheduler, { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods', subresource: 'binding' } }, { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler"' }],
    ['scheduler cannot delete secrets', scheduler, { resourceAttributes: { namespace: 'default', verb: 'delete', resource: 'secrets' } }, { allowed: false }],
    ['alice can get /healthz', alice, { nonResourceAttributes: { path: '/healthz', verb: 'get' } }, { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"' }],
    ['alice cannot get /metrics', alice, { nonResourceAttributes: { path: '/metrics', verb: 'get' } }, { allowed: false }],
  ] as const)('can-i — %s', (_name, user, spec, status) => {
    expect(evaluateSelfSubjectAccessReview(authorizer, user, spec)).toEqual(status);
  });

  it('validation — exactly one of resourceAttributes and nonResourceAttributes', () => {
    expect(() => evaluateSelfSubjectAccessReview(authorizer, alice, {})).toThrow(InvalidAccessReviewError);
    expect(() =>
      evaluateSelfSubjectAccessReview(authorizer, alice, { resourceAttributes: {}, nonResourceAttributes: {} }),
    ).toThrow(InvalidAccessReviewError);
  });
});
