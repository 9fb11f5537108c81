import { LabelSelector } from '@ekslab/apimachinery';
import { describe, expect, it } from 'vitest';
import { preemptionMessage } from './fit-error.js';
import { scheduleCycle } from './framework.js';
import { pickOneNode, preempt, selectVictimsOnNode, type Victims } from './preemption.js';
import { cluster, node, pod, snap } from './test-objects.js';
import type { Pod } from './types.js';

const small = (name: string) => node(name, { allocatable: { cpu: '1', memory: '4Gi', pods: '10' } });
const at = (p: Pod, priority: number, start: string): Pod => ({ ...p, spec: { ...p.spec, priority }, status: { startTime: start } });
const low = (name: string, cpu: string, priority = 0, start = '2026-01-01T00:00:00Z') => at(pod(name, {}, { cpu }), priority, start);
const names = (v: Victims | undefined) => v?.pods.map((p) => p.metadata.name);

describe('scheduler — preemption victims', () => {
  it('removes only as many lower-priority pods as needed, least important first', () => {
    const s = snap(small('a'), [low('p1', '300m', 1), low('p2', '300m', 5), low('p3', '300m', 3)]);
    const vip = at(pod('vip', {}, { cpu: '500m' }), 10, '2026-01-02T00:00:00Z');
    // 900m used; needs 500m: removing p1 (priority 1) and p3 (3) suffices, p2 (5) is reprieved first.
    expect(names(selectVictimsOnNode(vip, s, cluster([s])))).toEqual(['p3', 'p1']);
  });
  it('pods of equal or higher priority are never victims', () => {
    const s = snap(small('a'), [low('p1', '800m', 10)]);
    expect(selectVictimsOnNode(at(pod('vip', {}, { cpu: '500m' }), 10, ''), s, cluster([s]))).toBeUndefined();
  });
  it('a PDB with no disruptions left makes its pods reprieved first and counted as violations', () => {
    const s = snap(small('a'), [{ ...low('guarded', '600m', 1), metadata: { name: 'guarded', namespace: 'default', labels: { app: 'db' } } }, low('free', '300m', 1)]);
    const pdb = { namespace: 'default', selector: LabelSelector.fromSet({ app: 'db' }), disruptionsAllowed: 0 };
    const v = selectVictimsOnNode(at(pod('vip', {}, { cpu: '500m' }), 10, ''), s, cluster([s]), [pdb]);
    expect(names(v)).toEqual(['guarded']); // reprieving it does not fit; free alone is not enough
    expect(v?.pdbViolations).toBe(1);
  });
});

describe('scheduler — pickOneNode', () => {
  const v = (node: string, pods: Pod[], pdbViolations = 0): Victims => ({ node, pods, pdbViolations });
  it.each([
    ['fewest PDB violations', [v('a', [low('x', '1', 1)], 1), v('b', [low('y', '1', 5)], 0)], 'b'],
    ['lowest highest-victim priority', [v('a', [low('x', '1', 5)]), v('b', [low('y', '1', 3), low('z', '1', 3)])], 'b'],
    ['lowest priority sum', [v('a', [low('x', '1', 3), low('x2', '1', 2)]), v('b', [low('y', '1', 3), low('y2', '1', 1)])], 'b'],
    ['fewest victims', [v('a', [low('x', '1', 3), low('x2', '1', 0)]), v('b', [low('y', '1', 3)])], 'b'],
    ['latest start of the top victims', [v('a', [low('x', '1', 3, '2026-01-01T00:00:00Z')]), v('b', [low('y', '1', 3, '2026-01-05T00:00:00Z')])], 'b'],
  ])('%s', (_n, cands, want) => expect(pickOneNode(cands)?.node).toBe(want));
});

describe('scheduler — preempt', () => {
  const a = snap(small('a'), [low('big', '900m', 0)]);
  const b = snap(small('b'), [low('b1', '600m', 0), low('b2', '300m', 0)]);
  const vip = at(pod('vip', {}, { cpu: '500m' }), 100, '');
  it('picks the node with fewer victims and names them', () => {
    const cl = cluster([a, b]);
    const r = scheduleCycle(vip, cl);
    expect(r.host).toBeUndefined();
    const out = preempt(vip, cl, r.statuses, preemptionMessage);
    expect(out).toMatchObject({ kind: 'preempt', victims: { node: 'a' } });
    if (out.kind === 'preempt') expect(names(out.victims)).toEqual(['big']);
  });
  it('preemptionPolicy Never is not eligible', () => {
    const never = { ...vip, spec: { ...vip.spec, preemptionPolicy: 'Never' as const } };
    const cl = cluster([a, b]);
    expect(preempt(never, cl, scheduleCycle(never, cl).statuses, preemptionMessage)).toEqual({ kind: 'none', message: 'preemption: not eligible due to preemptionPolicy=Never.' });
  });
  it('unresolvable rejections are not candidates', () => {
    const tainted = snap(node('t', { allocatable: { cpu: '1', memory: '4Gi', pods: '10' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }), [low('x', '900m')]);
    const cl = cluster([tainted]);
    expect(preempt(vip, cl, scheduleCycle(vip, cl).statuses, preemptionMessage)).toEqual({
      kind: 'none', message: 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    });
  });
});
