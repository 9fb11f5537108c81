// One scheduling cycle as kube-scheduler's default profile runs it (schedule_one.go): PreFilter, Filter over the
// nodes from a rotating start until enough feasible ones are found (percentageOfNodesToScore), PreScore, Score,
// NormalizeScore × plugin weight, selectHost.
import type { ClusterView } from './cluster.js';
import { fitResources, nodeAffinity, nodeName, nodePorts, nodeUnschedulable, taintToleration, type FilterOptions } from './filters.js';
import { podHostPorts, podRequests } from './resources.js';
import { interPodAffinity, interPodAffinityNormalize, interPodAffinityPreFilter, interPodAffinityPreScore, interPodAffinityScore, type AffinityFilterState } from './inter-pod-affinity.js';
import { nodeSnapshot, type NodeSnapshot } from './node-info.js';
import {
  balancedAllocationScore, defaultNormalize, leastAllocatedScore, maxNodeScore, nodeAffinityScore, selectHost, taintTolerationScore, type NodeScore,
} from './score.js';
import { podTopologySpread, spreadNormalize, spreadPreFilter, spreadPreScore, spreadScore, type SpreadFilterState } from './topology-spread.js';
import type { FilterStatus, Pod } from './types.js';

/** minFeasibleNodesToFind / minFeasibleNodesPercentageToFind (schedule_one.go). */
export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;

/**
 * numFeasibleNodesToFind: all nodes below 100; otherwise `percentage` % of them (0 = adaptive: 50 − nodes/125,
 * at least 5 %), never fewer than 100.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = Math.trunc(50 - numAllNodes / 125);
    if (percentage < minFeasibleNodesPercentageToFind) percentage = minFeasibleNodesPercentageToFind;
  }
  if (percentage >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

/** The default profile's score plugin weights (pkg/scheduler/apis/config/v1 default_plugins.go). */
export const defaultScoreWeights = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
} as const;

export interface PreFilterState {
  readonly spread: SpreadFilterState | undefined;
  readonly affinity: AffinityFilterState | undefined;
}

export function preFilter(pod: Pod, cluster: ClusterView): PreFilterState {
  return { spread: spreadPreFilter(pod, cluster), affinity: interPodAffinityPreFilter(pod, cluster) };
}

/** The default profile's filters in kube's order; the first rejection wins (the framework stops there). */
export function filterNode(pod: Pod, s: NodeSnapshot, state: PreFilterState, cluster: ClusterView, opts: FilterOptions = {}): FilterStatus | undefined {
  return prepareFilters(pod, state, cluster, opts)(s);
}

/**
 * The filters bound to one pod for one cycle: what depends only on the pod (its summed requests, whether it has
 * host ports, a node selector or affinity) is worked out once, so the per-node work is what the node changes.
 */
export function prepareFilters(pod: Pod, state: PreFilterState, cluster: ClusterView, opts: FilterOptions = {}): (s: NodeSnapshot) => FilterStatus | undefined {
  const req = podRequests(pod);
  const hasPorts = podHostPorts(pod).length > 0;
  const hasNodeAffinity = Object.keys(pod.spec.nodeSelector ?? {}).length > 0 || !!pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return (s) => {
    const spec = s.node.spec;
    return (spec?.unschedulable ? nodeUnschedulable(pod, s) : undefined)
      ?? (pod.spec.nodeName ? nodeName(pod, s) : undefined)
      ?? (spec?.taints?.length ? taintToleration(pod, s, opts) : undefined)
      ?? (hasNodeAffinity ? nodeAffinity(pod, s) : undefined)
      ?? (hasPorts ? nodePorts(pod, s) : undefined)
      ?? fitResources(s, req)
      ?? (state.spread ? podTopologySpread(pod, s, state.spread) : undefined)
      ?? (state.affinity ? interPodAffinity(pod, s, state.affinity, cluster) : undefined);
  };
}

function weighted(into: number[], scores: readonly NodeScore[], weight: number): void {
  for (let i = 0; i < scores.length; i++) into[i]! += scores[i]!.score * weight;
}

