import { describe, expect, it } from 'vitest';
import { bootstrapPolicy } from '../bootstrap/bootstrap.js';
import { parseRequestInfo } from '../request-info.js';
import type { UserInfo } from '../user.js';
import { anonymousUser, nodeUser, serviceAccountUser } from '../user.js';
import { Authorizer } from './authorizer.js';
import { InMemoryRbacSource } from './source.js';
import type { RoleBinding } from './types.js';

const authenticated = (username: string, ...groups: string[]): UserInfo => ({ username, groups: [...groups, 'system:authenticated'] });
const admin = authenticated('kubernetes-admin', 'system:masters');
const scheduler = authenticated('system:kube-scheduler');
const kcm = authenticated('system:kube-controller-manager');
const ccm = authenticated('eks:cloud-controller-manager');
const alice = authenticated('alice');
const bob = authenticated('bob', 'team-b');
const node1 = { ...nodeUser('node-1'), groups: ['system:nodes', 'system:authenticated'] };
const rsController = { ...serviceAccountUser('kube-system', 'replicaset-controller') };
const appSa = serviceAccountUser('apps', 'deployer');

function binding(namespace: string, name: string, roleKind: string, roleName: string, subjects: RoleBinding['subjects']): RoleBinding {
  return {
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
    ...(subjects ? { subjects } : {}),
  };
}

function newAuthorizer(): Authorizer {
  const policy = bootstrapPolicy();
  const source = new InMemoryRbacSource({
    ...policy,
    roles: [...policy.roles, { metadata: { name: 'secret-reader', namespace: 'team-b' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }] }],
    roleBindings: [
      ...policy.roleBindings,
      binding('dev', 'alice-view', 'ClusterRole', 'view', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }]),
      binding('team-b', 'b-secrets', 'Role', 'secret-reader', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'team-b' }]),
      binding('apps', 'deployer-edit', 'ClusterRole', 'edit', [{ kind: 'ServiceAccount', name: 'deployer' }]),
      binding('dev', 'dangling', 'ClusterRole', 'does-not-exist', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }]),
    ],
  });
  return new Authorizer(source);
}

