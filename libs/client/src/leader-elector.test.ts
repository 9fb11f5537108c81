import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from './fake-clock.js';
import { LeaderElector } from './leader-elector.js';
import { MemoryLeaseStore, formatMicroTime } from './lease.js';

const MICROTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** One candidate: its elector, a log of what happened to it, and its own view of the lease store. */
function candidate(clock: FakeClock, lock: MemoryLeaseStore, identity: string, releaseOnCancel = false) {
  const elector = new LeaderElector({ lock, clock, random: () => 0, releaseOnCancel });
  const log: string[] = [];
  const ac = new AbortController();
  const state = { leading: false, leaderSignal: undefined as AbortSignal | undefined };
  const done = elector.run(
    {
      identity,
      onStartedLeading: async (signal) => {
        state.leading = true;
        state.leaderSignal = signal;
        log.push(`started@${clock.now()}`);
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        log.push(`work stopped@${clock.now()}`);
        state.leading = false;
      },
      onStoppedLeading: () => log.push(`stopped@${clock.now()}`),
      onNewLeader: (id) => log.push(`leader ${id}@${clock.now()}`),
    },
    ac.signal,
  );
  const c = { elector, log, state, lock, done, stop: () => ac.abort() };
  running.push(c);
  return c;
}

const running: { stop(): void; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) {
    c.stop();
    await c.done;
  }
});

describe('leader election', () => {
  it('leader election — one of two candidates leads and writes the Lease as client-go does', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const store = new MemoryLeaseStore('kube-system', 'kube-scheduler');
    const a = candidate(clock, store, 'a');
    await settle();
    const b = candidate(clock, store.connect(), 'b');
    await clock.advance(10_000);
    expect(a.state.leading).toBe(true);
    expect(b.state.leading).toBe(false);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.getLeader()).toBe('a');
    const lease = store.current()!;
    expect(lease).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, acquireTime: '2026-01-02T03:04:05.678000Z' },
    });
    expect(lease.spec?.renewTime).toMatch(MICROTIME);
    expect(lease.spec?.renewTime).toBe(formatMicroTime(clock.now())); // renewed every 2 s, last at +10 s
    expect(b.log).toEqual([`leader a@${clock.now() - 10_000}`]);
  });

  it('leader election — when the leader cannot renew it steps down after the renew deadline; the other takes over after the lease duration', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const aStore = store.connect();
    const a = candidate(clock, aStore, 'a');
    await settle();
    const b = candidate(clock, store.connect(), 'b');
    await settle();
    aStore.unavailable = true; // a is partitioned from the apiserver: its renewals stop
    await clock.advance(11_999);
    expect(a.state.leaderSignal?.aborted).toBe(false);
    await clock.advance(1); // renew attempt at 2 s + 10 s deadline
    expect(a.state.leaderSignal?.aborted).toBe(true);
    expect(a.log).toEqual(['leader a@0', 'started@0', 'work stopped@12000', 'stopped@12000']);
    await a.done; // run returns after losing
    expect(a.elector.isLeader()).toBe(false);
    await clock.advance(3_999);
    expect(b.state.leading).toBe(false); // 14 s: b last saw the record change at 0; lease 15 s
    await clock.advance(2_000);
    expect(b.state.leading).toBe(true); // first retry after 15 s (retry period 2 s)
    expect(b.log).toEqual(['leader a@0', 'leader b@16000', 'started@16000']);
    expect(store.current()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, acquireTime: formatMicroTime(16_000) });
  });

  it('leader election — releaseOnCancel clears the holder so the other candidate takes over at its next retry', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(clock, store.connect(), 'a', true);
    await settle();
    const b = candidate(clock, store.connect(), 'b');
    await clock.advance(5_000);
    a.stop();
    await a.done;
    expect(a.log).toEqual(['leader a@0', 'started@0', 'work stopped@5000', 'stopped@5000']);
    expect(store.current()?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    await clock.advance(1_000); // b retries at 6 s (every 2 s from 0)
    expect(b.state.leading).toBe(true);
    expect(store.current()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('leader election — without releaseOnCancel a stopped leader leaves the lease to expire', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = candidate(clock, store.connect(), 'a');
    await settle();
    const b = candidate(clock, store.connect(), 'b');
    await clock.advance(4_000); // a renewed at 2 s and 4 s
    a.stop();
    await a.done;
    expect(store.current()?.spec?.holderIdentity).toBe('a');
    await clock.advance(14_000); // 18 s: b saw the last change at 4 s
    expect(b.state.leading).toBe(false);
    await clock.advance(2_000); // 20 s > 4 s + 15 s
    expect(b.state.leading).toBe(true);
  });

  it('leader election — two candidates racing for a free lease: the resourceVersion conflict lets only one win', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    await store.create({ ...store.template(), spec: { holderIdentity: '', leaseTransitions: 4 } }, new AbortController().signal);
    const a = candidate(clock, store.connect(), 'a');
    const b = candidate(clock, store.connect(), 'b');
    await clock.advance(6_000);
    expect([a.state.leading, b.state.leading].filter(Boolean)).toHaveLength(1);
    expect(store.current()?.spec?.leaseTransitions).toBe(5);
  });

  it('leader election — rejects timings client-go rejects', () => {
    const lock = new MemoryLeaseStore();
    expect(() => new LeaderElector({ lock, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(/leaseDuration/);
    expect(() => new LeaderElector({ lock, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/renewDeadline/);
  });
});
