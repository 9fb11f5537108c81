// metav1.LabelSelector → labels.Selector for the plugins, converted once per selector object.
import { LabelSelector, labelSelectorAsSelector, type LabelRequirement } from '@ekslab/apimachinery';
import type { LabelSelector as LabelSelectorJson } from './types.js';

const memo = new WeakMap<object, LabelSelector>();

/**
 * LabelSelectorAsSelector: null/undefined selects nothing, `{}` everything. A selector the apiserver would have
 * rejected (it validates them) selects nothing rather than throwing in the middle of a scheduling cycle.
 */
export function selectorOf(s: LabelSelectorJson | null | undefined): LabelSelector {
  if (!s) return LabelSelector.nothing();
  let sel = memo.get(s);
  if (!sel) {
    try {
      sel = labelSelectorAsSelector(s);
    } catch {
      sel = LabelSelector.nothing();
    }
    memo.set(s, sel);
  }
  return sel;
}

/** `selector.Add(requirements…)`, keeping a select-nothing selector as it is. */
export function withRequirements(sel: LabelSelector, extra: readonly LabelRequirement[]): LabelSelector {
  if (extra.length === 0 || sel.isNothing()) return sel;
  return LabelSelector.of([...sel.requirements, ...extra]);
}

export { LabelSelector };
