import { LabelSelector } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import type { NodeScore } from './score.js';
import { cluster, node, pod, snap } from './test-objects.js';
import {
  podTopologySpread, reasonSpreadConstraintsNotMatch, reasonSpreadNodeLabelNotMatch, spreadConstraints, spreadNormalize, spreadPreFilter, spreadPreScore, spreadScore,
} from './topology-spread.js';
import type { Pod, TopologySpreadConstraint } from './types.js';

const zone = (name: string, z: string, extra: Record<string, string> = {}) => node(name, { labels: { 'topology.kubernetes.io/zone': z, ...extra } });
const web = (name: string, ns = 'default') => pod(name, {}, undefined, { app: 'web' }, ns);
const spreadPod = (c: Partial<TopologySpreadConstraint>, labels: Record<string, string> = { app: 'web' }, spec: Partial<Pod['spec']> = {}) => pod('new', {
  ...spec,
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c }],
}, undefined, labels);

describe('scheduler — PodTopologySpread filter', () => {
  // zone a: 2 web pods, zone b: 1, zone c: 0 (+ a terminating and an other-namespace pod that never count).
  const a1 = snap(zone('a1', 'a'), [web('w1'), web('w2')]);
  const b1 = snap(zone('b1', 'b'), [web('w3'), web('x', 'other')]);
  const c1 = snap(zone('c1', 'c'), [{ ...web('gone'), metadata: { ...web('gone').metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }]);
  const nolabel = snap(node('n0'));
  const all = cluster([a1, b1, c1, nolabel]);
  const verdict = (p: Pod, s = a1, cl = all) => podTopologySpread(p, s, spreadPreFilter(p, cl))?.reasons[0];

  it.each([
    ['zone a: 2 + 1 − 0 = 3 > 1', a1, reasonSpreadConstraintsNotMatch],
    ['zone b: 1 + 1 − 0 = 2 > 1', b1, reasonSpreadConstraintsNotMatch],
    ['zone c: 0 + 1 − 0 = 1 (terminating pods do not count)', c1, undefined],
    ['a node without the key', nolabel, reasonSpreadNodeLabelNotMatch],
  ])('maxSkew 1 — %s', (_n, s, want) => expect(verdict(spreadPod({}), s)).toBe(want));

  it('the missing-label rejection is unresolvable, the skew one resolvable', () => {
    const p = spreadPod({});
    const st = spreadPreFilter(p, all);
    expect(podTopologySpread(p, nolabel, st)?.code).toBe('UnschedulableAndUnresolvable');
    expect(podTopologySpread(p, a1, st)?.code).toBe('Unschedulable');
  });
  it('maxSkew 2 admits zone b', () => expect(verdict(spreadPod({ maxSkew: 2 }), b1)).toBeUndefined());
  it('a pod its own selector does not match adds no self count', () => expect(verdict(spreadPod({}, { app: 'db' }), b1)).toBeUndefined());
  it('minDomains above the domain count makes the global minimum 0', () => {
    const two = cluster([a1, b1]);
    expect(verdict(spreadPod({ maxSkew: 1 }), b1, two)).toBeUndefined(); // min 1 → 1 + 1 − 1
    expect(verdict(spreadPod({ maxSkew: 1, minDomains: 3 }), b1, two)).toBe(reasonSpreadConstraintsNotMatch);
  });
  it('nodeAffinityPolicy Honor (default) leaves out domains the pod cannot go to; Ignore counts them', () => {
    const p = (policy?: 'Honor' | 'Ignore') => spreadPod(policy ? { nodeAffinityPolicy: policy } : {}, { app: 'web' }, {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }] }] } } },
    });
    expect(verdict(p(), b1)).toBeUndefined(); // domains a (2), b (1): min 1
    expect(verdict(p('Ignore'), b1)).toBe(reasonSpreadConstraintsNotMatch); // c (0) counts
  });
  it('nodeTaintsPolicy Ignore (default) counts tainted nodes; Honor leaves them out', () => {
    const tainted = snap(node('c1', { labels: { 'topology.kubernetes.io/zone': 'c' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }));
    const cl = cluster([a1, b1, tainted]);
    expect(verdict(spreadPod({}), b1, cl)).toBe(reasonSpreadConstraintsNotMatch);
    expect(verdict(spreadPod({ nodeTaintsPolicy: 'Honor' }), b1, cl)).toBeUndefined();
  });
  it('matchLabelKeys adds `key in (pod value)` to the selector', () => {
    const p = spreadPod({ matchLabelKeys: ['rev'] }, { app: 'web', rev: '2' });
    // no existing pod has rev=2, so every domain counts 0.
    expect(verdict(p, a1)).toBeUndefined();
  });
  it('ScheduleAnyway constraints do not filter', () => expect(verdict(spreadPod({ whenUnsatisfiable: 'ScheduleAnyway' }), a1)).toBeUndefined());
});

describe('scheduler — PodTopologySpread system defaults', () => {
  const sel = LabelSelector.fromSet({ app: 'web' });
  it('a pod without constraints selected by a Service gets hostname 3 + zone 5, ScheduleAnyway', () => {
    const { constraints, defaulted } = spreadConstraints(web('p'), 'ScheduleAnyway', { ...cluster([]), defaultSpreadSelector: () => sel });
    expect(defaulted).toBe(true);
    expect(constraints.map((c) => [c.topologyKey, c.maxSkew])).toEqual([['kubernetes.io/hostname', 3], ['topology.kubernetes.io/zone', 5]]);
    expect(spreadConstraints(web('p'), 'DoNotSchedule', { ...cluster([]), defaultSpreadSelector: () => sel }).constraints).toEqual([]);
  });
  it('nothing selecting the pod → no constraints', () => {
    expect(spreadConstraints(web('p'), 'ScheduleAnyway', cluster([])).constraints).toEqual([]);
  });
});

describe('scheduler — PodTopologySpread score', () => {
  const soft = spreadPod({ whenUnsatisfiable: 'ScheduleAnyway' });
  const a1 = snap(zone('a1', 'a'), [web('w1'), web('w2')]);
  const b1 = snap(zone('b1', 'b'), [web('w3')]);
  const c1 = snap(zone('c1', 'c'));
  const n0 = snap(node('n0'));
  it('count × log(domains + 2) + maxSkew − 1, then max + min − score over max (ignored nodes 0)', () => {
    const feasible = [a1, b1, c1, n0];
    const st = spreadPreScore(soft, feasible, cluster(feasible))!;
    expect([...st.ignored]).toEqual(['n0']);
    const w = Math.log(3 + 2);
    const raw: NodeScore[] = feasible.map((s) => ({ node: s.node.metadata.name, score: spreadScore(soft, s, st) }));
    expect(raw.map((r) => r.score)).toEqual([Math.round(2 * w), Math.round(w), 0, 0]);
    // raw 3, 2, 0 → min 0, max 3: 100·(3+0−3)/3 = 0, 100·1/3 = 33, 100
    expect(spreadNormalize(raw, st).map((r) => r.score)).toEqual([0, 33, 100, 0]);
  });
});
