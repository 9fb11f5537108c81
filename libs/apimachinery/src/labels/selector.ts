// Label selectors: `Parse`, `SelectorFromSet` and `LabelSelectorAsSelector` from k8s.io/apimachinery.
import { InvalidLabelSelectorError } from '../errors.js';
import { parseRequirements } from './parse.js';
import { newRequirement, requirementMatches, requirementToString } from './requirement.js';
import type { LabelOperator, LabelRequirement, Labels } from './requirement.js';

/**
 * A parsed label selector: requirements ANDed together, sorted by key.
 * `LabelSelector.nothing()` matches no object (a nil `metav1.LabelSelector`); an empty selector matches all.
 */
export class LabelSelector {
  private constructor(
    readonly requirements: readonly LabelRequirement[],
    private readonly matchesNothing = false,
  ) {}

  /** Matches every object; `toString()` is "". */
  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  /** Matches no object; `toString()` is "" too, so do not round-trip it through a string. */
  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  /** Parses the `?labelSelector=` / `kubectl -l` grammar; throws `SelectorParseError` with Kubernetes' message. */
  static parse(selector: string): LabelSelector {
    return new LabelSelector(parseRequirements(selector));
  }

  /** `SelectorFromSet`: `k=v` for each entry, not validated. */
  static fromSet(labels: Labels): LabelSelector {
    const keys = Object.keys(labels).sort();
    return new LabelSelector(keys.map((key) => ({ key, operator: '=' as const, values: [labels[key]!] })));
  }

  /** `labels.NewSelector().Add(...)`: requirements are sorted by key. */
  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    return new LabelSelector([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }

  matches(labels: Labels | undefined): boolean {
    if (this.matchesNothing) return false;
    const ls = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, ls));
  }

  /** True for `everything()` (not for `nothing()`). */
  isEmpty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  isNothing(): boolean {
    return this.matchesNothing;
  }

  /** `RequiresExactMatch`: the value when the first requirement on `label` is `=`, `==` or a one-value `in`. */
  requiresExactMatch(label: string): string | undefined {
    const r = this.requirements.find((req) => req.key === label);
    if (!r || r.values.length !== 1) return undefined;
    return r.operator === '=' || r.operator === '==' || r.operator === 'in' ? r.values[0] : undefined;
  }

  /** The canonical form, e.g. `app=web,tier in (a,b),!legacy`. */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

/** `metav1.LabelSelectorOperator`. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** `metav1.LabelSelector` as it appears in JSON (`spec.selector` of Deployments, ...). */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] | null }[] | null;
}

const operatorFor: Readonly<Record<LabelSelectorOperator, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * `LabelSelectorAsSelector`: null/undefined selects nothing, `{}` selects everything.
 * Throws `InvalidLabelSelectorError` with Go's message (`"Foo" is not a valid label selector operator`,
 * or the requirement's field errors such as `values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`).
 */
export function labelSelectorAsSelector(ps: LabelSelectorObject | null | undefined): LabelSelector {
  if (ps === null || ps === undefined) return LabelSelector.nothing();
  const matchLabels = Object.entries(ps.matchLabels ?? {});
  const exprs = ps.matchExpressions ?? [];
  if (matchLabels.length + exprs.length === 0) return LabelSelector.everything();
  const fail = (message: string, errors: ConstructorParameters<typeof InvalidLabelSelectorError>[1]): Error => new InvalidLabelSelectorError(message, errors);
  const requirements = matchLabels.map(([k, v]) => newRequirement(k, '=', [v], fail));
  for (const expr of exprs) {
    const op = Object.hasOwn(operatorFor, expr.operator) ? operatorFor[expr.operator as LabelSelectorOperator] : undefined;
    if (!op) throw new InvalidLabelSelectorError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, op, [...(expr.values ?? [])], fail));
  }
  return LabelSelector.of(requirements);
}
