// PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread): the DoNotSchedule constraints filter, the
// ScheduleAnyway constraints (or the system defaults) score. Counting follows kube 1.33: only nodes that carry every
// topology key and pass the constraint's node inclusion policies (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore
// by default) form domains; terminating pods and pods of other namespaces never count.
import type { LabelSelector } from '@ekslab/apimachinery';
import type { ClusterView } from './cluster.js';
import type { NodeScore } from './score.js';
import { maxNodeScore } from './score.js';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import type { NodeSnapshot } from './node-info.js';
import { selectorOf, withRequirements } from './selectors.js';
import { toleratesTaint } from './filters.js';
import type { FilterStatus, Node, Pod, TopologySpreadConstraint } from './types.js';

export const reasonSpreadConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const reasonSpreadNodeLabelNotMatch = `${reasonSpreadConstraintsNotMatch} (missing required label)`;
export const labelHostname = 'kubernetes.io/hostname';
export const labelZone = 'topology.kubernetes.io/zone';

/** The scheduler's system default constraints (`defaultingType: System`), for pods without constraints of their own. */
export const systemDefaultConstraints: readonly TopologySpreadConstraint[] = [
  { topologyKey: labelHostname, maxSkew: 3, whenUnsatisfiable: 'ScheduleAnyway' },
  { topologyKey: labelZone, maxSkew: 5, whenUnsatisfiable: 'ScheduleAnyway' },
];

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly selector: LabelSelector;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

type Action = TopologySpreadConstraint['whenUnsatisfiable'];

function convert(pod: Pod, c: TopologySpreadConstraint, selector: LabelSelector): SpreadConstraint {
  // matchLabelKeys: `key in (pod's value)` for each key the pod has; keys it lacks are ignored.
  const labels = pod.metadata.labels ?? {};
  const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((k) => ({ key: k, operator: 'in' as const, values: [labels[k] ?? ''] }));
  return {
    maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: c.minDomains ?? 1,
    selector: withRequirements(selector, extra),
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
  };
}

/**
 * The pod's constraints of one kind. A pod without constraints gets the system defaults (all ScheduleAnyway) with
 * the selector of the Services/ReplicaSets/StatefulSets selecting it, or none when nothing selects it.
 */
export function spreadConstraints(pod: Pod, action: Action, cluster: ClusterView): { constraints: SpreadConstraint[]; defaulted: boolean } {
  const own = pod.spec.topologySpreadConstraints ?? [];
  if (own.length > 0) {
    return { constraints: own.filter((c) => c.whenUnsatisfiable === action).map((c) => convert(pod, c, selectorOf(c.labelSelector))), defaulted: false };
  }
  const defaults = systemDefaultConstraints.filter((c) => c.whenUnsatisfiable === action);
  if (defaults.length === 0) return { constraints: [], defaulted: true };
  const selector = cluster.defaultSpreadSelector?.(pod);
  if (!selector || selector.isEmpty() || selector.isNothing()) return { constraints: [], defaulted: true };
  return { constraints: defaults.map((c) => convert(pod, c, selector)), defaulted: true };
}

const hasAllKeys = (node: Node, cs: readonly SpreadConstraint[]): boolean => {
  const labels = node.metadata.labels ?? {};
  return cs.every((c) => Object.hasOwn(labels, c.topologyKey));
};

function included(c: SpreadConstraint, pod: Pod, node: Node): boolean {
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.honorNodeTaints) {
    const tolerations = pod.spec.tolerations ?? [];
    const untolerated = (node.spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => toleratesTaint(tol, t)));
    if (untolerated) return false;
  }
  return true;
}

/** countPodsMatchSelector: live (not terminating) pods of `namespace` on the node the selector matches. */
export function countMatching(s: NodeSnapshot, selector: LabelSelector, namespace: string): number {
  let n = 0;
  for (const p of s.pods) {
    if (p.metadata.deletionTimestamp || (p.metadata.namespace ?? 'default') !== namespace) continue;
    if (selector.matches(p.metadata.labels)) n++;
  }
  return n;
}

/** PreFilter's state: matching pods per domain of each DoNotSchedule constraint. */
export interface SpreadFilterState {
  readonly constraints: readonly SpreadConstraint[];
  readonly counts: readonly Map<string, number>[];
}

