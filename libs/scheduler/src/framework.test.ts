import { describe, expect, it } from 'vitest';
import { fitError } from './fit-error.js';
import { numFeasibleNodesToFind, scheduleCycle } from './framework.js';
import { cluster, node, pod, snap } from './test-objects.js';

describe('scheduler — numFeasibleNodesToFind', () => {
  it.each([
    [0, 50, 50],
    [0, 100, 100],
    [0, 1000, 420], // 50 − 8 = 42 %
    [0, 5000, 500], // 50 − 40 = 10 %
    [0, 6000, 300], // 50 − 48 = 2 % → 5 %
    [0, 1500, 570], // 38 %
    [10, 500, 100], // 50 < 100 → 100
    [50, 1000, 500],
    [100, 1000, 1000],
  ])('percentage %d of %d nodes → %d', (pct, n, want) => expect(numFeasibleNodesToFind(pct, n)).toBe(want));
});

describe('scheduler — scheduleCycle', () => {
  const many = Array.from({ length: 300 }, (_, i) => snap(node(`n${i}`)));
  it('stops filtering once enough feasible nodes are found, starting at startIndex', () => {
    const r = scheduleCycle(pod('p'), cluster(many), { percentageOfNodesToScore: 0, startIndex: 250 });
    // adaptive: 50 − 300/125 = 47 % of 300 = 141 feasible nodes, found in the first 141 evaluated
    expect(r.processed).toBe(141);
    expect(r.feasible).toBe(numFeasibleNodesToFind(0, 300));
  });
  it('with percentage 100 every node is evaluated', () => {
    expect(scheduleCycle(pod('p'), cluster(many), { percentageOfNodesToScore: 100 }).feasible).toBe(300);
  });
  it('no node fits → statuses for the fit error', () => {
    const nodes = [snap(node('a', { spec: { unschedulable: true } })), snap(node('b'), [pod('x', {}, { cpu: '2' })])];
    const p = pod('p', {}, { cpu: '1' });
    const r = scheduleCycle(p, cluster(nodes));
    expect(r.host).toBeUndefined();
    expect(fitError(p, 2, r.statuses)).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. '
      + 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  });
  it('a nominated node that fits is taken without scoring', () => {
    const nodes = [snap(node('a')), snap(node('b'))];
    const p = { ...pod('p'), status: { nominatedNodeName: 'b' } };
    expect(scheduleCycle(p, cluster(nodes), { startIndex: 0 }).host).toBe('b');
  });
  it('nominated higher-priority pods hold their room against others', () => {
    const nodes = [snap(node('a', { allocatable: { cpu: '1', memory: '1Gi', pods: '10' } }))];
    const vip = { ...pod('vip', { priority: 100 }, { cpu: '800m' }) };
    const r = scheduleCycle(pod('p', {}, { cpu: '500m' }), cluster(nodes), { nominatedPods: () => [vip] });
    expect(r.host).toBeUndefined();
    expect(r.statuses.get('a')?.reasons).toEqual(['Insufficient cpu']);
  });
});
