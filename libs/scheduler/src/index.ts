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
  LabelSelector as LabelSelectorJson,
  Pod,
  PodAffinity,
  PodAffinityTerm,
  PreferredSchedulingTerm,
  TopologySpreadConstraint,
  WeightedPodAffinityTerm,
  ResourceList,
  ResourceRequirements,
  Taint,
  TaintEffect,
  Toleration,
} from './types.js';
export { QuantityParseError, quantityMilliValue, quantityValue } from './quantity.js';
export {
  defaultMemoryRequest, defaultMilliCpuRequest, isScalarResourceName, nonZeroRequests, podHostPorts, podRequests, toResources,
} from './resources.js';
export type { HostPort, Resources } from './resources.js';
export { NodeInfo, nodeSnapshot, podKey } from './node-info.js';
export type { NodeSnapshot } from './node-info.js';
export type { ClusterView } from './cluster.js';
export { selectorOf } from './selectors.js';
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
  defaultNormalize,
  defaultScoringResources,
  leastAllocatedScore,
  maxNodeScore,
  nodeAffinityScore,
  selectHost,
  taintTolerationScore,
} from './score.js';
export {
  labelHostname,
  labelZone,
  podTopologySpread,
  reasonSpreadConstraintsNotMatch,
  reasonSpreadNodeLabelNotMatch,
  spreadConstraints,
  spreadPreFilter,
  systemDefaultConstraints,
} from './topology-spread.js';
export type { SpreadConstraint, SpreadFilterState } from './topology-spread.js';
export {
  hardPodAffinityWeight,
  interPodAffinity,
  interPodAffinityPreFilter,
  reasonAffinityRules,
  reasonAntiAffinityRules,
  reasonExistingAntiAffinity,
} from './inter-pod-affinity.js';
export type { AffinityFilterState } from './inter-pod-affinity.js';
export {
  defaultScoreWeights,
  filterNode,
  minFeasibleNodesPercentageToFind,
  minFeasibleNodesToFind,
  numFeasibleNodesToFind,
  preFilter,
  prepareFilters,
  prioritize,
  scheduleCycle,
} from './framework.js';
export type { CycleOptions, CycleResult, PreFilterState } from './framework.js';
export { moreImportant, numCandidates, pickOneNode, podPriority, preempt, selectVictimsOnNode } from './preemption.js';
export type { DisruptionBudget, PreemptionOutcome, Victims } from './preemption.js';
export type { NodeScore, ScoredResource } from './score.js';
export { SchedulingQueue, defaultPodInitialBackoffMs, defaultPodMaxBackoffMs, defaultPodMaxInUnschedulableMs } from './queue.js';
export type { SchedulingQueueOptions } from './queue.js';
