import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './types.js';

/**
 * Where the RBAC authorizer reads roles and bindings (client-go's RBAC listers). The apiserver backs it by
 * its watch cache. Calls are synchronous and made on every authorization, so they must be cheap reads of
 * memory; the optional point lookups let an implementation avoid scanning lists.
 */
export interface RbacSource {
  clusterRoles(): readonly ClusterRole[];
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  roles(namespace: string): readonly Role[];
  roleBindings(namespace: string): readonly RoleBinding[];
  clusterRole?(name: string): ClusterRole | undefined;
  role?(namespace: string, name: string): Role | undefined;
}

type RbacObject = ClusterRole | ClusterRoleBinding | Role | RoleBinding;
type RbacKind = 'ClusterRole' | 'ClusterRoleBinding' | 'Role' | 'RoleBinding';

/** An in-memory RbacSource (tests, and a simple cache the apiserver can fill from a watch). */
export class InMemoryRbacSource implements RbacSource {
  private readonly clusterRoleMap = new Map<string, ClusterRole>();
  private readonly clusterRoleBindingMap = new Map<string, ClusterRoleBinding>();
  private readonly roleMap = new Map<string, Map<string, Role>>();
  private readonly roleBindingMap = new Map<string, Map<string, RoleBinding>>();

  constructor(objects: {
    clusterRoles?: readonly ClusterRole[];
    clusterRoleBindings?: readonly ClusterRoleBinding[];
    roles?: readonly Role[];
    roleBindings?: readonly RoleBinding[];
  } = {}) {
    for (const o of objects.clusterRoles ?? []) this.put('ClusterRole', o);
    for (const o of objects.clusterRoleBindings ?? []) this.put('ClusterRoleBinding', o);
    for (const o of objects.roles ?? []) this.put('Role', o);
    for (const o of objects.roleBindings ?? []) this.put('RoleBinding', o);
  }

  /** Adds or replaces an object (namespaced kinds by `metadata.namespace`). */
  put(kind: RbacKind, object: RbacObject): void {
    const { name, namespace = '' } = object.metadata;
    switch (kind) {
      case 'ClusterRole':
        this.clusterRoleMap.set(name, object as ClusterRole);
        return;
      case 'ClusterRoleBinding':
        this.clusterRoleBindingMap.set(name, object as ClusterRoleBinding);
        return;
      case 'Role':
        inNamespace(this.roleMap, namespace).set(name, object as Role);
        return;
      case 'RoleBinding':
        inNamespace(this.roleBindingMap, namespace).set(name, object as RoleBinding);
        return;
    }
  }

  delete(kind: RbacKind, name: string, namespace = ''): void {
    switch (kind) {
      case 'ClusterRole':
        this.clusterRoleMap.delete(name);
        return;
      case 'ClusterRoleBinding':
        this.clusterRoleBindingMap.delete(name);
        return;
      case 'Role':
        this.roleMap.get(namespace)?.delete(name);
        return;
      case 'RoleBinding':
        this.roleBindingMap.get(namespace)?.delete(name);
        return;
    }
  }

  clusterRoles(): readonly ClusterRole[] {
    return [...this.clusterRoleMap.values()];
  }
  clusterRoleBindings(): readonly ClusterRoleBinding[] {
    return [...this.clusterRoleBindingMap.values()];
  }
  roles(namespace: string): readonly Role[] {
    return [...(this.roleMap.get(namespace)?.values() ?? [])];
  }
  roleBindings(namespace: string): readonly RoleBinding[] {
    return [...(this.roleBindingMap.get(namespace)?.values() ?? [])];
  }
  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoleMap.get(name);
  }
  role(namespace: string, name: string): Role | undefined {
    return this.roleMap.get(namespace)?.get(name);
  }
}

function inNamespace<T>(map: Map<string, Map<string, T>>, namespace: string): Map<string, T> {
  let m = map.get(namespace);
  if (!m) {
    m = new Map();
    map.set(namespace, m);
  }
  return m;
}
