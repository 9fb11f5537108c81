// nodeSelector and required node affinity matching (k8s.io/component-helpers scheduling/corev1/nodeaffinity).
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from './types.js';

function parseInt64(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** One requirement against a label set; matchFields uses the same operators on `{ 'metadata.name': … }`. */
export function requirementMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value ?? '');
    case 'NotIn':
      return !has || !values.includes(value ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Exactly one value, both sides integers; anything else does not match.
      const node = has ? parseInt64(value ?? '') : undefined;
      const want = values.length === 1 ? parseInt64(values[0] ?? '') : undefined;
      if (node === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? node > want : node < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields do; a term with neither matches no node. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  // metadata.name is the only supported field; matchFields allows In/NotIn with one value (validation).
  const nodeFields = { 'metadata.name': node.metadata.name };
  return exprs.every((r) => requirementMatches(r, labels)) && fields.every((r) => requirementMatches(r, nodeFields));
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
