import { FakeClock } from '@ekslab/client';
import { describe, expect, it } from 'vitest';
import { PerKeyBackoff } from './backoff.js';
import { T0, daemonPod, daemonSet, node } from './fixtures.test-helper.js';
import { failedPodsBackoffKey, planManage, planRollingUpdate, statusCounts } from './plan.js';

const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
const ctx = () => ({ backoff: new PerKeyBackoff(new FakeClock(T0)), now: T0 + 60_000 });

describe('planManage', () => {
  it('creates a pod for every eligible node without one, skipping tainted nodes', () => {
    const tainted = node('n5', { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] });
    const plan = planManage(daemonSet(), [...nodes, tainted], [daemonPod('p1', 'n1')], 'new', ctx());
    expect(plan).toEqual({ create: ['n2', 'n3', 'n4'], delete: [], events: [] });
  });
  it('deletes pods on nodes that may no longer run them, extra pods, and unscheduled pods for missing nodes', () => {
    const ds = daemonSet({ spec: { nodeSelector: { role: 'edge' } } });
    const edge = node('e1', { labels: { role: 'edge' } });
    const pods = [
      daemonPod('on-plain-node', 'n1'),
      daemonPod('oldest', 'e1', { created: 0 }),
      daemonPod('younger', 'e1', { created: 5 }),
      daemonPod('for-gone-node', 'gone', { bound: false }),
      daemonPod('bound-to-gone-node', 'gone2'),
    ];
    const plan = planManage(ds, [nodes[0]!, edge], pods, 'new', ctx());
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual(['on-plain-node', 'younger', 'for-gone-node']);
  });
  it('deletes a failed pod with a FailedDaemonPod event, then backs off per node', async () => {
    const clock = new FakeClock(T0);
    const c = { backoff: new PerKeyBackoff(clock), now: T0 };
    const ds = daemonSet();
    const failed = [daemonPod('f1', 'n1', { phase: 'Failed' })];
    const first = planManage(ds, [nodes[0]!], failed, 'new', c);
    expect(first.delete).toEqual(['f1']);
    expect(first.events).toEqual([{ type: 'Warning', reason: 'FailedDaemonPod', message: 'Found failed daemon pod ns/f1 on node n1, will try to kill it' }]);
    const again = planManage(ds, [nodes[0]!], [daemonPod('f2', 'n1', { phase: 'Failed' })], 'new', c);
    expect([again.delete, again.requeueAfter]).toEqual([[], 1000]);
    await clock.advance(1000);
    expect(planManage(ds, [nodes[0]!], [daemonPod('f2', 'n1', { phase: 'Failed' })], 'new', c).delete).toEqual(['f2']);
    expect(c.backoff.get(failedPodsBackoffKey(ds, 'n1'))).toBe(2000);
  });
  it('deletes succeeded pods with a SucceededDaemonPod event', () => {
    const plan = planManage(daemonSet(), [nodes[0]!], [daemonPod('done', 'n1', { phase: 'Succeeded' })], 'new', ctx());
    expect(plan.delete).toEqual(['done']);
    expect(plan.events[0]?.reason).toBe('SucceededDaemonPod');
  });
  it('with surge keeps an old ready pod beside its unavailable replacement, and drops it once the new one is available', () => {
    const ds = daemonSet({ surge: 1, unavailable: 0 });
    const waiting = [daemonPod('old', 'n1', { hash: 'old' }), daemonPod('new', 'n1', { ready: false, created: 5 })];
    expect(planManage(ds, [nodes[0]!], waiting, 'new', ctx()).delete).toEqual([]);
    const ready = [daemonPod('old', 'n1', { hash: 'old' }), daemonPod('new', 'n1', { created: 5 })];
    expect(planManage(ds, [nodes[0]!], ready, 'new', ctx()).delete).toEqual(['old']);
  });
});

describe('planRollingUpdate', () => {
  const old = (n: string, o: { ready?: boolean } = {}) => daemonPod(`old-${n}`, n, { hash: 'old', ...o });
  it('without surge deletes at most maxUnavailable available old pods', () => {
    const plan = planRollingUpdate(daemonSet({ unavailable: 1 }), nodes, nodes.map((n) => old(n.metadata.name!)), 'new', T0);
    expect(plan).toEqual({ create: [], delete: ['old-n1'], events: [] });
  });
  it('counts unavailable new pods and nodes without pods against maxUnavailable', () => {
    const pods = [daemonPod('new-n1', 'n1', { ready: false }), old('n3'), old('n4')];
    expect(planRollingUpdate(daemonSet({ unavailable: 2 }), nodes, pods, 'new', T0).delete).toEqual([]);
    expect(planRollingUpdate(daemonSet({ unavailable: 3 }), nodes, pods, 'new', T0).delete).toEqual(['old-n3']);
  });
  it('always replaces old pods that are not available, and rounds percentages up', () => {
    const pods = [old('n1', { ready: false }), old('n2'), old('n3'), old('n4')];
    expect(planRollingUpdate(daemonSet({ unavailable: '30%' }), nodes, pods, 'new', T0).delete).toEqual(['old-n1', 'old-n2']);
  });
  it('with surge creates new pods beside available old ones on up to maxSurge nodes', () => {
    const pods = nodes.map((n) => old(n.metadata.name!));
    expect(planRollingUpdate(daemonSet({ surge: 2, unavailable: 0 }), nodes, pods, 'new', T0)).toEqual({ create: ['n1', 'n2'], delete: [], events: [] });
  });
  it('with surge deletes the old pod where the new one is available, and surges onto unavailable old pods at once', () => {
    const pods = [old('n1'), daemonPod('new-n1', 'n1'), old('n2', { ready: false }), old('n3'), daemonPod('new-n3', 'n3', { ready: false }), old('n4')];
    expect(planRollingUpdate(daemonSet({ surge: 1, unavailable: 0 }), nodes, pods, 'new', T0)).toEqual({ create: ['n2'], delete: ['old-n1'], events: [] });
  });
  it('treats maxSurge 0 and maxUnavailable 0 as one unavailable', () => {
    expect(planRollingUpdate(daemonSet({ surge: 0, unavailable: 0 }), nodes, nodes.map((n) => old(n.metadata.name!)), 'new', T0).delete).toEqual(['old-n1']);
  });
});

describe('statusCounts', () => {
  it('counts desired, current, misscheduled, ready, available (minReadySeconds) and updated nodes', () => {
    const ds = daemonSet({ minReady: 30, spec: { nodeSelector: { pool: 'a' } } });
    const a = (n: string) => node(n, { labels: { pool: 'a' } });
    const pods = [
      daemonPod('ready-long', 'a1', { readySince: 0 }),
      daemonPod('ready-recent', 'a2', { readySince: 50 }),
      daemonPod('not-ready-old', 'a3', { ready: false, hash: 'old' }),
      daemonPod('wrong-node', 'b1'),
    ];
    const counts = statusCounts(ds, [a('a1'), a('a2'), a('a3'), a('a4'), node('b1')], pods, 'new', T0 + 60_000);
    expect(counts).toEqual({
      desiredNumberScheduled: 4, currentNumberScheduled: 3, numberMisscheduled: 1, numberReady: 2,
      updatedNumberScheduled: 2, numberAvailable: 1, numberUnavailable: 3,
    });
  });
});
