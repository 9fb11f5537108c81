// nodeSelector and required node affinity matching (k8s.io/component-helpers scheduling/corev1/nodeaffinity).
import { nodeSelectorRequirementMatches, nodeSelectorTermMatches } from '@ekslab/apimachinery';
import type { Node, NodeSelector, NodeSelectorTerm, Pod } from './types.js';

/** One requirement against a label set (component-helpers' matching, shared in @ekslab/apimachinery). */
export const requirementMatches = nodeSelectorRequirementMatches;

/** A term matches when all its expressions and fields do; a term with neither matches no node. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  return nodeSelectorTermMatches(term, node.metadata.labels ?? {}, node.metadata.name);
}

/** Terms are ORed. */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return selector.nodeSelectorTerms.some((t) => termMatches(t, node));
}

const selectorMemo = new WeakMap<Pod, readonly (readonly [string, string])[]>();

/** spec.nodeSelector (every pair equal) and the required node affinity terms, both must hold. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  let pairs = selectorMemo.get(pod);
  if (!pairs) selectorMemo.set(pod, (pairs = Object.entries(pod.spec.nodeSelector ?? {})));
  for (const [k, v] of pairs) {
    if (labels[k] !== v || !Object.hasOwn(labels, k)) return false;
  }
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || nodeSelectorMatches(required, node);
}
