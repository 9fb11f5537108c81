// Where a daemon pod belongs, as kube's DaemonSet controller decides it (pkg/controller/daemon and
// component-helpers' nodeaffinity and taint helpers, shared with the scheduler through @ekslab/apimachinery).
import { nodeSelectorMatches as matchesSelector, type NodeSelector } from '@ekslab/apimachinery';
import { untoleratedTaint, type Node, type Pod, type PodSpec, type Toleration } from '../../controller-utils/index.js';
import type { DaemonSet } from './types.js';

export { toleratesTaint, untoleratedTaint } from '../../controller-utils/index.js';

interface Affinity {
  nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector; [field: string]: unknown };
  [field: string]: unknown;
}

/** Terms are ORed; a term's expressions and fields are ANDed; an empty term matches nothing. */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return matchesSelector(selector, node.metadata.labels ?? {}, node.metadata.name ?? '');
}

function requiredNodeSelector(affinity: unknown): NodeSelector | undefined {
  return (affinity as Affinity | undefined)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
}

/** spec.nodeSelector and the required node affinity both hold (nodeaffinity.GetRequiredNodeAffinity(pod).Match). */
export function matchesNodeSelectorAndAffinity(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  const required = requiredNodeSelector(spec.affinity);
  return required === undefined || nodeSelectorMatches(required, node);
}

const exists = (key: string, effect: Toleration['effect']): Toleration => ({ key, operator: 'Exists', effect });

/** Same key, operator, value and effect: tolerationSeconds aside, the same toleration (Toleration.MatchToleration). */
const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/**
 * kube's AddOrUpdateDaemonPodTolerations: daemon pods stay on not-ready and unreachable nodes (NoExecute,
 * without tolerationSeconds), land on nodes under disk, memory or PID pressure and on cordoned nodes, and,
 * when they use the host network, on nodes whose network is not ready yet. A toleration the template
 * already has with the same key, operator, value and effect is replaced. Mutates `spec`.
 */
export function addDaemonPodTolerations(spec: PodSpec): void {
  const wanted = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(spec['hostNetwork'] === true ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
  let tolerations = [...(spec.tolerations ?? [])];
  for (const w of wanted) {
    const i = tolerations.findIndex((t) => sameToleration(t, w));
    if (i < 0) tolerations.push(w);
    else tolerations = tolerations.map((t, n) => (n === i ? w : t));
  }
  spec.tolerations = tolerations;
}

/**
 * kube's ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes the single term
 * `metadata.name In [node]`, so the scheduler binds it there (the controller has already checked that the
 * template's own affinity admits the node). Returns the new affinity; other affinity kinds are kept.
 */
export function nodeNameAffinity(affinity: unknown, nodeName: string): Record<string, unknown> {
  const required: NodeSelector = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const a = (affinity ?? {}) as Affinity;
  return { ...a, nodeAffinity: { ...a.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/** The node a daemon pod is for: spec.nodeName, else its `metadata.name` node affinity (util.GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = requiredNodeSelector(pod.spec.affinity)?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/**
 * kube's NodeShouldRunDaemonPod: `shouldRun` — a new daemon pod belongs on the node (nodeName, nodeSelector,
 * required node affinity, and no untolerated NoSchedule/NoExecute taint, with the daemon tolerations added);
 * `shouldContinueRunning` — an existing one may stay (the same, except that only NoExecute taints evict).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const template = ds.spec.template.spec;
  const nodeName = node.metadata.name ?? '';
  if (template.nodeName && template.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeSelectorAndAffinity(template, node)) return { shouldRun: false, shouldContinueRunning: false };
  const spec: PodSpec = { ...template, nodeName };
  addDaemonPodTolerations(spec);
  const taints = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  if (untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') === undefined) {
    return { shouldRun: true, shouldContinueRunning: true };
  }
  return { shouldRun: false, shouldContinueRunning: untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute') === undefined };
}
