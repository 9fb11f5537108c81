// kube-scheduler's NodeInfo: a node and the pods assigned (or assumed) to it, with their requests, host ports and
// affinity-carrying pods kept up to date incrementally, so a scheduling cycle never re-sums a node.
import { addResources, nonZeroRequests, podHostPorts, podRequests, toResources, type HostPort, type Resources } from './resources.js';
import type { Node, Pod } from './types.js';

/** What the plugins read of one node. */
export interface NodeSnapshot {
  readonly node: Node;
  readonly pods: readonly Pod[];
  /** node.status.allocatable as numbers, including `pods`. */
  readonly allocatable: Resources;
  /** Σ podRequests over `pods`. */
  readonly requested: Resources;
  /** Σ nonZeroRequests over `pods` (what the resource scores use). */
  readonly nonZeroRequested: Resources;
  readonly usedPorts: readonly HostPort[];
  /** Pods on the node with required pod anti-affinity terms (InterPodAffinity's symmetry check). */
  readonly podsWithRequiredAntiAffinity: readonly Pod[];
  /** Pods on the node with any pod affinity or anti-affinity (InterPodAffinity's score). */
  readonly podsWithAffinity: readonly Pod[];
}

export const podKey = (p: Pod): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const hasAffinity = (p: Pod): boolean => !!(p.spec.affinity?.podAffinity || p.spec.affinity?.podAntiAffinity);
const hasRequiredAntiAffinity = (p: Pod): boolean => (p.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;

/** A mutable NodeInfo. Pods are keyed namespace/name; adding a pod with a known key replaces it. */
export class NodeInfo implements NodeSnapshot {
  private byKey = new Map<string, Pod>();
  private podList: Pod[] = [];
  private readonly req: Record<string, number> = {};
  private readonly nonZero: Record<string, number> = {};
  private ports: HostPort[] = [];
  private antiAffinity: Pod[] = [];
  private affinity: Pod[] = [];
  private alloc: Resources;
  /** Bumped on every change; lets a caller cache what it derived from this node. */
  generation = 0;

  constructor(public node: Node) {
    this.alloc = toResources(node.status?.allocatable, true);
  }

  get pods(): readonly Pod[] { return this.podList; }
  get allocatable(): Resources { return this.alloc; }
  get requested(): Resources { return this.req; }
  get nonZeroRequested(): Resources { return this.nonZero; }
  get usedPorts(): readonly HostPort[] { return this.ports; }
  get podsWithRequiredAntiAffinity(): readonly Pod[] { return this.antiAffinity; }
  get podsWithAffinity(): readonly Pod[] { return this.affinity; }

  setNode(node: Node): void {
    this.node = node;
    this.alloc = toResources(node.status?.allocatable, true);
    this.generation++;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Adds (or replaces) a pod; terminal pods (Succeeded/Failed) are removed instead, as the scheduler's cache does. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    this.removePod(key);
    if (terminal(pod)) return;
    this.byKey.set(key, pod);
    this.podList.push(pod);
    addResources(this.req, podRequests(pod));
    addResources(this.nonZero, nonZeroRequests(pod));
    const ports = podHostPorts(pod);
    if (ports.length > 0) this.ports = [...this.ports, ...ports];
    if (hasAffinity(pod)) this.affinity.push(pod);
    if (hasRequiredAntiAffinity(pod)) this.antiAffinity.push(pod);
    this.generation++;
  }

  removePod(key: string): Pod | undefined {
    const pod = this.byKey.get(key);
    if (!pod) return undefined;
    this.byKey.delete(key);
    this.podList = this.podList.filter((p) => p !== pod);
    addResources(this.req, podRequests(pod), -1);
    addResources(this.nonZero, nonZeroRequests(pod), -1);
    if (podHostPorts(pod).length > 0) this.ports = this.podList.flatMap(podHostPorts);
    this.affinity = this.affinity.filter((p) => p !== pod);
    this.antiAffinity = this.antiAffinity.filter((p) => p !== pod);
    this.generation++;
    return pod;
  }

  /** A copy whose pods can be changed without touching this one (preemption's what-if). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const p of this.podList) c.addPod(p);
    return c;
  }
}

/** Builds the NodeInfo of one node from the pods bound (or assumed) to it; Succeeded/Failed pods are left out. */
export function nodeSnapshot(node: Node, pods: readonly Pod[] = []): NodeInfo {
  const info = new NodeInfo(node);
  for (const p of pods) info.addPod(p);
  return info;
}
