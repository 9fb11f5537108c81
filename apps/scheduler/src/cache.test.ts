import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '@ekslab/scheduler';
import { defaultSelector, SchedulerCache } from './cache.js';

const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '10' } } });
const pod = (name: string, extra: Partial<Pod['spec']> = {}, labels?: Record<string, string>): Pod => ({
  metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m' } } }], ...extra },
});
const cpuOn = (c: SchedulerCache, n: string): number | undefined => c.node(n)?.requested['cpu'];

describe('scheduler — SchedulerCache', () => {
  it('an assumed pod counts at once; the informer\'s bound copy replaces it; forget undoes an assumption', () => {
    const c = new SchedulerCache();
    c.upsertNode(node('a'));
    c.assume(pod('p'), 'a');
    expect(c.isAssumed('default/p')).toBe(true);
    expect(cpuOn(c, 'a')).toBe(500);
    c.addBoundPod(pod('p', { nodeName: 'a' }));
    expect(c.isAssumed('default/p')).toBe(false);
    expect(cpuOn(c, 'a')).toBe(500);
    c.assume(pod('q'), 'a');
    c.forget('default/q');
    expect(cpuOn(c, 'a')).toBe(500);
    expect(c.nodes[0]!.pods.map((p) => p.metadata.name)).toEqual(['p']);
  });
  it('a pod bound to a node not yet known is counted when the node arrives', () => {
    const c = new SchedulerCache();
    c.addBoundPod(pod('p', { nodeName: 'late' }));
    c.upsertNode(node('late'));
    expect(cpuOn(c, 'late')).toBe(500);
  });
  it('removing a node keeps the others addressable', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) c.upsertNode(node(n));
    c.removeNode('a');
    expect(c.nodes.map((n) => n.node.metadata.name).sort()).toEqual(['b', 'c']);
    c.addBoundPod(pod('p', { nodeName: 'c' }));
    expect(cpuOn(c, 'c')).toBe(500);
  });
  it('indexes the nodes holding affinity pods for InterPodAffinity', () => {
    const c = new SchedulerCache();
    c.upsertNode(node('a'));
    c.upsertNode(node('b'));
    const anti = pod('x', { nodeName: 'b', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: {} }] } } });
    c.addBoundPod(anti);
    expect([...c.nodesWithRequiredAntiAffinity()].map((n) => n.node.metadata.name)).toEqual(['b']);
    c.removePod('default/x');
    expect([...c.nodesWithRequiredAntiAffinity()]).toEqual([]);
  });
  it('nominated pods of higher or equal priority are reported for their node, not the pod itself', () => {
    const c = new SchedulerCache();
    const vip = pod('vip', { priority: 100 });
    c.nominate(vip, 'a');
    expect(c.nominatedPods('a', pod('low')).map((p) => p.metadata.name)).toEqual(['vip']);
    expect(c.nominatedPods('a', pod('higher', { priority: 1000 }))).toEqual([]);
    expect(c.nominatedPods('a', vip)).toEqual([]);
    expect(c.nominatedPods('b', pod('low'))).toEqual([]);
  });
});

describe('scheduler — defaultSelector', () => {
  const p = pod('p', {}, { app: 'web', tier: 'fe' });
  it('merges the selectors of the Services and ReplicaSets selecting the pod', () => {
    const sel = defaultSelector(p, [{ spec: { selector: { app: 'web' } } }, { spec: { selector: { app: 'db' } } }], [{ spec: { selector: { matchLabels: { tier: 'fe' } } } }]);
    expect(sel?.toString()).toBe('app=web,tier=fe');
  });
  it('nothing selecting the pod → undefined', () => {
    expect(defaultSelector(p, [{ spec: { selector: { app: 'db' } } }, { spec: {} }], [{ spec: { selector: {} } }])).toBeUndefined();
  });
});
