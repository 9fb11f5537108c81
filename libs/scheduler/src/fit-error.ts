// The FailedScheduling message: framework.FitError.Error() plus DefaultPreemption's PostFilter message.
import type { FilterStatus, Pod } from './types.js';

export const noPreemptionVictims = 'No preemption victims found for incoming pod';
export const preemptionNotHelpful = 'Preemption is not helpful for scheduling';
/** kube-scheduler's ErrNoNodesAvailable text, used when the cluster has no nodes at all. */
export const noNodesAvailable = 'no nodes available to schedule pods';

export interface FitErrorOptions {
  /**
   * Whether a PostFilter (DefaultPreemption) ran. The default profile enables it, so kube-scheduler always appends
   * `preemption: …`; a profile without PostFilter plugins (or `--disable-preemption`) prints no suffix. Default true.
   */
  readonly preemption?: boolean;
  /**
   * The PostFilter's own message, when the caller ran preemption: replaces the computed `preemption: …` suffix;
   * '' (preemption succeeded, the pod is nominated) prints none.
   */
  readonly postFilterMessage?: string;
  /** A PreFilter rejection: printed instead of the per-node histogram (kube does not repeat it per node). */
  readonly preFilterMessage?: string;
}

/** "0/N nodes are available: <count reason, …>." — reasons counted per node, then sorted as strings. */
function histogram(nodeCount: number, statuses: ReadonlyMap<string, FilterStatus>, absentReason?: string): string {
  const counts = new Map<string, number>();
  for (const s of statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (absentReason !== undefined && statuses.size < nodeCount) {
    counts.set(absentReason, (counts.get(absentReason) ?? 0) + nodeCount - statuses.size);
  }
  // Go's sort.Strings: byte order, so "10 x" sorts before "2 y" exactly as kube-scheduler prints it.
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.length > 0 ? ` ${parts.join(', ')}.` : '';
}

/**
 * DefaultPreemption's message when it found no candidate, assuming the caller found no victims on the nodes
 * where preemption might help: those say "No preemption victims found for incoming pod", nodes rejected as
 * unresolvable (and nodes without a status) say "Preemption is not helpful for scheduling". A pod with
 * preemptionPolicy Never is not eligible at all.
 */
export function preemptionMessage(pod: Pod, nodeCount: number, statuses: ReadonlyMap<string, FilterStatus>): string {
  if (pod.spec.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const verdicts = new Map<string, FilterStatus>();
  for (const [node, s] of statuses) {
    const reason = s.code === 'Unschedulable' ? noPreemptionVictims : preemptionNotHelpful;
    verdicts.set(node, { code: s.code, plugin: s.plugin, reasons: [reason] });
  }
  return `preemption: 0/${nodeCount} nodes are available:${histogram(nodeCount, verdicts, preemptionNotHelpful)}`;
}

/**
 * The FailedScheduling event message (and PodScheduled condition message) for a pod no node accepted, worded as
 * kube-scheduler (1.30+) prints it:
 * `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s). preemption: 0/3 nodes are
 * available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`
 * `statuses` maps node name → the first filter that rejected it; nodes the cycle never evaluated are simply absent.
 */
export function fitError(
  pod: Pod,
  nodeCount: number,
  statuses: ReadonlyMap<string, FilterStatus>,
  opts: FitErrorOptions = {},
): string {
  if (nodeCount === 0) return noNodesAvailable;
  let msg = `0/${nodeCount} nodes are available:`;
  msg += opts.preFilterMessage ? ` ${opts.preFilterMessage}.` : histogram(nodeCount, statuses);
  if (opts.postFilterMessage !== undefined) {
    if (opts.postFilterMessage) msg += ` ${opts.postFilterMessage}`;
  } else if (opts.preemption ?? true) msg += ` ${preemptionMessage(pod, nodeCount, statuses)}`;
  return msg;
}
