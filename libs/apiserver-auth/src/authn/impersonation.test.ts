import { describe, expect, it } from 'vitest';
import { Authorizer } from '../authz/authorizer.js';
import { InMemoryRbacSource } from '../authz/source.js';
import type { ClusterRoleBinding } from '../authz/types.js';
import { bootstrapPolicy } from '../bootstrap/bootstrap.js';
import { ImpersonationForbiddenError, InvalidImpersonationError } from '../errors.js';
import type { UserInfo } from '../user.js';
import { impersonatedUser, splitServiceAccountUsername, type DistinctHeaders } from './impersonation.js';

const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const ops: UserInfo = { username: 'ops', groups: ['system:authenticated'] };
const nobody: UserInfo = { username: 'nobody', groups: ['system:authenticated'] };

const crb = (name: string, role: string, user: string): ClusterRoleBinding => ({
  metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
});

function authorizer(): Authorizer {
  const policy = bootstrapPolicy();
  return new Authorizer(new InMemoryRbacSource({
    ...policy,
    clusterRoles: [...policy.clusterRoles, {
      metadata: { name: 'impersonate-jane' },
      rules: [
        { verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['jane'] },
        { verbs: ['impersonate'], apiGroups: [''], resources: ['groups'], resourceNames: ['devs'] },
        { verbs: ['impersonate'], apiGroups: ['authentication.k8s.io'], resources: ['uids'] },
        { verbs: ['impersonate'], apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'] },
      ],
    }],
    clusterRoleBindings: [...policy.clusterRoleBindings, crb('ops-impersonate', 'impersonate-jane', 'ops')],
    roles: [{ metadata: { name: 'impersonate-sa', namespace: 'apps' }, rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] }] }],
    roleBindings: [{
      metadata: { name: 'ops-sa', namespace: 'apps' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'impersonate-sa' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }],
    }],
  }));
}

const impersonate = (who: UserInfo, headers: DistinctHeaders) => impersonatedUser(authorizer(), who, headers);

function forbidden(who: UserInfo, headers: DistinctHeaders): ImpersonationForbiddenError {
  try {
    impersonate(who, headers);
  } catch (err) {
    if (err instanceof ImpersonationForbiddenError) return err;
    throw err;
  }
  throw new Error('impersonation was allowed');
}

describe('impersonatedUser', () => {
  it('impersonation — no headers: nobody is impersonated', () => {
    expect(impersonate(nobody, { accept: ['application/json'] })).toBeUndefined();
  });

  it('impersonation — a user gets system:authenticated added', () => {
    expect(impersonate(admin, { 'impersonate-user': ['jane'] })).toEqual({ username: 'jane', groups: ['system:authenticated'] });
  });

  it('impersonation — groups given are kept, system:authenticated appended unless a system group is given', () => {
    expect(impersonate(ops, { 'impersonate-user': ['jane'], 'impersonate-group': ['devs'] })).toEqual({ username: 'jane', groups: ['devs', 'system:authenticated'] });
    expect(impersonate(admin, { 'impersonate-user': ['jane'], 'impersonate-group': ['system:unauthenticated'] })).toEqual({ username: 'jane', groups: ['system:unauthenticated'] });
    expect(impersonate(admin, { 'impersonate-user': ['system:anonymous'] })).toEqual({ username: 'system:anonymous', groups: ['system:unauthenticated'] });
  });

  it('impersonation — uid and extra (percent-decoded, lower-cased keys) are carried', () => {
    const u = impersonate(ops, { 'impersonate-user': ['jane'], 'impersonate-uid': ['u-1'], 'impersonate-extra-scopes': ['read', 'write'] });
    expect(u).toEqual({ username: 'jane', uid: 'u-1', groups: ['system:authenticated'], extra: { scopes: ['read', 'write'] } });
    expect(impersonate(admin, { 'impersonate-user': ['jane'], 'impersonate-extra-example.com%2fteam': ['a'] })?.extra).toEqual({ 'example.com/team': ['a'] });
  });

  it('impersonation — a service account is checked in its namespace and gets its two groups', () => {
    expect(impersonate(ops, { 'impersonate-user': ['system:serviceaccount:apps:deployer'] })).toEqual({
      username: 'system:serviceaccount:apps:deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated'],
    });
    expect(forbidden(ops, { 'impersonate-user': ['system:serviceaccount:other:deployer'] }).message).toBe(
      'serviceaccounts "deployer" is forbidden: User "ops" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "other"',
    );
  });

  it('impersonation — denials carry kube-apiserver\'s 403 wording for each kind', () => {
    const user = forbidden(nobody, { 'impersonate-user': ['jane'] });
    expect(user.status).toMatchObject({
      code: 403, reason: 'Forbidden', details: { name: 'jane', kind: 'users' },
      message: 'users "jane" is forbidden: User "nobody" cannot impersonate resource "users" in API group "" at the cluster scope',
    });
    expect(forbidden(ops, { 'impersonate-user': ['bob'] }).message).toContain('users "bob" is forbidden: User "ops" cannot impersonate');
    expect(forbidden(ops, { 'impersonate-user': ['jane'], 'impersonate-group': ['admins'] }).message).toBe(
      'groups "admins" is forbidden: User "ops" cannot impersonate resource "groups" in API group "" at the cluster scope',
    );
    expect(forbidden(ops, { 'impersonate-user': ['jane'], 'impersonate-extra-team': ['a'] }).message).toBe(
      'userextras.authentication.k8s.io "a" is forbidden: User "ops" cannot impersonate resource "userextras/team" in API group "authentication.k8s.io" at the cluster scope',
    );
    expect(forbidden(nobody, { 'impersonate-user': ['jane'] }).status.details).toEqual({ name: 'jane', kind: 'users' });
  });

  it('impersonation — groups, uid or extra without a user is refused before any authorization', () => {
    expect(() => impersonate(admin, { 'impersonate-group': ['devs'] })).toThrow(new InvalidImpersonationError('requested [{Group  devs    }] without impersonating a user'));
    expect(() => impersonate(admin, { 'impersonate-uid': ['u'] })).toThrow('requested [{UID  u  authentication.k8s.io/v1  }] without impersonating a user');
  });

  it('impersonation — service-account usernames split only when namespace and name are valid', () => {
    expect(splitServiceAccountUsername('system:serviceaccount:ns:name')).toEqual({ namespace: 'ns', name: 'name' });
    expect(splitServiceAccountUsername('system:serviceaccount:ns:a:b')).toBeUndefined();
    expect(splitServiceAccountUsername('system:serviceaccount:NS:name')).toBeUndefined();
    expect(splitServiceAccountUsername('system:serviceaccount::name')).toBeUndefined();
    expect(splitServiceAccountUsername('jane')).toBeUndefined();
  });
});
