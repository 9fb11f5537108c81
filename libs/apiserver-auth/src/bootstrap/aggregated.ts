// The user-facing roles admin / edit / view and the system:aggregate-to-* roles they aggregate
// (bootstrappolicy/policy.go). Upstream creates admin/edit/view with only an aggregationRule and lets the
// clusterrole-aggregation controller fill `rules`. The lab has no such controller, so the objects here
// carry both: the aggregationRule, and the rules that controller would compute from the bootstrap roles.
// Hazard: a ClusterRole added later with an aggregate-to-* label is NOT folded in.
import type { ClusterRole, PolicyRule } from '../authz/types.js';
import {
  Read,
  ReadWrite,
  Write,
  appsGroup,
  authorizationGroup,
  autoscalingGroup,
  batchGroup,
  clusterRole,
  coordinationGroup,
  discoveryGroup,
  extensionsGroup,
  legacyGroup,
  networkingGroup,
  policyGroup,
  rbacGroup,
  rule,
} from './builders.js';

const aggregateTo = (target: 'admin' | 'edit' | 'view'): Record<string, string> => ({
  [`rbac.authorization.k8s.io/aggregate-to-${target}`]: 'true',
});

function aggregateToAdminRules(): PolicyRule[] {
  return [
    rule(['create'], [authorizationGroup], ['localsubjectaccessreviews']),
    rule(ReadWrite, [rbacGroup], ['roles', 'rolebindings']),
  ];
}

function aggregateToEditRules(): PolicyRule[] {
  return [
    // Read on escalating resources.
    rule(Read, [legacyGroup], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
    rule(['impersonate'], [legacyGroup], ['serviceaccounts']),
    rule(Write, [legacyGroup], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
    rule(['create'], [legacyGroup], ['pods/eviction']),
    rule(Write, [legacyGroup], [
      'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
      'persistentvolumeclaims', 'configmaps', 'secrets', 'events',
    ]),
    rule(['create'], [legacyGroup], ['serviceaccounts/token']),
    rule(Write, [appsGroup], [
      'statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback',
      'replicasets', 'replicasets/scale',
    ]),
    rule(Write, [autoscalingGroup], ['horizontalpodautoscalers']),
    rule(Write, [batchGroup], ['jobs', 'cronjobs']),
    rule(Write, [extensionsGroup], [
      'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets',
      'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies',
    ]),
    rule(Write, [policyGroup], ['poddisruptionbudgets']),
    rule(Write, [networkingGroup], ['networkpolicies', 'ingresses']),
    rule(ReadWrite, [coordinationGroup], ['leases']),
  ];
}

function aggregateToViewRules(): PolicyRule[] {
  return [
    rule(Read, [legacyGroup], [
      'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status',
      'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps',
    ]),
    rule(Read, [legacyGroup], [
      'limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status',
      'replicationcontrollers/status', 'pods/log',
    ]),
    // Reading namespaces at namespace scope means reading *this* namespace.
    rule(Read, [legacyGroup], ['namespaces']),
    rule(Read, [discoveryGroup], ['endpointslices']),
    rule(Read, [appsGroup], [
      'controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status',
      'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale',
    ]),
    rule(Read, [autoscalingGroup], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(Read, [batchGroup], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
    rule(Read, [extensionsGroup], [
      'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses',
      'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale',
      'networkpolicies',
    ]),
    rule(Read, [policyGroup], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(Read, [networkingGroup], ['networkpolicies', 'ingresses', 'ingresses/status']),
  ];
}

function aggregated(name: string, selectorTarget: 'admin' | 'edit' | 'view', rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  const base = clusterRole(name, rules, labels);
  return { ...base, aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateTo(selectorTarget) }] } };
}

export function aggregatedClusterRoles(): ClusterRole[] {
  const view = aggregateToViewRules();
  const edit = [...view, ...aggregateToEditRules()];
  const admin = [...edit, ...aggregateToAdminRules()];
  return [
    aggregated('admin', 'admin', admin),
    aggregated('edit', 'edit', edit, aggregateTo('admin')),
    aggregated('view', 'view', view, aggregateTo('edit')),
    clusterRole('system:aggregate-to-admin', aggregateToAdminRules(), aggregateTo('admin')),
    clusterRole('system:aggregate-to-edit', aggregateToEditRules(), aggregateTo('edit')),
    clusterRole('system:aggregate-to-view', aggregateToViewRules(), aggregateTo('view')),
  ];
}
