import type { SchemaSource } from './schema.js';

/** core/v1 objects other than the pod spec (k8s.io/api/core/v1/generated.proto). Status tables are opaque (see schema.ts). */
export const CORE_SCHEMA: SchemaSource = {
  Namespace: {
    1: 'metadata ObjectMeta',
    2: 'spec NamespaceSpec',
    3: 'status NamespaceStatus',
  },
  NamespaceSpec: {
    1: 'finalizers []string',
  },
  NamespaceStatus: {},
  ConfigMap: {
    1: 'metadata ObjectMeta',
    2: 'data map[string]',
    3: 'binaryData map[bytes]',
    4: 'immutable *bool',
  },
  Secret: {
    1: 'metadata ObjectMeta',
    2: 'data map[bytes]',
    3: 'type string',
    4: 'stringData map[string]',
    5: 'immutable *bool',
  },
  ServiceAccount: {
    1: 'metadata ObjectMeta',
    2: 'secrets []ObjectReference',
    3: 'imagePullSecrets []LocalObjectReference',
    4: 'automountServiceAccountToken *bool',
  },
  ObjectReference: {
    1: 'kind string',
    2: 'namespace string',
    3: 'name string',
    4: 'uid string',
    5: 'apiVersion string',
    6: 'resourceVersion string',
    7: 'fieldPath string',
  },
  LocalObjectReference: {
    1: 'name string',
  },
  Service: {
    1: 'metadata ObjectMeta',
    2: 'spec ServiceSpec',
    3: 'status ServiceStatus',
  },
  ServiceSpec: {
    1: 'ports []ServicePort',
    2: 'selector map[string]',
    3: 'clusterIP string',
    4: 'type string',
    5: 'externalIPs []string',
    7: 'sessionAffinity string',
    8: 'loadBalancerIP string',
    9: 'loadBalancerSourceRanges []string',
    10: 'externalName string',
    11: 'externalTrafficPolicy string',
    12: 'healthCheckNodePort int32',
    13: 'publishNotReadyAddresses bool',
    // 14: sessionAffinityConfig (SessionAffinityConfig) is not decoded
    17: 'ipFamilyPolicy *string',
    18: 'clusterIPs []string',
    19: 'ipFamilies []string',
    20: 'allocateLoadBalancerNodePorts *bool',
    21: 'loadBalancerClass *string',
    22: 'internalTrafficPolicy *string',
    23: 'trafficDistribution *string',
  },
  ServicePort: {
    1: 'name string',
    2: 'protocol string',
    3: 'port *int32',
    4: 'targetPort IntOrString',
    5: 'nodePort int32',
    6: 'appProtocol *string',
  },
  ServiceStatus: {},
  ResourceQuota: {
    1: 'metadata ObjectMeta',
    2: 'spec ResourceQuotaSpec',
    3: 'status ResourceQuotaStatus',
  },
  ResourceQuotaSpec: {
    1: 'hard map[Quantity]',
    2: 'scopes []string',
    // 3: scopeSelector (ScopeSelector) is not decoded
  },
  ResourceQuotaStatus: {},
  Pod: {
    1: 'metadata ObjectMeta',
    2: 'spec PodSpec',
    3: 'status PodStatus',
  },
  PodStatus: {},
  PodTemplateSpec: {
    1: 'metadata ObjectMeta',
    2: 'spec PodSpec',
  },
};
