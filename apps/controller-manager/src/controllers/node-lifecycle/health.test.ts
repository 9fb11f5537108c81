import { FakeClock } from '@ekslab/client';
import { describe, expect, it } from 'vitest';
import type { Condition, Node } from '../../controller-utils/index.js';
import { computeZoneState, evaluateNodeHealth, noScheduleTaintsFor, withTaints, zoneEvictionRate, zoneKey } from './health.js';
import { tolerationWindowMs } from './taint-eviction.js';
import { ZoneTainter } from './zone-tainter.js';

const t0 = Date.parse('2026-11-22T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const grace = { monitorGraceMs: 50_000, startupGraceMs: 60_000 };
const ready = (status: Condition['status'], heartbeat = iso(t0)): Condition => ({ type: 'Ready', status, lastHeartbeatTime: heartbeat });
const node = (conditions: Condition[] | undefined, labels: Record<string, string> = {}): Node => ({
  metadata: { name: 'n1', creationTimestamp: iso(t0 - 1000), labels }, status: conditions ? { conditions } : {},
});

describe('evaluateNodeHealth (tryUpdateNodeHealth)', () => {
  it('marks Ready and the pressure conditions Unknown once heartbeat and Lease are older than the grace period', () => {
    const n = node([ready('True'), { type: 'MemoryPressure', status: 'False' }]);
    const first = evaluateNodeHealth(n, iso(t0), undefined, t0, grace);
    expect(first.newConditions).toBeUndefined();
    const within = evaluateNodeHealth(n, iso(t0), first.health, t0 + 50_000, grace);
    expect(within.newConditions).toBeUndefined();
    const late = evaluateNodeHealth(n, iso(t0), within.health, t0 + 50_001, grace);
    expect(late.current).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(late.observed?.status).toBe('True');
    expect(late.newConditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=Unknown', 'MemoryPressure=Unknown', 'DiskPressure=Unknown', 'PIDPressure=Unknown']);
  });
  it('a renewed Lease keeps a node alive without status updates', () => {
    const n = node([ready('True')]);
    let v = evaluateNodeHealth(n, iso(t0), undefined, t0, grace);
    v = evaluateNodeHealth(n, iso(t0 + 40_000), v.health, t0 + 40_000, grace);
    v = evaluateNodeHealth(n, iso(t0 + 40_000), v.health, t0 + 80_000, grace);
    expect(v.newConditions).toBeUndefined();
    v = evaluateNodeHealth(n, iso(t0 + 40_000), v.health, t0 + 90_001, grace);
    expect(v.current?.status).toBe('Unknown');
  });
  it('gives a node that never reported the startup grace period, then NodeStatusNeverUpdated', () => {
    const n = node(undefined);
    expect(evaluateNodeHealth(n, undefined, undefined, t0 + 59_000, grace).newConditions).toBeUndefined();
    const v = evaluateNodeHealth(n, undefined, undefined, t0 + 59_001, grace);
    expect(v.current).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
  });
});

describe('zones', () => {
  const c = (s: Condition['status']): Condition => ({ type: 'Ready', status: s });
  it('computes Normal, PartialDisruption (> 2 and ≥ 55 % not ready) and FullDisruption as kube does', () => {
    expect(computeZoneState([c('True'), c('False'), c('Unknown')], 0.55).state).toBe('Normal');
    expect(computeZoneState([c('True'), c('False'), c('Unknown'), c('Unknown')], 0.55)).toEqual({ notReady: 3, state: 'PartialDisruption' });
    expect(computeZoneState([c('True'), c('True'), c('False'), c('Unknown'), c('Unknown')], 0.55).state).toBe('PartialDisruption');
    expect(computeZoneState([c('True'), c('True'), c('True'), c('Unknown'), c('Unknown'), c('Unknown')], 0.55).state).toBe('Normal');
    expect(computeZoneState([c('Unknown'), undefined], 0.55).state).toBe('FullDisruption');
  });
  it('rates: normal and full disruption evict at --node-eviction-rate; partial at the secondary rate only in large zones', () => {
    const o = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterThreshold: 50 };
    expect(zoneEvictionRate('Normal', 10, o)).toBe(0.1);
    expect(zoneEvictionRate('FullDisruption', 10, o)).toBe(0.1);
    expect(zoneEvictionRate('PartialDisruption', 50, o)).toBe(0);
    expect(zoneEvictionRate('PartialDisruption', 51, o)).toBe(0.01);
  });
  it('keys zones by region and zone labels', () => {
    expect(zoneKey(node([], { 'topology.kubernetes.io/region': 'us-east-1', 'topology.kubernetes.io/zone': 'us-east-1a' }))).toBe('us-east-1:\x00:us-east-1a');
    expect(zoneKey(node([]))).toBe('');
  });
  it('hands out queued nodes at the token bucket rate (burst 1), none at rate 0', async () => {
    const clock = new FakeClock(t0);
    const z = new ZoneTainter(clock, 0.5);
    for (const n of ['a', 'b', 'c']) z.add(n);
    z.add('a');
    expect(z.take()).toEqual(['a']);
    await clock.advance(1_999);
    expect(z.take()).toEqual([]);
    await clock.advance(1);
    expect(z.take()).toEqual(['b']);
    z.swapLimiter(0);
    await clock.advance(60_000);
    expect(z.take()).toEqual([]);
    expect(z.size).toBe(1);
  });
});

describe('taints', () => {
  it('TaintNodesByCondition: NoSchedule taints follow Ready, pressure and unschedulable', () => {
    const n: Node = { metadata: { name: 'n' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }, { type: 'DiskPressure', status: 'True' }] } };
    expect(noScheduleTaintsFor(n)).toEqual(['node.kubernetes.io/unreachable', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/unschedulable']);
  });
  it('withTaints adds (NoExecute with timeAdded), swaps and reports no change as undefined', () => {
    const swapped = withTaints([{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }, { key: 'x', effect: 'NoSchedule' }],
      [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], (t) => t.key === 'node.kubernetes.io/not-ready', t0);
    expect(swapped).toEqual([{ key: 'x', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(t0) }]);
    expect(withTaints(swapped!, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], () => false, t0)).toBeUndefined();
  });
  it('tolerationWindowMs: untolerated → now; the first matching toleration of each taint counts; no seconds → forever', () => {
    const unreachable = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const }];
    expect(tolerationWindowMs(unreachable, [])).toBeUndefined();
    expect(tolerationWindowMs(unreachable, [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { operator: 'Exists', tolerationSeconds: 60 },
    ])).toBe(300_000);
    const both = [...unreachable, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' as const }];
    expect(tolerationWindowMs(both, [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 30 },
    ])).toBe(30_000);
    expect(tolerationWindowMs(unreachable, [{ operator: 'Exists' }])).toBe(Infinity);
  });
});
