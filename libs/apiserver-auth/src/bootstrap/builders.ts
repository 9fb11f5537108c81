import type { ClusterRole, ClusterRoleBinding, ObjectMeta, PolicyRule, Role, RoleBinding, Subject } from '../authz/types.js';

/** The label and annotation kube-apiserver puts on every object of its bootstrap policy. */
export const bootstrapLabels: Readonly<Record<string, string>> = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const bootstrapAnnotations: Readonly<Record<string, string>> = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

export const legacyGroup = '';
export const appsGroup = 'apps';
export const authenticationGroup = 'authentication.k8s.io';
export const authorizationGroup = 'authorization.k8s.io';
export const autoscalingGroup = 'autoscaling';
export const batchGroup = 'batch';
export const certificatesGroup = 'certificates.k8s.io';
export const coordinationGroup = 'coordination.k8s.io';
export const discoveryGroup = 'discovery.k8s.io';
export const eventsGroup = 'events.k8s.io';
export const extensionsGroup = 'extensions';
export const networkingGroup = 'networking.k8s.io';
export const nodeGroup = 'node.k8s.io';
export const policyGroup = 'policy';
export const rbacGroup = 'rbac.authorization.k8s.io';
export const storageGroup = 'storage.k8s.io';

export const Read = ['get', 'list', 'watch'] as const;
export const Write = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const ReadWrite = [...Read, ...Write] as const;
export const ReadUpdate = ['get', 'list', 'watch', 'update', 'patch'] as const;

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** A resource rule; lists are sorted as rbacv1helpers' PolicyRuleBuilder does. */
export function rule(verbs: readonly string[], groups: readonly string[], resources: readonly string[], names?: readonly string[]): PolicyRule {
  return {
    verbs: sorted(verbs),
    apiGroups: sorted(groups),
    resources: sorted(resources),
    ...(names && names.length > 0 ? { resourceNames: sorted(names) } : {}),
  };
}

export function urlRule(verbs: readonly string[], urls: readonly string[]): PolicyRule {
  return { verbs: sorted(verbs), nonResourceURLs: sorted(urls) };
}

/** create/update/patch on events, core and events.k8s.io (bootstrappolicy's eventsRule). */
export function eventsRule(): PolicyRule {
  return rule(['create', 'update', 'patch'], [legacyGroup, eventsGroup], ['events']);
}

function meta(name: string, namespace?: string, extraLabels?: Record<string, string>): ObjectMeta {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...bootstrapLabels, ...extraLabels },
    annotations: { ...bootstrapAnnotations },
  };
}

export function clusterRole(name: string, rules: readonly PolicyRule[], extraLabels?: Record<string, string>): ClusterRole {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, undefined, extraLabels), rules };
}

export function role(namespace: string, name: string, rules: readonly PolicyRule[]): Role {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(name, namespace), rules };
}

export const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', apiGroup: rbacGroup, name }));
export const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', apiGroup: rbacGroup, name }));
export const serviceAccounts = (namespace: string, ...names: string[]): Subject[] =>
  names.map((name) => ({ kind: 'ServiceAccount', name, namespace }));

/** A ClusterRoleBinding named like its ClusterRole (rbacv1helpers.NewClusterBinding). */
export function clusterRoleBinding(roleName: string, subjects: readonly Subject[]): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(roleName),
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

export function roleBinding(namespace: string, name: string, roleName: string, subjects: readonly Subject[]): RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(name, namespace),
    roleRef: { apiGroup: rbacGroup, kind: 'Role', name: roleName },
    subjects,
  };
}
