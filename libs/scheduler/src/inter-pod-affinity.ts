// InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity): required pod affinity / anti-affinity of the
// incoming pod, the required anti-affinity of pods already placed (symmetry), and the preferred terms' score.
import type { LabelSelector } from '@ekslab/apimachinery';
import type { ClusterView } from './cluster.js';
import type { NodeSnapshot } from './node-info.js';
import { maxNodeScore, type NodeScore } from './score.js';
import { selectorOf } from './selectors.js';
import type { FilterStatus, Pod, PodAffinityTerm } from './types.js';

export const reasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
export const reasonAffinityRules = "node(s) didn't match pod affinity rules";
export const reasonAntiAffinityRules = "node(s) didn't match pod anti-affinity rules";
/** hardPodAffinityWeight default: an existing pod's required affinity term matching the incoming pod scores this. */
export const hardPodAffinityWeight = 1;

type Labels = Readonly<Record<string, string>>;

export interface AffinityTerm {
  readonly selector: LabelSelector;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelector: LabelSelector;
  readonly topologyKey: string;
  readonly weight: number;
}

interface PodTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAnti: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAnti: readonly AffinityTerm[];
}

const ns = (p: Pod): string => p.metadata.namespace ?? 'default';

/** Namespaces empty and namespaceSelector null mean the owner's own namespace; `namespaceSelector: {}` means all. */
function term(owner: Pod, t: PodAffinityTerm, weight: number): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(ns(owner));
  return { selector: selectorOf(t.labelSelector), namespaces, namespaceSelector: selectorOf(t.namespaceSelector), topologyKey: t.topologyKey, weight };
}

const termsMemo = new WeakMap<Pod, PodTerms>();

export function podTerms(p: Pod): PodTerms {
  let terms = termsMemo.get(p);
  if (!terms) {
    const a = p.spec.affinity;
    terms = {
      requiredAffinity: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => term(p, t, 0)),
      requiredAnti: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => term(p, t, 0)),
      preferredAffinity: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => term(p, t.podAffinityTerm, t.weight)),
      preferredAnti: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => term(p, t.podAffinityTerm, t.weight)),
    };
    termsMemo.set(p, terms);
  }
  return terms;
}

/** AffinityTerm.Matches: the pod's namespace is listed or selected, and the label selector matches the pod. */
export function termMatches(t: AffinityTerm, pod: Pod, nsLabels: Labels | undefined): boolean {
  return (t.namespaces.has(ns(pod)) || t.namespaceSelector.matches(nsLabels ?? {})) && t.selector.matches(pod.metadata.labels);
}

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

export interface AffinityFilterState {
  readonly terms: PodTerms;
  /** Topology pairs where a placed pod's required anti-affinity matches the incoming pod. */
  readonly existingAnti: ReadonlyMap<string, number>;
  /** Topology pairs holding pods matching all the incoming pod's required affinity terms. */
  readonly affinity: ReadonlyMap<string, number>;
  /** Topology pairs holding pods matching one of the incoming pod's required anti-affinity terms. */
  readonly anti: ReadonlyMap<string, number>;
}

function bump(m: Map<string, number>, key: string, value: string | undefined, by = 1): void {
  if (value === undefined) return;
  const k = pair(key, value);
  m.set(k, (m.get(k) ?? 0) + by);
}

/** PreFilter: the counts the filter reads. Undefined (Skip) when neither the pod nor any placed pod has required terms. */
export function interPodAffinityPreFilter(pod: Pod, cluster: ClusterView): AffinityFilterState | undefined {
  const terms = podTerms(pod);
  const hasOwn = terms.requiredAffinity.length > 0 || terms.requiredAnti.length > 0;
  const existingAnti = new Map<string, number>();
  const affinity = new Map<string, number>();
  const anti = new Map<string, number>();
  const podNsLabels = cluster.namespaceLabels(ns(pod));
  let anyExisting = false;
  for (const s of cluster.nodesWithRequiredAntiAffinity?.() ?? cluster.nodes) {
    const labels = s.node.metadata.labels ?? {};
    for (const ep of s.podsWithRequiredAntiAffinity) {
      anyExisting = true;
      for (const t of podTerms(ep).requiredAnti) if (termMatches(t, pod, podNsLabels)) bump(existingAnti, t.topologyKey, labels[t.topologyKey]);
    }
  }
  if (!hasOwn && !anyExisting) return undefined;
  for (const s of hasOwn ? cluster.nodes : []) {
    const labels = s.node.metadata.labels ?? {};
    for (const ep of s.pods) {
      const epNs = cluster.namespaceLabels(ns(ep));
      if (terms.requiredAffinity.length > 0 && terms.requiredAffinity.every((t) => termMatches(t, ep, epNs))) {
        for (const t of terms.requiredAffinity) bump(affinity, t.topologyKey, labels[t.topologyKey]);
      }
      for (const t of terms.requiredAnti) if (termMatches(t, ep, epNs)) bump(anti, t.topologyKey, labels[t.topologyKey]);
    }
  }
  return { terms, existingAnti, affinity, anti };
}

