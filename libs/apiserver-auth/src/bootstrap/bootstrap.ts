import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../authz/types.js';
import { cloudControllerManagerUsername, kubeControllerManagerUsername, kubeSchedulerUsername } from '../user.js';
import {
  clusterRole,
  clusterRoleBinding,
  coordinationGroup,
  eventsRule,
  legacyGroup,
  role,
  roleBinding,
  rule,
  serviceAccounts,
  users,
} from './builders.js';
import { bootstrapControllerPolicy } from './controller-policy.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './policy.js';

/** Everything the apiserver creates at startup, in creation order (roles before the bindings to them). */
export interface BootstrapPolicy {
  readonly clusterRoles: readonly ClusterRole[];
  readonly clusterRoleBindings: readonly ClusterRoleBinding[];
  readonly roles: readonly Role[];
  readonly roleBindings: readonly RoleBinding[];
}

/** kube-system Roles and RoleBindings of bootstrappolicy/namespace_policy.go that the lab's components use. */
function namespacePolicy(): { roles: Role[]; roleBindings: RoleBinding[] } {
  const ns = 'kube-system';
  return {
    roles: [
      role(ns, 'extension-apiserver-authentication-reader', [
        rule(['get', 'list', 'watch'], [legacyGroup], ['configmaps'], ['extension-apiserver-authentication']),
      ]),
      role(ns, 'system::leader-locking-kube-controller-manager', [
        rule(['watch'], [legacyGroup], ['configmaps']),
        rule(['get', 'update'], [legacyGroup], ['configmaps'], ['kube-controller-manager']),
      ]),
      role(ns, 'system::leader-locking-kube-scheduler', [
        rule(['watch'], [legacyGroup], ['configmaps']),
        rule(['get', 'update'], [legacyGroup], ['configmaps'], ['kube-scheduler']),
      ]),
    ],
    roleBindings: [
      roleBinding(ns, 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', users(kubeControllerManagerUsername, kubeSchedulerUsername)),
      roleBinding(ns, 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', [
        ...users(kubeControllerManagerUsername),
        ...serviceAccounts(ns, 'kube-controller-manager'),
      ]),
      roleBinding(ns, 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', [
        ...users(kubeSchedulerUsername),
        ...serviceAccounts(ns, 'kube-scheduler'),
      ]),
    ],
  };
}

/**
 * What EKS adds for its control-plane-hosted cloud controller manager: ClusterRole and binding
 * `eks:cloud-controller-manager` for the user of that name. Rules follow the upstream cloud-provider's
 * `system:cloud-controller-manager` manifest (nodes, services + status for load balancers, events, its
 * leader lease). Not part of kube-apiserver's bootstrap policy; labelled the same so it is reconciled alike.
 */
export function eksClusterRoles(): { clusterRoles: ClusterRole[]; clusterRoleBindings: ClusterRoleBinding[] } {
  const name = cloudControllerManagerUsername;
  return {
    clusterRoles: [
      clusterRole(name, [
        eventsRule(),
        rule(['*'], [legacyGroup], ['nodes']),
        rule(['patch', 'update'], [legacyGroup], ['nodes/status']),
        rule(['list', 'watch', 'patch', 'update'], [legacyGroup], ['services']),
        rule(['list', 'watch', 'patch', 'update'], [legacyGroup], ['services/status']),
        rule(['create', 'get', 'list', 'watch', 'update'], [legacyGroup], ['serviceaccounts']),
        rule(['create'], [legacyGroup], ['serviceaccounts/token']),
        rule(['get', 'list', 'watch', 'update'], [legacyGroup], ['persistentvolumes']),
        rule(['create', 'get', 'list', 'watch', 'update'], [legacyGroup], ['endpoints']),
        rule(['create', 'get', 'list', 'watch', 'update'], [coordinationGroup], ['leases']),
      ]),
    ],
    clusterRoleBindings: [clusterRoleBinding(name, users(name))],
  };
}

/**
 * The lab's whole startup RBAC policy: kube-apiserver's bootstrap roles and bindings (incl. the
 * `system:controller:*` roles of our controllers and kube-system's namespace roles) plus EKS's
 * cloud-controller-manager role. Objects carry `kubernetes.io/bootstrapping: rbac-defaults` and
 * `rbac.authorization.kubernetes.io/autoupdate: "true"`. Fresh objects on every call (safe to mutate).
 */
export function bootstrapPolicy(): BootstrapPolicy {
  const controllers = bootstrapControllerPolicy();
  const eks = eksClusterRoles();
  const namespaced = namespacePolicy();
  return {
    clusterRoles: [...bootstrapClusterRoles(), ...controllers.clusterRoles, ...eks.clusterRoles],
    clusterRoleBindings: [...bootstrapClusterRoleBindings(), ...controllers.clusterRoleBindings, ...eks.clusterRoleBindings],
    roles: namespaced.roles,
    roleBindings: namespaced.roleBindings,
  };
}
