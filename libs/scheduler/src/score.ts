// kube-scheduler's Score plugins for resources (pkg/scheduler/framework/plugins/noderesources): NodeResourcesFit
// with the LeastAllocated strategy and NodeResourcesBalancedAllocation, both over cpu and memory with weight 1,
// each giving 0..100 (MaxNodeScore); TaintToleration and NodeAffinity's scores; the default normaliser.
import { nonZeroRequests, podRequests } from './resources.js';
import type { NodeSnapshot } from './node-info.js';
import { toleratesTaint } from './filters.js';
import { termMatches } from './node-affinity.js';
import type { Pod } from './types.js';

export const maxNodeScore = 100;

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
 * NodeResourcesFit/LeastAllocated: Σ weight × (allocatable − requested) × 100 / allocatable, over Σ weight;
 * requested includes the incoming pod and uses non-zero requests. Integer division as upstream's int64 math.
 */
export function leastAllocatedScore(pod: Pod, s: NodeSnapshot, resources = defaultScoringResources): number {
  const onNode = s.nonZeroRequested;
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

/**
 * TaintToleration's score: the number of PreferNoSchedule taints the pod does not tolerate (only tolerations with
 * an empty or PreferNoSchedule effect count); normalised reversed, so fewer is better.
 */
export function taintTolerationScore(pod: Pod, s: NodeSnapshot): number {
  const tolerations = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  let n = 0;
  for (const taint of s.node.spec?.taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => toleratesTaint(t, taint))) n++;
  }
  return n;
}

/** NodeAffinity's score: Σ weight of the preferred terms the node matches (a term with no requirements matches none). */
export function nodeAffinityScore(pod: Pod, s: NodeSnapshot): number {
  let total = 0;
  for (const t of pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && termMatches(t.preference, s.node)) total += t.weight;
  }
  return total;
}

/** helper.DefaultNormalizeScore: score × MaxNodeScore / max (reversed: MaxNodeScore − that); max 0 → 0 (reversed 100). */
export function defaultNormalize(scores: readonly NodeScore[], reverse: boolean): NodeScore[] {
  let max = 0;
  for (const s of scores) max = Math.max(max, s.score);
  if (max === 0) return reverse ? scores.map((s) => ({ node: s.node, score: maxNodeScore })) : [...scores];
  return scores.map((s) => {
    const v = Math.trunc((maxNodeScore * s.score) / max);
    return { node: s.node, score: reverse ? maxNodeScore - v : v };
  });
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
