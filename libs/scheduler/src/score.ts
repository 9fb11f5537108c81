// kube-scheduler's Score plugins for resources (pkg/scheduler/framework/plugins/noderesources): NodeResourcesFit
// with the LeastAllocated strategy and NodeResourcesBalancedAllocation, both over cpu and memory with weight 1,
// each giving 0..100 (MaxNodeScore); the node's total is Σ plugin score × plugin weight (default weights 1).
import { podRequests, type NodeSnapshot, type Resources } from './resources.js';
import type { Pod } from './types.js';

export const maxNodeScore = 100;
/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: what a container without requests counts as when scoring. */
export const defaultMilliCpuRequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export interface ScoredResource {
  readonly name: string;
  readonly weight: number;
}
/** The default scoring resources of both plugins (cpu and memory, weight 1 each). */
export const defaultScoringResources: readonly ScoredResource[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/**
 * A pod's cpu/memory request for scoring as NodeInfo's NonZeroRequested counts it: a container asking nothing
 * for cpu (memory) counts as 100m (200Mi). Approximated at pod level: a zero total takes the default.
 */
export function nonZeroRequests(pod: Pod): Resources {
  const r = podRequests(pod);
  return { ...r, cpu: r.cpu || defaultMilliCpuRequest, memory: r.memory || defaultMemoryRequest };
}

function sumNonZero(s: NodeSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of s.pods) for (const [k, v] of Object.entries(nonZeroRequests(p))) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * NodeResourcesFit/LeastAllocated: Σ weight × (allocatable − requested) × 100 / allocatable, over Σ weight;
 * requested includes the incoming pod and uses non-zero requests. Integer division as upstream's int64 math.
 */
export function leastAllocatedScore(pod: Pod, s: NodeSnapshot, resources = defaultScoringResources): number {
  const onNode = sumNonZero(s);
  const incoming = nonZeroRequests(pod);
  let total = 0;
  let weights = 0;
  for (const { name, weight } of resources) {
    const alloc = s.allocatable[name] ?? 0;
    const req = (onNode[name] ?? 0) + (incoming[name] ?? 0);
    const score = alloc === 0 || req > alloc ? 0 : Math.trunc(((alloc - req) * maxNodeScore) / alloc);
    total += score * weight;
    weights += weight;
  }
  return weights === 0 ? 0 : Math.trunc(total / weights);
}

/**
 * NodeResourcesBalancedAllocation: 100 × (1 − std) of the requested/allocatable fractions (each capped at 1),
 * the std over two resources being |f1 − f2| / 2. Uses actual requests (useRequested), not the non-zero ones.
 */
export function balancedAllocationScore(pod: Pod, s: NodeSnapshot, resources = defaultScoringResources): number {
  const incoming = podRequests(pod);
  const fractions: number[] = [];
  for (const { name } of resources) {
    const alloc = s.allocatable[name] ?? 0;
    if (alloc === 0) continue;
    const req = (s.requested[name] ?? 0) + (incoming[name] ?? 0);
    fractions.push(Math.min(req / alloc, 1));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] ?? 0) - (fractions[1] ?? 0)) / 2;
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * maxNodeScore);
}

export interface NodeScore {
  readonly node: string;
  readonly score: number;
}

/** Each feasible node's total: LeastAllocated + BalancedAllocation (weights 1). */
export function scoreNodes(pod: Pod, feasible: readonly NodeSnapshot[]): NodeScore[] {
  return feasible.map((s) => ({
    node: s.node.metadata.name,
    score: leastAllocatedScore(pod, s) + balancedAllocationScore(pod, s),
  }));
}

/**
 * selectHost: the highest score; among ties each is picked with equal probability (upstream's reservoir
 * sampling). `random` returns [0, 1). Undefined when there is nothing to pick.
 */
export function selectHost(scores: readonly NodeScore[], random: () => number = Math.random): string | undefined {
  let best: NodeScore | undefined;
  let ties = 0;
  for (const s of scores) {
    if (!best || s.score > best.score) {
      best = s;
      ties = 1;
    } else if (s.score === best.score) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = s;
    }
  }
  return best?.node;
}
