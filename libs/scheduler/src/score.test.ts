import { describe, expect, it } from 'vitest';
import { prioritize } from './framework.js';
import { nonZeroRequests } from './resources.js';
import { balancedAllocationScore, defaultNormalize, leastAllocatedScore, nodeAffinityScore, selectHost, taintTolerationScore } from './score.js';
import { cluster, node, pod, snap } from './test-objects.js';

const Mi = 1024 * 1024;

describe('scheduler — NodeResourcesFit LeastAllocated', () => {
  // Upstream least_allocated_test cases: cpu 4000m/mem 10000 nodes.
  const n = (name: string) => node(name, { allocatable: { cpu: '4', memory: '10000', pods: '110' } });
  it('empty node, pod asking 3000m / 5000 → ((1000·100/4000) + (5000·100/10000)) / 2 = 37', () => {
    expect(leastAllocatedScore(pod('p', {}, { cpu: '3', memory: '5000' }), snap(n('a')))).toBe(37);
  });
  it('existing pods count: 1000m+2000m cpu, 2000+3000 memory on node → (25+50)/2 = 37', () => {
    const existing = [pod('e1', {}, { cpu: '1', memory: '2000' })];
    expect(leastAllocatedScore(pod('p', {}, { cpu: '2', memory: '3000' }), snap(n('a'), existing))).toBe(37);
  });
  it('requests beyond allocatable score 0 for that resource', () => {
    expect(leastAllocatedScore(pod('p', {}, { cpu: '5', memory: '5000' }), snap(n('a')))).toBe(25);
  });
  it('a pod without requests counts as 100m / 200Mi', () => {
    expect(nonZeroRequests(pod('p'))).toMatchObject({ cpu: 100, memory: 200 * Mi });
    const big = node('b', { allocatable: { cpu: '1', memory: `${400 * Mi}`, pods: '110' } });
    expect(leastAllocatedScore(pod('p'), snap(big))).toBe(Math.trunc((90 + 50) / 2));
  });
  it('zero allocatable scores 0', () => {
    expect(leastAllocatedScore(pod('p'), snap(node('z', { allocatable: { pods: '1' } })))).toBe(0);
  });
});

describe('scheduler — NodeResourcesBalancedAllocation', () => {
  const n = node('a', { allocatable: { cpu: '4', memory: '10000', pods: '110' } });
  it('equal fractions → 100', () => {
    expect(balancedAllocationScore(pod('p', {}, { cpu: '2', memory: '5000' }), snap(n))).toBe(100);
  });
  it('cpu 3/4, memory 5000/10000 → (1 − 0.125) × 100 = 87', () => {
    expect(balancedAllocationScore(pod('p', {}, { cpu: '3', memory: '5000' }), snap(n))).toBe(87);
  });
  it('fractions cap at 1', () => {
    expect(balancedAllocationScore(pod('p', {}, { cpu: '8', memory: '0' }), snap(n))).toBe(50);
  });
});

describe('scheduler — prioritize / selectHost', () => {
  it('prefers the emptier node', () => {
    const a = node('a', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } });
    const b = node('b', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } });
    const busy = [pod('x', {}, { cpu: '1', memory: '2Gi' })];
    const snaps = [snap(a, busy), snap(b)];
    const scores = prioritize(pod('p', {}, { cpu: '500m', memory: '1Gi' }), snaps, cluster(snaps));
    expect(scores[1]!.score).toBeGreaterThan(scores[0]!.score);
    expect(selectHost(scores)).toBe('b');
  });
  it('ties are broken at random, each best node reachable', () => {
    const scores = [{ node: 'a', score: 10 }, { node: 'b', score: 10 }, { node: 'c', score: 3 }];
    expect(selectHost(scores, () => 0)).toBe('b');
    expect(selectHost(scores, () => 0.99)).toBe('a');
    expect(selectHost([])).toBeUndefined();
  });
});

describe('scheduler — TaintToleration score', () => {
  const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' as const });
  it.each([
    ['no taints', [], [], 0],
    ['two untolerated PreferNoSchedule taints', [soft('a'), soft('b')], [], 2],
    ['NoSchedule taints do not count', [{ key: 'x', effect: 'NoSchedule' as const }], [], 0],
    ['a PreferNoSchedule toleration tolerates', [soft('a'), soft('b')], [{ key: 'a', operator: 'Exists' as const, effect: 'PreferNoSchedule' as const }], 1],
    ['an empty-effect toleration tolerates', [soft('a')], [{ key: 'a', operator: 'Exists' as const }], 0],
    ['a NoSchedule toleration does not', [soft('a')], [{ key: 'a', operator: 'Exists' as const, effect: 'NoSchedule' as const }], 1],
  ])('%s → %d', (_n, taints, tolerations, want) => {
    expect(taintTolerationScore(pod('p', { tolerations }), snap(node('n', { spec: { taints } })))).toBe(want);
  });
  it('normalised reversed: the node with most untolerated taints gets 0, none gets 100', () => {
    expect(defaultNormalize([{ node: 'a', score: 0 }, { node: 'b', score: 1 }, { node: 'c', score: 2 }], true).map((s) => s.score)).toEqual([100, 50, 0]);
    expect(defaultNormalize([{ node: 'a', score: 0 }], true)[0]!.score).toBe(100);
  });
});

describe('scheduler — NodeAffinity score', () => {
  const p = pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
    { weight: 3, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } },
    { weight: 50, preference: {} },
  ] } } });
  it.each([
    ['both terms', { disk: 'ssd', zone: 'a' }, 13],
    ['one term', { zone: 'a' }, 3],
    ['none (an empty term matches nothing)', {}, 0],
  ])('%s → %d', (_n, labels, want) => expect(nodeAffinityScore(p, snap(node('n', { labels })))).toBe(want));
  it('normalised to max: 13 → 100, 3 → 23, all-zero stays 0', () => {
    expect(defaultNormalize([{ node: 'a', score: 13 }, { node: 'b', score: 3 }], false).map((s) => s.score)).toEqual([100, 23]);
    expect(defaultNormalize([{ node: 'a', score: 0 }], false)[0]!.score).toBe(0);
  });
  it('weighted ×2 in the total: the preferred node wins despite being busier', () => {
    const a = snap(node('a', { labels: { disk: 'ssd' } }), [pod('x', {}, { cpu: '500m' })]);
    const b = snap(node('b'));
    expect(selectHost(prioritize(p, [a, b], cluster([a, b])))).toBe('a');
  });
});
