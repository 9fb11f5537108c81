// The per-controller roles `system:controller:<name>` (bootstrappolicy/controller_policy.go) for the
// controllers our controller-manager runs, each bound to the service account kube-system/<name>.
import type { ClusterRole, ClusterRoleBinding } from '../authz/types.js';
import {
  appsGroup,
  batchGroup,
  clusterRole,
  clusterRoleBinding,
  discoveryGroup,
  eventsRule,
  extensionsGroup,
  legacyGroup,
  rule,
  serviceAccounts,
} from './builders.js';

export const controllerRolePrefix = 'system:controller:';

function controllerRoles(): ClusterRole[] {
  const role = (name: string, rules: Parameters<typeof clusterRole>[1]): ClusterRole => clusterRole(controllerRolePrefix + name, rules);
  return [
    role('daemon-set-controller', [
      rule(['get', 'list', 'watch'], [extensionsGroup, appsGroup], ['daemonsets']),
      rule(['update'], [extensionsGroup, appsGroup], ['daemonsets/status']),
      rule(['update'], [extensionsGroup, appsGroup], ['daemonsets/finalizers']),
      rule(['list', 'watch'], [legacyGroup], ['nodes']),
      rule(['list', 'watch', 'create', 'delete', 'patch'], [legacyGroup], ['pods']),
      rule(['create'], [legacyGroup], ['pods/binding']),
      rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], [appsGroup], ['controllerrevisions']),
      eventsRule(),
    ]),
    role('deployment-controller', [
      rule(['get', 'list', 'watch', 'update'], [extensionsGroup, appsGroup], ['deployments']),
      rule(['update'], [extensionsGroup, appsGroup], ['deployments/status']),
      rule(['update'], [extensionsGroup, appsGroup], ['deployments/finalizers']),
      rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], [appsGroup, extensionsGroup], ['replicasets']),
      // "update" stays until kubernetes/kubernetes#36897 is resolved (upstream's note).
      rule(['get', 'list', 'watch', 'update'], [legacyGroup], ['pods']),
      eventsRule(),
    ]),
    role('endpoint-controller', [
      rule(['get', 'list', 'watch'], [legacyGroup], ['services', 'pods']),
      rule(['get', 'list', 'create', 'update', 'delete'], [legacyGroup], ['endpoints']),
      rule(['create'], [legacyGroup], ['endpoints/restricted']),
      eventsRule(),
    ]),
    role('generic-garbage-collector', [
      // list/watch, selective gets and updates against any resource.
      rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']),
      eventsRule(),
    ]),
    role('job-controller', [
      rule(['get', 'list', 'watch', 'update', 'patch'], [batchGroup], ['jobs']),
      rule(['update'], [batchGroup], ['jobs/status']),
      rule(['update'], [batchGroup], ['jobs/finalizers']),
      rule(['list', 'watch', 'create', 'delete', 'patch'], [legacyGroup], ['pods']),
      eventsRule(),
    ]),
    role('namespace-controller', [
      rule(['get', 'list', 'watch', 'delete'], [legacyGroup], ['namespaces']),
      rule(['update'], [legacyGroup], ['namespaces/finalize', 'namespaces/status']),
      rule(['get', 'list', 'delete', 'deletecollection'], ['*'], ['*']),
    ]),
    role('node-controller', [
      rule(['get', 'list', 'update', 'delete', 'patch'], [legacyGroup], ['nodes']),
      rule(['patch', 'update'], [legacyGroup], ['nodes/status']),
      // Pod deletion and marking pods not ready on unhealthy nodes.
      rule(['patch', 'update'], [legacyGroup], ['pods/status']),
      rule(['list', 'get', 'delete'], [legacyGroup], ['pods']),
      eventsRule(),
    ]),
    role('replicaset-controller', [
      rule(['get', 'list', 'watch', 'update'], [appsGroup, extensionsGroup], ['replicasets']),
      rule(['update'], [appsGroup, extensionsGroup], ['replicasets/status']),
      rule(['update'], [appsGroup, extensionsGroup], ['replicasets/finalizers']),
      rule(['list', 'watch', 'patch', 'create', 'delete'], [legacyGroup], ['pods']),
      eventsRule(),
    ]),
    role('service-account-controller', [rule(['create'], [legacyGroup], ['serviceaccounts']), eventsRule()]),
    role('cronjob-controller', [
      rule(['get', 'list', 'watch', 'update'], [batchGroup], ['cronjobs']),
      rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], [batchGroup], ['jobs']),
      rule(['update'], [batchGroup], ['cronjobs/status']),
      rule(['update'], [batchGroup], ['cronjobs/finalizers']),
      rule(['list', 'delete'], [legacyGroup], ['pods']),
      eventsRule(),
    ]),
    role('endpointslice-controller', [
      rule(['get', 'list', 'watch'], [legacyGroup], ['services', 'pods', 'nodes']),
      // The OwnerReferencesPermissionEnforcement admission plugin needs this to set blockOwnerDeletion.
      rule(['update'], [legacyGroup], ['services/finalizers']),
      rule(['get', 'list', 'create', 'update', 'delete'], [discoveryGroup], ['endpointslices']),
      eventsRule(),
    ]),
    role('pod-garbage-collector', [
      rule(['list', 'watch', 'delete'], [legacyGroup], ['pods']),
      rule(['get', 'list'], [legacyGroup], ['nodes']),
      rule(['patch'], [legacyGroup], ['pods/status']),
    ]),
    role('ttl-after-finished-controller', [rule(['get', 'list', 'watch', 'delete'], [batchGroup], ['jobs']), eventsRule()]),
    role('root-ca-cert-publisher', [rule(['create', 'update'], [legacyGroup], ['configmaps']), eventsRule()]),
  ];
}

/** The controller roles and, for each, a ClusterRoleBinding to ServiceAccount kube-system/<controller>. */
export function bootstrapControllerPolicy(): { clusterRoles: ClusterRole[]; clusterRoleBindings: ClusterRoleBinding[] } {
  const clusterRoles = controllerRoles();
  const clusterRoleBindings = clusterRoles.map((r) =>
    clusterRoleBinding(r.metadata.name, serviceAccounts('kube-system', r.metadata.name.slice(controllerRolePrefix.length))),
  );
  return { clusterRoles, clusterRoleBindings };
}
