// @ekslab/kubelet — the simulated kubelet's logic: Node objects as EKS nodes look, leases, the simulated container runtime.
export {
  type ConditionStatus,
  type NodeCondition,
  type NodeConditionType,
  type NodeHealth,
  CNI_NOT_READY_MESSAGE,
  conditionsChanged,
  healthyNode,
  nodeConditions,
} from './conditions.js';
export {
  type HeartbeatTiming,
  type NodeLease,
  type Random,
  NODE_LEASE_NAMESPACE,
  defaultHeartbeatTiming,
  jitter,
  leaseExpired,
  leaseFor,
  microTime,
  nextLeaseRenewal,
  nextStatusSync,
  renewIntervalMs,
  rfc3339,
  statusPatchDue,
} from './lease.js';
export {
  type Architecture,
  type CapacityType,
  type InstanceTypeFacts,
  type Node,
  type NodeImage,
  type NodeInput,
  KUBELET_PORT,
  defaultNodeImage,
  kubeletVersion,
  nodeAllocatable,
  nodeCapacity,
  nodeObject,
  privateDnsName,
} from './node.js';
export { architectureOf, eniMaxPods } from './instance-type.js';
export { formatBinarySI, formatMillicores } from './quantity.js';
export {
  type NodeResources,
  type Reservations,
  NODEFS_AVAILABLE_PERCENT,
  allocatable,
  eksReservations,
  kubeReservedCpuMillicores,
  kubeReservedMemoryMiB,
  percentOfCapacity,
} from './reserved.js';
// The simulated container runtime (pods on a node): a state machine per pod, the status it reports, its logs.
export { BEHAVIOUR_ANNOTATIONS, type ContainerBehaviour, DEFAULT_CPU_MILLICORES, DEFAULT_MEMORY_MIB, containerBehaviour, formatGoDuration, parseDuration } from './runtime/behaviour.js';
export { Backoff } from './runtime/backoff.js';
export { type Activity, Container, type TerminatedState } from './runtime/container.js';
export { ImageCache, type PullPolicy, imageIdOf, imageMarkedMissing, normalizeImage, pullPolicyOf } from './runtime/images.js';
export { type LogInstance, type LogLine, type LogReadOptions, logLines, nextLineAt, renderLines, rfc3339Nano } from './runtime/logs.js';
export { type PodRuntimeEnv, PodRuntime, type SandboxState } from './runtime/machine.js';
export { formatPod, msg as kubeletMessages } from './runtime/messages.js';
export { type ContainerUsage, type PodUsage, podUsage } from './runtime/usage.js';
export { type ApiContainerStatus, type ApiPodStatus, type PodPhase, podPhase, podStatus } from './runtime/status.js';
export {
  type RuntimeContainerSpec,
  type RuntimeEvent,
  type RuntimeNeed,
  type RuntimePod,
  type RuntimePodCondition,
  type RuntimeProbe,
  type RuntimeTiming,
  defaultRuntimeTiming,
} from './runtime/types.js';
