import type { SchemaSource } from './schema.js';

/** core/v1 Container and what it reaches. Not decoded (reported as unknown): lifecycle, volumeDevices, resizePolicy, restartPolicyRules, resources.claims, env fileKeyRef, seLinuxOptions, windowsOptions, appArmorProfile. */
export const CONTAINER_SCHEMA: SchemaSource = {
  Container: {
    1: 'name *string',
    2: 'image string',
    3: 'command []string',
    4: 'args []string',
    5: 'workingDir string',
    6: 'ports []ContainerPort',
    7: 'env []EnvVar',
    8: 'resources ResourceRequirements',
    9: 'volumeMounts []VolumeMount',
    10: 'livenessProbe Probe',
    11: 'readinessProbe Probe',
    // 12: lifecycle (Lifecycle) is not decoded
    13: 'terminationMessagePath string',
    14: 'imagePullPolicy string',
    15: 'securityContext SecurityContext',
    16: 'stdin bool',
    17: 'stdinOnce bool',
    18: 'tty bool',
    19: 'envFrom []EnvFromSource',
    20: 'terminationMessagePolicy string',
    // 21: volumeDevices (VolumeDevice) is not decoded
    22: 'startupProbe Probe',
    // 23: resizePolicy (ContainerResizePolicy) is not decoded
    24: 'restartPolicy *string',
    // 25: restartPolicyRules (ContainerRestartRule) is not decoded
  },
  ContainerPort: {
    1: 'name string',
    2: 'hostPort int32',
    3: 'containerPort *int32',
    4: 'protocol string',
    5: 'hostIP string',
  },
  EnvVar: {
    1: 'name *string',
    2: 'value string',
    3: 'valueFrom EnvVarSource',
  },
  EnvVarSource: {
    1: 'fieldRef ObjectFieldSelector',
    2: 'resourceFieldRef ResourceFieldSelector',
    3: 'configMapKeyRef ConfigMapKeySelector',
    4: 'secretKeyRef SecretKeySelector',
    // 5: fileKeyRef (FileKeySelector) is not decoded
  },
  ObjectFieldSelector: {
    1: 'apiVersion string',
    2: 'fieldPath *string',
  },
  ResourceFieldSelector: {
    1: 'containerName string',
    2: 'resource *string',
    3: 'divisor Quantity',
  },
  ConfigMapKeySelector: {
    1: 'localObjectReference ...LocalObjectReference',
    2: 'key *string',
    3: 'optional *bool',
  },
  SecretKeySelector: {
    1: 'localObjectReference ...LocalObjectReference',
    2: 'key *string',
    3: 'optional *bool',
  },
  EnvFromSource: {
    1: 'prefix string',
    2: 'configMapRef ConfigMapEnvSource',
    3: 'secretRef SecretEnvSource',
  },
  ConfigMapEnvSource: {
    1: 'localObjectReference ...LocalObjectReference',
    2: 'optional *bool',
  },
  SecretEnvSource: {
    1: 'localObjectReference ...LocalObjectReference',
    2: 'optional *bool',
  },
  ResourceRequirements: {
    1: 'limits map[Quantity]',
    2: 'requests map[Quantity]',
    // 3: claims (ResourceClaim) is not decoded
  },
  VolumeMount: {
    1: 'name *string',
    2: 'readOnly bool',
    3: 'mountPath *string',
    4: 'subPath string',
    5: 'mountPropagation *string',
    6: 'subPathExpr string',
    7: 'recursiveReadOnly *string',
    8: 'bindMountOptions []string',
  },
  Probe: {
    1: 'handler ...ProbeHandler',
    2: 'initialDelaySeconds int32',
    3: 'timeoutSeconds int32',
    4: 'periodSeconds int32',
    5: 'successThreshold int32',
    6: 'failureThreshold int32',
    7: 'terminationGracePeriodSeconds *int64',
  },
  ProbeHandler: {
    1: 'exec ExecAction',
    2: 'httpGet HTTPGetAction',
    3: 'tcpSocket TCPSocketAction',
    4: 'grpc GRPCAction',
  },
  ExecAction: {
    1: 'command []string',
  },
  HTTPGetAction: {
    1: 'path string',
    2: 'port IntOrString',
    3: 'host string',
    4: 'scheme string',
    5: 'httpHeaders []HTTPHeader',
    6: 'protocol *string',
  },
  HTTPHeader: {
    1: 'name *string',
    2: 'value *string',
  },
  TCPSocketAction: {
    1: 'port IntOrString',
    2: 'host string',
  },
  GRPCAction: {
    1: 'port *int32',
    2: 'service *string',
    3: 'mode *string',
  },
  SecurityContext: {
    1: 'capabilities Capabilities',
    2: 'privileged *bool',
    // 3: seLinuxOptions (SELinuxOptions) is not decoded
    4: 'runAsUser *int64',
    5: 'runAsNonRoot *bool',
    6: 'readOnlyRootFilesystem *bool',
    7: 'allowPrivilegeEscalation *bool',
    8: 'runAsGroup *int64',
    9: 'procMount *string',
    // 10: windowsOptions (WindowsSecurityContextOptions) is not decoded
    11: 'seccompProfile SeccompProfile',
    // 12: appArmorProfile (AppArmorProfile) is not decoded
  },
  Capabilities: {
    1: 'add []string',
    2: 'drop []string',
  },
};
