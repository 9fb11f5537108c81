// kube-apiserver's bootstrap ClusterRoles and ClusterRoleBindings (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go, Kubernetes 1.30-era), reduced to the roles the lab uses. Rules are data,
// not code: the apiserver creates these objects in etcd at startup.
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from '../authz/types.js';
import {
  kubeControllerManagerUsername,
  kubeProxyUsername,
  kubeSchedulerUsername,
  allAuthenticatedGroup,
  allServiceAccountsGroup,
  allUnauthenticatedGroup,
  monitoringGroup,
  systemMastersGroup,
} from '../user.js';
import { aggregatedClusterRoles } from './aggregated.js';
import {
  Read,
  ReadUpdate,
  authenticationGroup,
  authorizationGroup,
  certificatesGroup,
  clusterRole,
  clusterRoleBinding,
  coordinationGroup,
  discoveryGroup,
  eventsRule,
  extensionsGroup,
  appsGroup,
  groups,
  legacyGroup,
  nodeGroup,
  policyGroup,
  rule,
  serviceAccounts,
  storageGroup,
  urlRule,
  users,
} from './builders.js';

/** The rules of `system:node`; the Node authorizer evaluates them for `system:node:<name>` users. */
export function nodeRules(): PolicyRule[] {
  return [
    // Needed to check API access. These creates are non-mutating.
    rule(['create'], [authenticationGroup], ['tokenreviews']),
    rule(['create'], [authorizationGroup], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    // Needed to build serviceLister, to populate env vars for services.
    rule(Read, [legacyGroup], ['services']),
    // Nodes can register Node API objects and report status (NodeRestriction limits them to their own).
    rule(['create', 'get', 'list', 'watch'], [legacyGroup], ['nodes']),
    rule(['update', 'patch'], [legacyGroup], ['nodes/status']),
    rule(['update', 'patch'], [legacyGroup], ['nodes']),
    eventsRule(),
    rule(Read, [legacyGroup], ['pods']),
    // Mirror pods, pod status, evictions.
    rule(['create', 'delete'], [legacyGroup], ['pods']),
    rule(['update', 'patch'], [legacyGroup], ['pods/status']),
    rule(['create'], [legacyGroup], ['pods/eviction']),
    // Secrets, configmaps, volumes: the Node authorizer limits these to objects its pods reference.
    rule(['get', 'list', 'watch'], [legacyGroup], ['secrets', 'configmaps']),
    rule(['get'], [legacyGroup], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [legacyGroup], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], [certificatesGroup], ['certificatesigningrequests']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [coordinationGroup], ['leases']),
    rule(['get'], [storageGroup], ['volumeattachments']),
    rule(['get', 'update', 'patch'], [legacyGroup], ['persistentvolumeclaims/status']),
    rule(['create'], [legacyGroup], ['serviceaccounts/token']),
    rule(['get', 'watch', 'list'], [storageGroup], ['csidrivers']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [storageGroup], ['csinodes']),
    rule(['get', 'list', 'watch'], [nodeGroup], ['runtimeclasses']),
  ];
}

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    // A "root" role which can do absolutely anything.
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    // Just enough to determine if the server is ready and discover API versions for negotiation.
    clusterRole('system:discovery', [
      urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*']),
    ]),
    // Minimal access for a "normal" user to learn about themselves.
    clusterRole('system:basic-user', [
      rule(['create'], [authorizationGroup], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [authenticationGroup], ['selfsubjectreviews']),
    ]),
    // Insensitive cluster information, readable without credentials.
    clusterRole('system:public-info-viewer', [urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    // Read access to the monitoring endpoints.
    clusterRole('system:monitoring', [
      urlRule(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*']),
    ]),
    ...aggregatedClusterRoles(),
    clusterRole('system:node', nodeRules()),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [legacyGroup], ['services', 'endpoints']),
      rule(['get', 'list', 'watch'], [legacyGroup], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], [discoveryGroup], ['endpointslices']),
    ]),
    // Authentication and authorization delegation.
    clusterRole('system:auth-delegator', [
      rule(['create'], [authenticationGroup], ['tokenreviews']),
      rule(['create'], [authorizationGroup], ['subjectaccessreviews']),
    ]),
    // Bootstraps kube-controller-manager: shared informers, service accounts and its own leader lease.
    // Each controller acts with its own `system:controller:*` role (see controller-policy.ts).
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      rule(['create'], [coordinationGroup], ['leases']),
      rule(['get', 'update'], [coordinationGroup], ['leases'], ['kube-controller-manager']),
      rule(['create'], [legacyGroup], ['secrets', 'serviceaccounts']),
      rule(['delete'], [legacyGroup], ['secrets']),
      rule(['get'], [legacyGroup], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], [legacyGroup], ['secrets', 'serviceaccounts']),
      rule(['create'], [authenticationGroup], ['tokenreviews']),
      rule(['create'], [authorizationGroup], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [legacyGroup], ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], [legacyGroup], ['endpoints', 'services'])]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      // Leader lease.
      rule(['create'], [coordinationGroup], ['leases']),
      rule(['get', 'update'], [coordinationGroup], ['leases'], ['kube-scheduler']),
      // Fundamental resources.
      rule(Read, [legacyGroup], ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], [legacyGroup], ['pods']),
      rule(['create'], [legacyGroup], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [legacyGroup], ['pods/status']),
      // Things that select pods.
      rule(Read, [legacyGroup], ['services', 'replicationcontrollers']),
      rule(Read, [appsGroup, extensionsGroup], ['replicasets']),
      rule(Read, [appsGroup], ['statefulsets']),
      // Things that pods use or that apply to them.
      rule(Read, [policyGroup], ['poddisruptionbudgets']),
      rule(Read, [legacyGroup], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], [authenticationGroup], ['tokenreviews']),
      rule(['create'], [authorizationGroup], ['subjectaccessreviews']),
      rule(Read, [storageGroup], ['csinodes']),
      // Pod affinity's namespaceSelector.
      rule(Read, [legacyGroup], ['namespaces']),
      rule(Read, [storageGroup], ['csidrivers']),
      rule(Read, [storageGroup], ['csistoragecapacities']),
    ]),
    clusterRole('system:volume-scheduler', [
      rule(ReadUpdate, [legacyGroup], ['persistentvolumes']),
      rule(Read, [storageGroup], ['storageclasses']),
      rule(ReadUpdate, [legacyGroup], ['persistentvolumeclaims']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urlRule(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
  ];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', groups(systemMastersGroup)),
    clusterRoleBinding('system:monitoring', groups(monitoringGroup)),
    clusterRoleBinding('system:discovery', groups(allAuthenticatedGroup)),
    clusterRoleBinding('system:basic-user', groups(allAuthenticatedGroup)),
    clusterRoleBinding('system:public-info-viewer', groups(allAuthenticatedGroup, allUnauthenticatedGroup)),
    clusterRoleBinding('system:node-proxier', users(kubeProxyUsername)),
    clusterRoleBinding('system:kube-controller-manager', users(kubeControllerManagerUsername)),
    clusterRoleBinding('system:kube-dns', serviceAccounts('kube-system', 'kube-dns')),
    clusterRoleBinding('system:kube-scheduler', users(kubeSchedulerUsername)),
    clusterRoleBinding('system:volume-scheduler', users(kubeSchedulerUsername)),
    // Deprecated since 1.7 in favour of the Node authorizer: kept with no subjects, as upstream does.
    clusterRoleBinding('system:node', []),
    clusterRoleBinding('system:service-account-issuer-discovery', groups(allServiceAccountsGroup)),
  ];
}
