// @ekslab/scheduler — kube-scheduler's framework: filter and score plugins, failure messages as kube-scheduler words them.
export type {
  Affinity,
  Container,
  ContainerPort,
  FilterPluginName,
  FilterStatus,
  Node,
  NodeSelector,
  NodeSelectorOperator,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  ResourceList,
  ResourceRequirements,
  Taint,
  TaintEffect,
  Toleration,
} from './types.js';
export { QuantityParseError, quantityMilliValue, quantityValue } from './quantity.js';
export { isScalarResourceName, nodeSnapshot, podHostPorts, podRequests, toResources } from './resources.js';
export type { HostPort, NodeSnapshot, Resources } from './resources.js';
export { nodeSelectorMatches, podMatchesNodeSelectorAndAffinity, requirementMatches, termMatches } from './node-affinity.js';
export {
  defaultFilters,
  nodeAffinity,
  nodeName,
  nodePorts,
  nodeResourcesFit,
  nodeUnschedulable,
  reasonNodeAffinity,
  reasonNodeName,
  reasonNodePorts,
  reasonNodeUnschedulable,
  reasonTooManyPods,
  reasonUntoleratedTaint,
  runFilters,
  taintToleration,
  toleratesTaint,
} from './filters.js';
export type { FilterOptions, FilterPlugin, FilterResult } from './filters.js';
export { fitError, noNodesAvailable, noPreemptionVictims, preemptionMessage, preemptionNotHelpful } from './fit-error.js';
export type { FitErrorOptions } from './fit-error.js';
export {
  balancedAllocationScore,
  defaultMemoryRequest,
  defaultMilliCpuRequest,
  defaultScoringResources,
  leastAllocatedScore,
  maxNodeScore,
  nonZeroRequests,
  scoreNodes,
  selectHost,
} from './score.js';
export type { NodeScore, ScoredResource } from './score.js';
export { SchedulingQueue, defaultPodInitialBackoffMs, defaultPodMaxBackoffMs, defaultPodMaxInUnschedulableMs } from './queue.js';
export type { SchedulingQueueOptions } from './queue.js';