/**
 * Filter, in kube's order: the pod's affinity (UnschedulableAndUnresolvable; the first pod of a group whose terms
 * select itself may go anywhere with the keys), its anti-affinity, then placed pods' anti-affinity (both Unschedulable).
 */
export function interPodAffinity(pod: Pod, s: NodeSnapshot, state: AffinityFilterState | undefined, cluster: ClusterView): FilterStatus | undefined {
  if (!state) return undefined;
  const labels = s.node.metadata.labels ?? {};
  const { requiredAffinity, requiredAnti } = state.terms;
  if (requiredAffinity.length > 0) {
    let podsExist = true;
    let ok = true;
    for (const t of requiredAffinity) {
      const v = labels[t.topologyKey];
      if (v === undefined) { ok = false; break; }
      if ((state.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    if (ok && !podsExist) {
      const nsLabels = cluster.namespaceLabels(ns(pod));
      ok = state.affinity.size === 0 && requiredAffinity.every((t) => termMatches(t, pod, nsLabels));
    }
    if (!ok) return { code: 'UnschedulableAndUnresolvable', plugin: 'InterPodAffinity', reasons: [reasonAffinityRules] };
  }
  for (const t of requiredAnti) {
    const v = labels[t.topologyKey];
    if (v !== undefined && (state.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) {
      return { code: 'Unschedulable', plugin: 'InterPodAffinity', reasons: [reasonAntiAffinityRules] };
    }
  }
  if (state.existingAnti.size > 0) {
    for (const [k, v] of Object.entries(labels)) {
      if ((state.existingAnti.get(pair(k, v)) ?? 0) > 0) return { code: 'Unschedulable', plugin: 'InterPodAffinity', reasons: [reasonExistingAntiAffinity] };
    }
  }
  return undefined;
}

/** PreScore's state: topologyKey → value → Σ weights. */
export type AffinityScoreState = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * PreScore: the incoming pod's preferred terms against placed pods, and placed pods' terms against the incoming
 * pod (required affinity × hardPodAffinityWeight, preferred ± weight). Undefined when nothing scores.
 */
export function interPodAffinityPreScore(pod: Pod, cluster: ClusterView): AffinityScoreState | undefined {
  const terms = podTerms(pod);
  const hasPreferred = terms.preferredAffinity.length > 0 || terms.preferredAnti.length > 0;
  const out = new Map<string, Map<string, number>>();
  const add = (t: AffinityTerm, labels: Labels, w: number): void => {
    const v = labels[t.topologyKey];
    if (v === undefined || w === 0) return;
    let m = out.get(t.topologyKey);
    if (!m) out.set(t.topologyKey, (m = new Map<string, number>()));
    m.set(v, (m.get(v) ?? 0) + w);
  };
  const podNsLabels = cluster.namespaceLabels(ns(pod));
  for (const s of hasPreferred ? cluster.nodes : (cluster.nodesWithAffinity?.() ?? cluster.nodes)) {
    const labels = s.node.metadata.labels ?? {};
    for (const ep of hasPreferred ? s.pods : s.podsWithAffinity) {
      if (hasPreferred) {
        const epNs = cluster.namespaceLabels(ns(ep));
        for (const t of terms.preferredAffinity) if (termMatches(t, ep, epNs)) add(t, labels, t.weight);
        for (const t of terms.preferredAnti) if (termMatches(t, ep, epNs)) add(t, labels, -t.weight);
      }
      const et = podTerms(ep);
      for (const t of et.requiredAffinity) if (termMatches(t, pod, podNsLabels)) add(t, labels, hardPodAffinityWeight);
      for (const t of et.preferredAffinity) if (termMatches(t, pod, podNsLabels)) add(t, labels, t.weight);
      for (const t of et.preferredAnti) if (termMatches(t, pod, podNsLabels)) add(t, labels, -t.weight);
    }
  }
  return out.size > 0 ? out : undefined;
}

export function interPodAffinityScore(s: NodeSnapshot, state: AffinityScoreState): number {
  const labels = s.node.metadata.labels ?? {};
  let score = 0;
  for (const [key, values] of state) {
    const v = labels[key];
    if (v !== undefined) score += values.get(v) ?? 0;
  }
  return score;
}

/** NormalizeScore: MaxNodeScore × (score − min) / (max − min), 0 for all when max = min. */
export function interPodAffinityNormalize(scores: readonly NodeScore[]): NodeScore[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    min = Math.min(min, s.score);
    max = Math.max(max, s.score);
  }
  const diff = max - min;
  return scores.map((s) => ({ node: s.node, score: diff > 0 ? Math.trunc(maxNodeScore * ((s.score - min) / diff)) : 0 }));
}
