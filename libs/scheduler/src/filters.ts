// kube-scheduler's Filter plugins (pkg/scheduler/framework/plugins/*), their reasons worded exactly as upstream.
import { toleratesTaint } from '@ekslab/apimachinery';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import { isScalarResourceName, podHostPorts, podRequests, type Resources } from './resources.js';
import type { NodeSnapshot } from './node-info.js';
import type { FilterPluginName, FilterStatus, Pod, Taint } from './types.js';

export const reasonNodeUnschedulable = 'node(s) were unschedulable';
export const reasonNodeName = "node(s) didn't match the requested node name";
export const reasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
export const reasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
/**
 * TaintToleration's reason since Kubernetes 1.35 (the taint is logged, no longer printed), with
 * `{ taintDetail: false }`. By default the lab words it as the Kubernetes version it serves (1.33) does:
 * `node(s) had untolerated taint {key: value}`.
 */
export const reasonUntoleratedTaint = 'node(s) had untolerated taint(s)';
export const reasonTooManyPods = 'Too many pods';

export type FilterResult = FilterStatus | undefined;
export type FilterPlugin = (pod: Pod, s: NodeSnapshot, opts?: FilterOptions) => FilterResult;
export interface FilterOptions {
  /**
   * Name the taint in TaintToleration's reason, as Kubernetes ≤ 1.34 does (`node(s) had untolerated taint
   * {key: value}`); default true, the lab's version. `false` gives 1.35's `node(s) had untolerated taint(s)`.
   */
  readonly taintDetail?: boolean;
}

const unresolvable = (plugin: FilterPluginName, reason: string): FilterStatus => ({
  code: 'UnschedulableAndUnresolvable',
  plugin,
  reasons: [reason],
});

/** v1helper ToleratesTaint (shared in @ekslab/apimachinery). */
export { toleratesTaint };

/** NodeUnschedulable: a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable:NoSchedule. */
export function nodeUnschedulable(pod: Pod, s: NodeSnapshot): FilterResult {
  if (!s.node.spec?.unschedulable) return undefined;
  const taint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
  if ((pod.spec.tolerations ?? []).some((t) => toleratesTaint(t, taint))) return undefined;
  return unresolvable('NodeUnschedulable', reasonNodeUnschedulable);
}

/** NodeName: a pod naming a node fits only that node. */
export function nodeName(pod: Pod, s: NodeSnapshot): FilterResult {
  const want = pod.spec.nodeName;
  return want && want !== s.node.metadata.name ? unresolvable('NodeName', reasonNodeName) : undefined;
}

/** TaintToleration: the first NoSchedule/NoExecute taint no toleration matches rejects the node. */
export function taintToleration(pod: Pod, s: NodeSnapshot, opts: FilterOptions = {}): FilterResult {
  const tolerations = pod.spec.tolerations ?? [];
  const taint = (s.node.spec?.taints ?? []).find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => toleratesTaint(tol, t)),
  );
  if (!taint) return undefined;
  const reason = (opts.taintDetail ?? true)
    ? `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`
    : reasonUntoleratedTaint;
  return unresolvable('TaintToleration', reason);
}

/** NodeAffinity: spec.nodeSelector plus requiredDuringSchedulingIgnoredDuringExecution. */
export function nodeAffinity(pod: Pod, s: NodeSnapshot): FilterResult {
  return podMatchesNodeSelectorAndAffinity(pod, s.node) ? undefined : unresolvable('NodeAffinity', reasonNodeAffinity);
}

/** NodePorts: same port and protocol conflict when either side binds 0.0.0.0 or both bind the same IP. */
export function nodePorts(pod: Pod, s: NodeSnapshot): FilterResult {
  const conflict = podHostPorts(pod).some((want) =>
    s.usedPorts.some(
      (used) =>
        used.port === want.port &&
        used.protocol === want.protocol &&
        (used.ip === '0.0.0.0' || want.ip === '0.0.0.0' || used.ip === want.ip),
    ),
  );
  return conflict ? { code: 'Unschedulable', plugin: 'NodePorts', reasons: [reasonNodePorts] } : undefined;
}

/** The resources NodeResourcesFit checks for one requests object: those asked for, in kube's order. */
const checkedMemo = new WeakMap<object, readonly string[]>();

/**
 * NodeResourcesFit: pod count, then cpu, memory, ephemeral-storage, then extended resources (sorted by name), each
 * `Insufficient <name>`. Unresolvable (preemption cannot help) when a request exceeds the node's allocatable
 * outright.
 */
export function nodeResourcesFit(pod: Pod, s: NodeSnapshot): FilterResult {
  return fitResources(s, podRequests(pod));
}

/** NodeResourcesFit with the pod's requests already summed (the scheduling cycle sums them once). */
export function fitResources(s: NodeSnapshot, req: Resources): FilterResult {
  let reasons: string[] | undefined;
  let code: FilterStatus['code'] = 'Unschedulable';
  if (s.pods.length + 1 > (s.allocatable['pods'] ?? 0)) reasons = [reasonTooManyPods];
  let names = checkedMemo.get(req);
  if (!names) {
    names = ['cpu', 'memory', 'ephemeral-storage', ...Object.keys(req).filter(isScalarResourceName).sort()].filter((n) => (req[n] ?? 0) > 0);
    checkedMemo.set(req, names);
  }
  const allocatable = s.allocatable;
  const requested = s.requested;
  for (const name of names) {
    const want = req[name] ?? 0;
    const alloc = allocatable[name] ?? 0;
    if (want > alloc - (requested[name] ?? 0)) {
      (reasons ??= []).push(`Insufficient ${name}`);
      if (want > alloc) code = 'UnschedulableAndUnresolvable';
    }
  }
  return reasons ? { code, plugin: 'NodeResourcesFit', reasons } : undefined;
}

/** The default profile's filters in the order kube-scheduler runs them. */
export const defaultFilters: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
];

/** Runs the default filters on one node and returns the first rejection (the framework stops there), if any. */
export function runFilters(pod: Pod, s: NodeSnapshot, opts: FilterOptions = {}): FilterResult {
  for (const filter of defaultFilters) {
    const status = filter(pod, s, opts);
    if (status) return status;
  }
  return undefined;
}
