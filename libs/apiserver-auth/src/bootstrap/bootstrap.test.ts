import { describe, expect, it } from 'vitest';
import { labControllerNames } from '../authn/lab-tokens.js';
import { bootstrapPolicy } from './bootstrap.js';

describe('bootstrapPolicy', () => {
  const policy = bootstrapPolicy();
  const all = [...policy.clusterRoles, ...policy.clusterRoleBindings, ...policy.roles, ...policy.roleBindings];

  it('metadata — every object has the rbac-defaults label and the autoupdate annotation', () => {
    for (const o of all) {
      expect(o.metadata.labels?.['kubernetes.io/bootstrapping'], o.metadata.name).toBe('rbac-defaults');
      expect(o.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], o.metadata.name).toBe('true');
    }
  });

  it('names — unique per kind and namespace', () => {
    const keys = all.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('bindings — every roleRef names a role in the policy', () => {
    const clusterRoles = new Set(policy.clusterRoles.map((r) => r.metadata.name));
    for (const b of policy.clusterRoleBindings) expect(clusterRoles.has(b.roleRef.name), b.metadata.name).toBe(true);
    for (const b of policy.roleBindings) {
      const exists = policy.roles.some((r) => r.metadata.name === b.roleRef.name && r.metadata.namespace === b.metadata.namespace);
      expect(exists, b.metadata.name).toBe(true);
    }
  });

  it.each([
    'cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer',
    'system:kube-scheduler', 'system:kube-controller-manager', 'system:node', 'system:node-proxier', 'system:monitoring',
    'system:auth-delegator', 'system:volume-scheduler', 'eks:cloud-controller-manager',
    ...labControllerNames.map((c) => `system:controller:${c}`),
  ])('roles — %s is present', (name) => {
    expect(policy.clusterRoles.some((r) => r.metadata.name === name)).toBe(true);
  });

  it('aggregation — view ⊂ edit ⊂ admin, precomputed', () => {
    const rules = (n: string) => policy.clusterRoles.find((r) => r.metadata.name === n)!.rules!;
    expect(rules('edit')).toEqual(expect.arrayContaining([...rules('view')]));
    expect(rules('admin')).toEqual(expect.arrayContaining([...rules('edit')]));
    expect(policy.clusterRoles.find((r) => r.metadata.name === 'view')!.aggregationRule).toBeDefined();
  });

  it('json — serializable as is', () => {
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
  });
});
