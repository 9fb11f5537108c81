import { describe, expect, it } from 'vitest';
import {
  defaultHeartbeatTiming,
  jitter,
  leaseExpired,
  leaseFor,
  microTime,
  nextLeaseRenewal,
  nextStatusSync,
  renewIntervalMs,
  rfc3339,
  statusPatchDue,
} from './lease.js';

const now = new Date('2026-11-22T06:00:00.123Z');

describe('kubelet — lease object', () => {
  it('is the node-named lease in kube-node-lease with a 40 s duration and a micro-time renewTime', () => {
    expect(leaseFor({ name: 'ip-10-0-1-23.us-west-2.compute.internal' }, now)).toStrictEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'ip-10-0-1-23.us-west-2.compute.internal', namespace: 'kube-node-lease' },
      spec: {
        holderIdentity: 'ip-10-0-1-23.us-west-2.compute.internal',
        leaseDurationSeconds: 40,
        renewTime: '2026-11-22T06:00:00.123000Z',
      },
    });
  });

  it('is owned by the Node once its uid is known, and takes a holder and duration', () => {
    const lease = leaseFor({ name: 'n1', uid: 'u-1' }, now, 'agent-a/n1', 60);
    expect(lease.metadata.ownerReferences).toStrictEqual([{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u-1' }]);
    expect(lease.spec).toMatchObject({ holderIdentity: 'agent-a/n1', leaseDurationSeconds: 60 });
  });

  it('formats times as Go does', () => {
    expect(microTime(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05.000000Z');
    expect(rfc3339(now)).toBe('2026-11-22T06:00:00Z');
  });

  it.each([
    [0, 39_999, false],
    [0, 40_000, true],
    [1_000, 40_999, false],
  ])('renewed at %i ms, at %i ms expired=%s', (renew, at, expired) => {
    expect(leaseExpired(renew, at)).toBe(expired);
  });
});

describe('kubelet — heartbeat schedule', () => {
  it('renews every 0.25 × 40 s = 10 s', () => {
    expect(renewIntervalMs()).toBe(10_000);
    expect(renewIntervalMs({ ...defaultHeartbeatTiming, leaseDurationSeconds: 60 })).toBe(15_000);
  });

  it.each([
    [0, 10_000],
    [0.5, 10_200],
    [0.999, 10_399.6],
  ])('jitters only upward, up to 4 %%: random %d → %d ms', (r, ms) => {
    expect(nextLeaseRenewal(0, () => r)).toBeCloseTo(ms, 6);
    expect(nextStatusSync(5_000, () => r)).toBeCloseTo(5_000 + ms, 6);
  });

  it('treats a non-positive jitter factor as 1.0, as wait.Jitter does', () => {
    expect(jitter(1_000, 0, () => 0.5)).toBe(1_500);
  });

  it('stays within one lease duration across many renewals with the worst jitter', () => {
    let t = 0;
    for (let i = 0; i < 100; i++) {
      const next = nextLeaseRenewal(t, () => 0.999_999);
      expect(leaseExpired(t, next)).toBe(false);
      t = next;
    }
    expect(t).toBeGreaterThan(100 * 10_000);
    expect(t).toBeLessThan(100 * 10_400);
  });

  it.each([
    { name: 'first report', now: 0, last: undefined, changed: false, due: true },
    { name: 'unchanged, 10 s after', now: 10_000, last: 0, changed: false, due: false },
    { name: 'changed, 10 s after', now: 10_000, last: 0, changed: true, due: true },
    { name: 'unchanged, just under 5 min', now: 299_999, last: 0, changed: false, due: false },
    { name: 'unchanged, 5 min after', now: 300_000, last: 0, changed: false, due: true },
  ])('patches status: $name → $due', ({ now: at, last, changed, due }) => {
    expect(statusPatchDue(at, last, changed)).toBe(due);
  });

  it('honours a configured report frequency', () => {
    expect(statusPatchDue(60_000, 0, false, { ...defaultHeartbeatTiming, statusReportFrequencyMs: 60_000 })).toBe(true);
  });
});
