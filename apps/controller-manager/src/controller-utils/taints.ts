// Taints and tolerations as v1helper matches them (toleratesTaint is shared with the scheduler through @ekslab/apimachinery).
import { toleratesTaint } from '@ekslab/apimachinery';
import type { Taint, Toleration } from './types.js';

export { toleratesTaint };

/** The first taint passing `filter` that no toleration tolerates (v1helper.FindMatchingUntoleratedTaint). */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

/** Same key and effect (a node holds at most one taint per key and effect). */
export const sameTaint = (a: Pick<Taint, 'key' | 'effect'>, b: Pick<Taint, 'key' | 'effect'>): boolean => a.key === b.key && a.effect === b.effect;