// [who, user, method, url, allowed]
const cases: [string, UserInfo, string, string, boolean][] = [
  ['system:masters', admin, 'DELETE', '/api/v1/namespaces/kube-system/secrets/x', true],
  ['system:masters', admin, 'GET', '/metrics', true],
  ['system:masters', admin, 'POST', '/apis/whatever.example.com/v1/things', true],
  ['scheduler', scheduler, 'POST', '/api/v1/namespaces/default/pods/p1/binding', true],
  ['scheduler', scheduler, 'GET', '/api/v1/pods?watch=true', true],
  ['scheduler', scheduler, 'PATCH', '/api/v1/namespaces/default/pods/p1/status', true],
  ['scheduler', scheduler, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler', true],
  ['scheduler', scheduler, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', false],
  ['scheduler', scheduler, 'DELETE', '/api/v1/namespaces/default/secrets/s1', false],
  ['scheduler', scheduler, 'GET', '/api/v1/namespaces/default/secrets/s1', false],
  ['controller-manager', kcm, 'GET', '/apis/apps/v1/deployments', true],
  ['controller-manager', kcm, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', true],
  ['controller-manager', kcm, 'POST', '/api/v1/namespaces/default/pods', false],
  ['replicaset-controller', rsController, 'POST', '/api/v1/namespaces/default/pods', true],
  ['replicaset-controller', rsController, 'PUT', '/apis/apps/v1/namespaces/default/replicasets/rs/status', true],
  ['replicaset-controller', rsController, 'DELETE', '/apis/apps/v1/namespaces/default/deployments/d', false],
  ['cloud-controller-manager', ccm, 'DELETE', '/api/v1/nodes/n1', true],
  ['cloud-controller-manager', ccm, 'PATCH', '/api/v1/namespaces/default/services/lb/status', true],
  ['cloud-controller-manager', ccm, 'GET', '/api/v1/namespaces/default/secrets/s', false],
  ['view in dev', alice, 'GET', '/api/v1/namespaces/dev/pods', true],
  ['view in dev', alice, 'GET', '/api/v1/namespaces/dev/pods/p/log', true],
  ['view in dev', alice, 'GET', '/api/v1/namespaces/prod/pods', false],
  ['view in dev', alice, 'GET', '/api/v1/pods', false],
  ['view in dev', alice, 'POST', '/api/v1/namespaces/dev/pods', false],
  ['view in dev', alice, 'GET', '/api/v1/namespaces/dev/secrets/s', false],
  ['view in dev', alice, 'GET', '/api/v1/namespaces/dev', true],
  ['authenticated', alice, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', true],
  ['authenticated', alice, 'GET', '/apis/apps/v1', true],
  ['authenticated', alice, 'GET', '/metrics', false],
  ['role with resourceNames', bob, 'GET', '/api/v1/namespaces/team-b/secrets/db', true],
  ['role with resourceNames', bob, 'GET', '/api/v1/namespaces/team-b/secrets/other', false],
  ['role with resourceNames', bob, 'GET', '/api/v1/namespaces/team-b/secrets', false],
  ['service account without namespace in RoleBinding', appSa, 'POST', '/apis/apps/v1/namespaces/apps/deployments', true],
  ['service account without namespace in RoleBinding', appSa, 'POST', '/apis/apps/v1/namespaces/other/deployments', false],
  ['unauthenticated', anonymousUser, 'GET', '/healthz', true],
  ['unauthenticated', anonymousUser, 'GET', '/version', true],
  ['unauthenticated', anonymousUser, 'GET', '/livez', true],
  ['unauthenticated', anonymousUser, 'GET', '/apis', false],
  ['unauthenticated', anonymousUser, 'GET', '/api/v1/namespaces/default/pods', false],
  ['node', node1, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1', true],
  ['node', node1, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-2', false],
  ['node', node1, 'PATCH', '/api/v1/nodes/node-1/status', true],
  ['node', node1, 'GET', '/api/v1/namespaces/default/secrets/s1', true],
  ['node', node1, 'GET', '/api/v1/namespaces/default/secrets', false],
  ['node', node1, 'DELETE', '/api/v1/namespaces/default/services/s', false],
];

describe('Authorizer over the bootstrap policy', () => {
  const authorizer = newAuthorizer();
  it.each(cases)('%s — %s %s %s → allowed %s', (_who, user, method, url, allowed) => {
    const result = authorizer.authorize(user, parseRequestInfo(method, url));
    expect(result.decision).toBe(allowed ? 'allow' : 'deny');
  });

  it('reason — names the binding that allowed, as RBAC does', () => {
    expect(authorizer.authorize(alice, parseRequestInfo('GET', '/api/v1/namespaces/dev/pods')).reason).toBe(
      'RBAC: allowed by RoleBinding "alice-view/dev" of ClusterRole "view" to User "alice"',
    );
    expect(authorizer.authorize(rsController, parseRequestInfo('POST', '/api/v1/namespaces/default/pods')).reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole "system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system"',
    );
  });

  it('reason — a binding to a missing role is reported on deny', () => {
    expect(authorizer.authorize(bob, parseRequestInfo('GET', '/api/v1/namespaces/dev/pods'))).toEqual({
      decision: 'deny',
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found',
    });
  });

  it('system:masters — allowed without any binding', () => {
    const empty = new Authorizer(new InMemoryRbacSource());
    expect(empty.authorize(admin, parseRequestInfo('DELETE', '/api/v1/nodes/n')).decision).toBe('allow');
    expect(empty.authorize(alice, parseRequestInfo('GET', '/healthz')).decision).toBe('deny');
  });
});
