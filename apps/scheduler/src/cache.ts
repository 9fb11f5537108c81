// The scheduler's cache (kube's internal/cache): one NodeInfo per node kept up to date from the informers, plus
// assumed pods — pods this scheduler decided to bind, counted on their node at once and kept there until the
// informer shows them bound (or the binding fails and they are forgotten). Implements the ClusterView the plugins read.
import { LabelSelector } from '@ekslab/apimachinery';
import { NodeInfo, podKey, selectorOf, type ClusterView, type Node, type NodeSnapshot, type Pod } from '@ekslab/scheduler';

export class SchedulerCache implements ClusterView {
  private readonly infos: NodeInfo[] = [];
  private readonly index = new Map<string, number>();
  /** Pod key → the node it is counted on. */
  private readonly placed = new Map<string, string>();
  /** Pod keys assumed by this scheduler and not yet seen bound by the informer. */
  private readonly assumedKeys = new Set<string>();
  /** Pod key → (pod, node) for pending pods nominated by a preemption. */
  private readonly nominations = new Map<string, { pod: Pod; node: string }>();
  /** Pods placed on nodes the cache does not know yet (the pod informer ran ahead of the node informer). */
  private readonly orphans = new Map<string, Pod>();

  /** Nodes holding pods with required anti-affinity / any pod (anti-)affinity (InterPodAffinity's index). */
  private readonly antiAffinityNodes = new Set<NodeInfo>();
  private readonly affinityNodes = new Set<NodeInfo>();

  constructor(
    private readonly lookupNamespaceLabels: (ns: string) => Readonly<Record<string, string>> | undefined = () => undefined,
    private readonly spreadSelector: (pod: Pod) => LabelSelector | undefined = () => undefined,
  ) {}

  get nodes(): readonly NodeSnapshot[] {
    return this.infos;
  }

  nodesWithRequiredAntiAffinity(): Iterable<NodeSnapshot> {
    return this.antiAffinityNodes;
  }

  nodesWithAffinity(): Iterable<NodeSnapshot> {
    return this.affinityNodes;
  }

  private reindex(info: NodeInfo): void {
    if (info.podsWithRequiredAntiAffinity.length > 0) this.antiAffinityNodes.add(info);
    else this.antiAffinityNodes.delete(info);
    if (info.podsWithAffinity.length > 0) this.affinityNodes.add(info);
    else this.affinityNodes.delete(info);
  }

  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined {
    return this.lookupNamespaceLabels(ns);
  }

  defaultSpreadSelector(pod: Pod): LabelSelector | undefined {
    return this.spreadSelector(pod);
  }

  node(name: string): NodeInfo | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.infos[i];
  }

  upsertNode(node: Node): void {
    const existing = this.node(node.metadata.name);
    if (existing) {
      existing.setNode(node);
      return;
    }
    const info = new NodeInfo(node);
    this.index.set(node.metadata.name, this.infos.length);
    this.infos.push(info);
    for (const [key, p] of this.orphans) {
      if (p.spec.nodeName === node.metadata.name) {
        this.orphans.delete(key);
        this.place(key, p, node.metadata.name);
      }
    }
  }

  removeNode(name: string): void {
    const i = this.index.get(name);
    if (i === undefined) return;
    const gone = this.infos[i]!;
    this.antiAffinityNodes.delete(gone);
    this.affinityNodes.delete(gone);
    const last = this.infos.pop()!;
    if (last.node.metadata.name !== name) {
      this.infos[i] = last;
      this.index.set(last.node.metadata.name, i);
    }
    this.index.delete(name);
  }

  private place(key: string, pod: Pod, nodeName: string): void {
    const prev = this.placed.get(key);
    if (prev !== undefined && prev !== nodeName) {
      const old = this.node(prev);
      old?.removePod(key);
      if (old) this.reindex(old);
    }
    const info = this.node(nodeName);
    if (!info) {
      this.placed.delete(key);
      this.orphans.set(key, pod);
      return;
    }
    info.addPod(pod);
    this.reindex(info);
    this.placed.set(key, nodeName);
  }

  /** A pod the informer shows bound: counted on its node (replacing the assumed copy). */
  addBoundPod(pod: Pod): void {
    const key = podKey(pod);
    this.assumedKeys.delete(key);
    this.nominations.delete(key);
    this.place(key, pod, pod.spec.nodeName!);
  }

  removePod(key: string): void {
    this.assumedKeys.delete(key);
    this.nominations.delete(key);
    this.orphans.delete(key);
    const node = this.placed.get(key);
    if (node === undefined) return;
    this.placed.delete(key);
    const info = this.node(node);
    info?.removePod(key);
    if (info) this.reindex(info);
  }

  /** AssumePod: the pod counts on `node` from now on, before any binding is written. */
  assume(pod: Pod, node: string): void {
    const key = podKey(pod);
    this.assumedKeys.add(key);
    this.nominations.delete(key);
    this.place(key, { ...pod, spec: { ...pod.spec, nodeName: node } }, node);
  }

  isAssumed(key: string): boolean {
    return this.assumedKeys.has(key);
  }

  /** ForgetPod: the binding failed; the pod no longer counts anywhere. */
  forget(key: string): void {
    if (!this.assumedKeys.has(key)) return;
    this.removePod(key);
  }

  nominate(pod: Pod, node: string | undefined): void {
    const key = podKey(pod);
    if (node) this.nominations.set(key, { pod, node });
    else this.nominations.delete(key);
  }

  hasNominations(): boolean {
    return this.nominations.size > 0;
  }

  /** Pods nominated to `node` with priority ≥ the pod's, other than the pod itself. */
  nominatedPods(node: string, pod: Pod): Pod[] {
    if (this.nominations.size === 0) return [];
    const key = podKey(pod);
    const prio = pod.spec.priority ?? 0;
    const out: Pod[] = [];
    for (const [k, n] of this.nominations) if (k !== key && n.node === node && (n.pod.spec.priority ?? 0) >= prio) out.push(n.pod);
    return out;
  }

  get podCount(): number {
    return this.placed.size;
  }
}

/**
 * DefaultSelector: the Services' (and ReplicationControllers') selectors merged into one set, plus the
 * ReplicaSets' and StatefulSets' selectors' requirements, of the objects in the pod's namespace selecting the pod.
 */
export function defaultSelector(
  pod: Pod,
  services: readonly { spec?: { selector?: Readonly<Record<string, string>> } }[],
  workloads: readonly { spec?: { selector?: Parameters<typeof selectorOf>[0] } }[],
): LabelSelector | undefined {
  const labels = pod.metadata.labels ?? {};
  const set: Record<string, string> = {};
  for (const s of services) {
    const sel = s.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    if (LabelSelector.fromSet(sel).matches(labels)) Object.assign(set, sel);
  }
  const requirements = [...LabelSelector.fromSet(set).requirements];
  for (const w of workloads) {
    const sel = selectorOf(w.spec?.selector);
    if (sel.isEmpty() || sel.isNothing() || !sel.matches(labels)) continue;
    requirements.push(...sel.requirements);
  }
  return requirements.length > 0 ? LabelSelector.of(requirements) : undefined;
}
