import { describe, expect, it } from 'vitest';
import { bootstrapPolicy } from '../bootstrap/bootstrap.js';
import { nodeUser } from '../user.js';
import { Authorizer } from './authorizer.js';
import { subjectRulesReview } from './rules-review.js';
import { InMemoryRbacSource } from './source.js';

const alice = { username: 'alice', groups: ['team-a', 'system:authenticated'] };

function source(): InMemoryRbacSource {
  const subject = (kind: string, name: string) => [{ kind, apiGroup: 'rbac.authorization.k8s.io', name }];
  const ref = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
  return new InMemoryRbacSource({
    clusterRoles: [
      { metadata: { name: 'reader' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] }] },
      { metadata: { name: 'health' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }] },
      { metadata: { name: 'both' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], nonResourceURLs: ['*'] }] },
    ],
    clusterRoleBindings: [
      { metadata: { name: 'alice-health' }, roleRef: ref('ClusterRole', 'health'), subjects: subject('User', 'alice') },
      { metadata: { name: 'others-both' }, roleRef: ref('ClusterRole', 'both'), subjects: subject('User', 'bob') },
    ],
    roles: [{ metadata: { name: 'cm-one', namespace: 'dev' }, rules: [{ verbs: ['update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }] }],
    roleBindings: [
      { metadata: { name: 'team-read', namespace: 'dev' }, roleRef: ref('ClusterRole', 'reader'), subjects: subject('Group', 'team-a') },
      { metadata: { name: 'alice-cm', namespace: 'dev' }, roleRef: ref('Role', 'cm-one'), subjects: subject('User', 'alice') },
      { metadata: { name: 'alice-prod', namespace: 'prod' }, roleRef: ref('ClusterRole', 'reader'), subjects: subject('User', 'alice') },
      { metadata: { name: 'dangling', namespace: 'dev' }, roleRef: ref('Role', 'gone'), subjects: subject('User', 'alice') },
    ],
  });
}

describe('subjectRulesReview', () => {
  it('rule resolver — cluster-wide rules then the namespace\'s, split into resource and non-resource rules', () => {
    const status = subjectRulesReview(source(), alice, 'dev');
    expect(status.resourceRules).toEqual([
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
      { verbs: ['update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] },
    ]);
    expect(status.nonResourceRules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }]);
    expect(status.incomplete).toBe(false);
    expect(status.evaluationError).toBe('role.rbac.authorization.k8s.io "gone" not found');
  });

  it('rule resolver — other namespaces\' bindings do not leak in; an unknown namespace has only cluster rules', () => {
    const status = subjectRulesReview(source(), alice, 'staging');
    expect(status).toEqual({ resourceRules: [], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }], incomplete: false });
  });

  it('rule resolver — a rule with resources and URLs appears in both lists', () => {
    const status = subjectRulesReview(source(), { username: 'bob', groups: [] }, 'dev');
    expect(status.resourceRules).toEqual([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    expect(status.nonResourceRules).toEqual([{ verbs: ['*'], nonResourceURLs: ['*'] }]);
  });

  it('rule resolver — nodes get an incomplete answer with the Node authorizer\'s error', () => {
    const node = { ...nodeUser('n1'), groups: ['system:nodes', 'system:authenticated'] };
    const status = new Authorizer(new InMemoryRbacSource(bootstrapPolicy())).rulesFor(node, 'default');
    expect(status.incomplete).toBe(true);
    expect(status.evaluationError).toBe('node authorizer does not support user rule resolution');
    // RBAC still lists what system:authenticated is bound to (the system:node binding has no subjects).
    expect(status.resourceRules.some((r) => r.resources?.includes('selfsubjectaccessreviews'))).toBe(true);
  });

  it('rule resolver — system:masters sees cluster-admin\'s wildcard rules from the bootstrap binding', () => {
    const status = new Authorizer(new InMemoryRbacSource(bootstrapPolicy())).rulesFor({ username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }, 'default');
    expect(status.resourceRules).toContainEqual({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    expect(status.nonResourceRules).toContainEqual({ verbs: ['*'], nonResourceURLs: ['*'] });
  });
});