export function spreadPreFilter(pod: Pod, cluster: ClusterView): SpreadFilterState | undefined {
  const { constraints } = spreadConstraints(pod, 'DoNotSchedule', cluster);
  if (constraints.length === 0) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const counts = constraints.map(() => new Map<string, number>());
  for (const s of cluster.nodes) {
    if (!hasAllKeys(s.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!included(c, pod, s.node)) return;
      const value = s.node.metadata.labels?.[c.topologyKey] ?? '';
      counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + countMatching(s, c.selector, ns));
    });
  }
  return { constraints, counts };
}

/** Filter: every DoNotSchedule constraint's skew (domain count + self − global minimum) must stay within maxSkew. */
export function podTopologySpread(pod: Pod, s: NodeSnapshot, state: SpreadFilterState | undefined): FilterStatus | undefined {
  if (!state) return undefined;
  const labels = s.node.metadata.labels ?? {};
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i]!;
    if (!Object.hasOwn(labels, c.topologyKey)) {
      return { code: 'UnschedulableAndUnresolvable', plugin: 'PodTopologySpread', reasons: [reasonSpreadNodeLabelNotMatch] };
    }
    const counts = state.counts[i]!;
    let min = Number.MAX_SAFE_INTEGER;
    for (const v of counts.values()) min = Math.min(min, v);
    if (counts.size < c.minDomains) min = 0;
    const self = c.selector.matches(pod.metadata.labels) ? 1 : 0;
    const skew = (counts.get(labels[c.topologyKey] ?? '') ?? 0) + self - min;
    if (skew > c.maxSkew) return { code: 'Unschedulable', plugin: 'PodTopologySpread', reasons: [reasonSpreadConstraintsNotMatch] };
  }
  return undefined;
}

/** PreScore's state for the ScheduleAnyway constraints. */
export interface SpreadScoreState {
  readonly constraints: readonly SpreadConstraint[];
  readonly ignored: ReadonlySet<string>;
  readonly counts: readonly Map<string, number>[];
  readonly weights: readonly number[];
}

export function spreadPreScore(pod: Pod, feasible: readonly NodeSnapshot[], cluster: ClusterView): SpreadScoreState | undefined {
  const { constraints, defaulted } = spreadConstraints(pod, 'ScheduleAnyway', cluster);
  if (constraints.length === 0 || feasible.length === 0) return undefined;
  const requireAll = !defaulted;
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (const s of feasible) {
    if (requireAll && !hasAllKeys(s.node, constraints)) {
      ignored.add(s.node.metadata.name);
      continue;
    }
    constraints.forEach((c, i) => {
      const value = s.node.metadata.labels?.[c.topologyKey];
      if (c.topologyKey !== labelHostname && value !== undefined) counts[i]!.set(value, 0);
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === labelHostname ? feasible.length - ignored.size : counts[i]!.size) + 2));
  const ns = pod.metadata.namespace ?? 'default';
  for (const s of cluster.nodes) {
    if (requireAll && !hasAllKeys(s.node, constraints)) continue;
    constraints.forEach((c, i) => {
      const value = s.node.metadata.labels?.[c.topologyKey];
      if (value === undefined || c.topologyKey === labelHostname || !counts[i]!.has(value) || !included(c, pod, s.node)) return;
      counts[i]!.set(value, counts[i]!.get(value)! + countMatching(s, c.selector, ns));
    });
  }
  return { constraints, ignored, counts, weights };
}

/** Score: Σ over constraints of count × log(domains + 2) + (maxSkew − 1), rounded; lower is better (see normalize). */
export function spreadScore(pod: Pod, s: NodeSnapshot, state: SpreadScoreState): number {
  if (state.ignored.has(s.node.metadata.name)) return 0;
  const labels = s.node.metadata.labels ?? {};
  const ns = pod.metadata.namespace ?? 'default';
  let score = 0;
  state.constraints.forEach((c, i) => {
    const value = labels[c.topologyKey];
    if (value === undefined) return;
    const cnt = c.topologyKey === labelHostname ? countMatching(s, c.selector, ns) : (state.counts[i]!.get(value) ?? 0);
    score += cnt * state.weights[i]! + (c.maxSkew - 1);
  });
  return Math.round(score);
}

/** NormalizeScore: MaxNodeScore × (max + min − score) / max; ignored nodes 0; all 100 when max is 0. */
export function spreadNormalize(scores: NodeScore[], state: SpreadScoreState): NodeScore[] {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const s of scores) {
    if (state.ignored.has(s.node)) continue;
    min = Math.min(min, s.score);
    max = Math.max(max, s.score);
  }
  return scores.map((s) => ({
    node: s.node,
    score: state.ignored.has(s.node) ? 0 : max === 0 ? maxNodeScore : Math.trunc((maxNodeScore * (max + min - s.score)) / max),
  }));
}