/** Each feasible node's total: Σ normalised plugin score × plugin weight. */
export function prioritize(pod: Pod, feasible: readonly NodeSnapshot[], cluster: ClusterView): NodeScore[] {
  const w = defaultScoreWeights;
  const total = new Array<number>(feasible.length).fill(0);
  const raw = (f: (s: NodeSnapshot) => number): NodeScore[] => feasible.map((s) => ({ node: s.node.metadata.name, score: f(s) }));
  if (feasible.some((s) => s.node.spec?.taints?.some((t) => t.effect === 'PreferNoSchedule'))) {
    weighted(total, defaultNormalize(raw((s) => taintTolerationScore(pod, s)), true), w.TaintToleration);
  } else {
    // No PreferNoSchedule taint on any node: every node scores MaxNodeScore.
    for (let i = 0; i < total.length; i++) total[i]! += maxNodeScore * w.TaintToleration;
  }
  if (pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) {
    weighted(total, defaultNormalize(raw((s) => nodeAffinityScore(pod, s)), false), w.NodeAffinity);
  }
  const spread = spreadPreScore(pod, feasible, cluster);
  if (spread) weighted(total, spreadNormalize(raw((s) => spreadScore(pod, s, spread)), spread), w.PodTopologySpread);
  const affinity = interPodAffinityPreScore(pod, cluster);
  if (affinity) weighted(total, interPodAffinityNormalize(raw((s) => interPodAffinityScore(s, affinity))), w.InterPodAffinity);
  return feasible.map((s, i) => ({
    node: s.node.metadata.name,
    score: total[i]! + leastAllocatedScore(pod, s) * w.NodeResourcesFit + balancedAllocationScore(pod, s) * w.NodeResourcesBalancedAllocation,
  }));
}

export interface CycleOptions extends FilterOptions {
  /** percentageOfNodesToScore; 0 (default) = adaptive. */
  readonly percentageOfNodesToScore?: number;
  /** Where filtering starts (kube's nextStartNodeIndex, advanced by the caller with `processed`). */
  readonly startIndex?: number;
  readonly random?: () => number;
  /**
   * Pods nominated to a node (by an earlier preemption) with priority ≥ the pod's, other than the pod itself:
   * filtering counts them as placed there, so a preemptor's room is not taken by a lower-priority pod.
   */
  readonly nominatedPods?: (node: string, pod: Pod) => readonly Pod[];
}

export interface CycleResult {
  /** The chosen node, or undefined when no node fits. */
  readonly host: string | undefined;
  /** Node → the filter that rejected it, for the nodes evaluated. */
  readonly statuses: ReadonlyMap<string, FilterStatus>;
  /** How many nodes were evaluated (advance the start index by this). */
  readonly processed: number;
  readonly feasible: number;
}

/** A snapshot with the nominated pods placed on it, when there are any. */
function withNominated(pod: Pod, s: NodeSnapshot, opts: CycleOptions): NodeSnapshot {
  const extra = opts.nominatedPods?.(s.node.metadata.name, pod) ?? [];
  if (extra.length === 0) return s;
  return nodeSnapshot(s.node, [...s.pods, ...extra]);
}

/** Runs one cycle for `pod` over `cluster`. */
export function scheduleCycle(pod: Pod, cluster: ClusterView, opts: CycleOptions = {}): CycleResult {
  const nodes = cluster.nodes;
  const statuses = new Map<string, FilterStatus>();
  if (nodes.length === 0) return { host: undefined, statuses, processed: 0, feasible: 0 };
  const state = preFilter(pod, cluster);
  const filter = prepareFilters(pod, state, cluster, opts);
  const check = (s: NodeSnapshot): FilterStatus | undefined => filter(opts.nominatedPods ? withNominated(pod, s, opts) : s);
  // A pod nominated by an earlier preemption tries its nominated node first and takes it when it fits.
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const s = nodes.find((n) => n.node.metadata.name === nominated);
    if (s && !check(s)) return { host: nominated, statuses, processed: 0, feasible: 1 };
  }
  const want = numFeasibleNodesToFind(opts.percentageOfNodesToScore ?? 0, nodes.length);
  const start = (opts.startIndex ?? 0) % nodes.length;
  const feasible: NodeSnapshot[] = [];
  let processed = 0;
  for (; processed < nodes.length && feasible.length < want; processed++) {
    const s = nodes[(start + processed) % nodes.length]!;
    const st = check(s);
    if (st) statuses.set(s.node.metadata.name, st);
    else feasible.push(s);
  }
  if (feasible.length === 0) return { host: undefined, statuses, processed, feasible: 0 };
  if (feasible.length === 1) return { host: feasible[0]!.node.metadata.name, statuses, processed, feasible: 1 };
  return { host: selectHost(prioritize(pod, feasible, cluster), opts.random), statuses, processed, feasible: feasible.length };
}
