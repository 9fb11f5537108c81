import type { SchemaSource } from './schema.js';

/** rbac.authorization.k8s.io/v1, scheduling.k8s.io/v1, policy/v1 and networking.k8s.io/v1 Ingress. */
export const POLICY_SCHEMA: SchemaSource = {
  Role: {
    1: 'metadata ObjectMeta',
    2: 'rules []PolicyRule',
  },
  ClusterRole: {
    1: 'metadata ObjectMeta',
    2: 'rules []PolicyRule',
    3: 'aggregationRule AggregationRule',
  },
  PolicyRule: {
    1: 'verbs []string',
    2: 'apiGroups []string',
    3: 'resources []string',
    4: 'resourceNames []string',
    5: 'nonResourceURLs []string',
  },
  AggregationRule: {
    1: 'clusterRoleSelectors []LabelSelector',
  },
  RoleBinding: {
    1: 'metadata ObjectMeta',
    2: 'subjects []Subject',
    3: 'roleRef RoleRef',
  },
  ClusterRoleBinding: {
    1: 'metadata ObjectMeta',
    2: 'subjects []Subject',
    3: 'roleRef RoleRef',
  },
  Subject: {
    1: 'kind *string',
    2: 'apiGroup string',
    3: 'name *string',
    4: 'namespace string',
  },
  RoleRef: {
    1: 'apiGroup *string',
    2: 'kind *string',
    3: 'name *string',
  },
  PriorityClass: {
    1: 'metadata ObjectMeta',
    2: 'value *int32',
    3: 'globalDefault bool',
    4: 'description string',
    5: 'preemptionPolicy *string',
  },
  PodDisruptionBudget: {
    1: 'metadata ObjectMeta',
    2: 'spec PodDisruptionBudgetSpec',
    3: 'status PodDisruptionBudgetStatus',
  },
  PodDisruptionBudgetSpec: {
    1: 'minAvailable IntOrString',
    2: 'selector LabelSelector',
    3: 'maxUnavailable IntOrString',
    4: 'unhealthyPodEvictionPolicy *string',
  },
  PodDisruptionBudgetStatus: {},
  Eviction: {
    1: 'metadata ObjectMeta',
    2: 'deleteOptions DeleteOptions',
  },
  Ingress: {
    1: 'metadata ObjectMeta',
    2: 'spec IngressSpec',
    3: 'status IngressStatus',
  },
  IngressSpec: {
    1: 'defaultBackend IngressBackend',
    2: 'tls []IngressTLS',
    3: 'rules []IngressRule',
    4: 'ingressClassName *string',
  },
  IngressBackend: {
    3: 'resource TypedLocalObjectReference',
    4: 'service IngressServiceBackend',
  },
  IngressServiceBackend: {
    1: 'name *string',
    2: 'port ServiceBackendPort',
  },
  ServiceBackendPort: {
    1: 'name string',
    2: 'number int32',
  },
  TypedLocalObjectReference: {
    1: 'apiGroup *string',
    2: 'kind *string',
    3: 'name *string',
  },
  IngressTLS: {
    1: 'hosts []string',
    2: 'secretName string',
  },
  IngressRule: {
    1: 'host string',
    2: 'ingressRuleValue ...IngressRuleValue',
  },
  IngressRuleValue: {
    1: 'http HTTPIngressRuleValue',
  },
  HTTPIngressRuleValue: {
    1: 'paths []HTTPIngressPath',
  },
  HTTPIngressPath: {
    1: 'path string',
    2: 'backend IngressBackend',
    3: 'pathType *string',
  },
  IngressStatus: {},
};
