// DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption + framework/preemption), simplified: the
// candidates are the nodes a filter rejected as Unschedulable (resolvable); on each, every lower-priority pod is
// removed, then pods are reprieved most important first (PDB-violating ones before the others) while the preemptor
// still fits; the node is picked by kube's pickOneNodeForPreemption rules. Victims are not chosen across nodes.
import type { LabelSelector } from '@ekslab/apimachinery';
import type { ClusterView } from './cluster.js';
import { filterNode, preFilter } from './framework.js';
import { nodeSnapshot, podKey, type NodeSnapshot } from './node-info.js';
import type { FilterStatus, Pod } from './types.js';

/** A PodDisruptionBudget as preemption reads it: its namespace, selector and status.disruptionsAllowed. */
export interface DisruptionBudget {
  readonly namespace: string;
  readonly selector: LabelSelector;
  readonly disruptionsAllowed: number;
}

export interface Victims {
  readonly node: string;
  /** Most important first. */
  readonly pods: readonly Pod[];
  readonly pdbViolations: number;
}

export type PreemptionOutcome =
  | { readonly kind: 'preempt'; readonly victims: Victims }
  /** `message` is the PostFilter status message for the FailedScheduling event (`preemption: …`). */
  | { readonly kind: 'none'; readonly message: string };

export const podPriority = (p: Pod): number => p.spec.priority ?? 0;
const startTime = (p: Pod): number => Date.parse(p.status?.startTime ?? p.metadata.creationTimestamp ?? '') || 0;

/** MoreImportantPod: higher priority, then the one that started earlier. */
export function moreImportant(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}

/** Candidates: 10 % of the nodes, at least 100 (minCandidateNodesPercentage / minCandidateNodesAbsolute). */
export function numCandidates(numNodes: number): number {
  return Math.min(numNodes, Math.max(Math.trunc((numNodes * 10) / 100), 100));
}

function fits(pod: Pod, s: NodeSnapshot, cluster: ClusterView): boolean {
  const view: ClusterView = {
    nodes: cluster.nodes.map((n) => (n.node.metadata.name === s.node.metadata.name ? s : n)),
    namespaceLabels: (ns) => cluster.namespaceLabels(ns),
    ...(cluster.defaultSpreadSelector ? { defaultSpreadSelector: (p: Pod) => cluster.defaultSpreadSelector!(p) } : {}),
  };
  return filterNode(pod, s, preFilter(pod, view), view) === undefined;
}

/** selectVictimsOnNode: the fewest, least important lower-priority pods whose removal lets `pod` fit, or undefined. */
export function selectVictimsOnNode(pod: Pod, s: NodeSnapshot, cluster: ClusterView, pdbs: readonly DisruptionBudget[] = []): Victims | undefined {
  const prio = podPriority(pod);
  const lower = s.pods.filter((p) => podPriority(p) < prio);
  if (lower.length === 0) return undefined;
  const trial = nodeSnapshot(s.node, s.pods);
  for (const p of lower) trial.removePod(podKey(p));
  if (!fits(pod, trial, cluster)) return undefined;
  const sorted = [...lower].sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
  // filterPodsWithPDBViolation: walking the pods in order, a pod whose matching budget is used up violates it.
  const allowed = pdbs.map((b) => b.disruptionsAllowed);
  const violating: Pod[] = [];
  const safe: Pod[] = [];
  for (const p of sorted) {
    let violates = false;
    pdbs.forEach((b, i) => {
      if (b.namespace !== (p.metadata.namespace ?? 'default') || !b.selector.matches(p.metadata.labels)) return;
      allowed[i]!--;
      if (allowed[i]! < 0) violates = true;
    });
    (violates ? violating : safe).push(p);
  }
  const victims: Pod[] = [];
  let pdbViolations = 0;
  const reprieve = (p: Pod, isViolating: boolean): void => {
    trial.addPod(p);
    if (fits(pod, trial, cluster)) return;
    trial.removePod(podKey(p));
    victims.push(p);
    if (isViolating) pdbViolations++;
  };
  for (const p of violating) reprieve(p, true);
  for (const p of safe) reprieve(p, false);
  victims.sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
  return { node: s.node.metadata.name, pods: victims, pdbViolations };
}

const offset = 2 ** 31;

/**
 * pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-victim priority, the lowest sum of
 * priorities, the fewest victims, the latest start of the highest-priority victims, then the first.
 */
export function pickOneNode(candidates: readonly Victims[]): Victims | undefined {
  const zero = candidates.find((c) => c.pods.length === 0);
  if (zero) return zero;
  const criteria: ((v: Victims) => number)[] = [
    (v) => -v.pdbViolations,
    (v) => -podPriority(v.pods[0]!),
    (v) => -v.pods.reduce((a, p) => a + podPriority(p) + offset, 0),
    (v) => -v.pods.length,
    (v) => {
      const top = podPriority(v.pods[0]!);
      return Math.min(...v.pods.filter((p) => podPriority(p) === top).map(startTime));
    },
  ];
  let best = [...candidates];
  for (const score of criteria) {
    if (best.length <= 1) break;
    const max = Math.max(...best.map(score));
    best = best.filter((v) => score(v) === max);
  }
  return best[0];
}

/** The PostFilter message when preemption cannot help (as fit-error's preemptionMessage words it). */
type MessageFn = (pod: Pod, nodeCount: number, statuses: ReadonlyMap<string, FilterStatus>) => string;

/**
 * PostFilter: whether evicting lower-priority pods on one node lets `pod` fit. `statuses` are the filters' verdicts
 * of the failed cycle; only nodes rejected as Unschedulable are tried.
 */
export function preempt(
  pod: Pod, cluster: ClusterView, statuses: ReadonlyMap<string, FilterStatus>, message: MessageFn, pdbs: readonly DisruptionBudget[] = [],
): PreemptionOutcome {
  const none = (): PreemptionOutcome => ({ kind: 'none', message: message(pod, cluster.nodes.length, statuses) });
  if (pod.spec.preemptionPolicy === 'Never') return none();
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const s = cluster.nodes.find((n) => n.node.metadata.name === nominated);
    if (s?.pods.some((p) => p.metadata.deletionTimestamp && podPriority(p) < podPriority(pod))) {
      return { kind: 'none', message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
    }
  }
  const limit = numCandidates(cluster.nodes.length);
  const candidates: Victims[] = [];
  for (const s of cluster.nodes) {
    if (candidates.length >= limit) break;
    if (statuses.get(s.node.metadata.name)?.code !== 'Unschedulable') continue;
    const v = selectVictimsOnNode(pod, s, cluster, pdbs);
    if (v) candidates.push(v);
  }
  const best = pickOneNode(candidates);
  return best ? { kind: 'preempt', victims: best } : none();
}
