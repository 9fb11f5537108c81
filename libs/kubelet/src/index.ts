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
