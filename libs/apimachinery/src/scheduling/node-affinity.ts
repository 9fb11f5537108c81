// Node selectors, node affinity terms and taints as k8s.io/component-helpers (scheduling/corev1) matches them —
// shared by the scheduler and the controllers that place pods (the DaemonSet controller, taint eviction).

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values?: readonly string[];
}

export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

export interface NodeSelector {
  readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
}

export interface TaintLike {
  readonly key: string;
  readonly value?: string | undefined;
  readonly effect: string;
}

export interface TolerationLike {
  readonly key?: string | undefined;
  readonly operator?: string | undefined;
  readonly value?: string | undefined;
  readonly effect?: string | undefined;
}

const parseInt64 = (s: string | undefined): number | undefined => (s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined);

/** One requirement against a label set; matchFields uses the same operators on `{ 'metadata.name': … }`. */
export function nodeSelectorRequirementMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
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
      const have = parseInt64(value);
      const want = values.length === 1 ? parseInt64(values[0]) : undefined;
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions (labels) and fields (metadata.name) do; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const nodeFields = { 'metadata.name': nodeName };
  return exprs.every((r) => nodeSelectorRequirementMatches(r, labels)) && fields.every((r) => nodeSelectorRequirementMatches(r, nodeFields));
}

/** Terms are ORed. */
export function nodeSelectorMatches(selector: NodeSelector, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  return (selector.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, labels, nodeName));
}

/** v1helper ToleratesTaint: effect and key must match when set; Exists ignores the value, Equal (the default) compares it. */
export function toleratesTaint(t: TolerationLike, taint: TaintLike): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}
