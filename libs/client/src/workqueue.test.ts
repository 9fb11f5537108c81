import { describe, expect, it } from 'vitest';
import { TerminalError } from './errors.js';
import { FakeClock, settle } from './fake-clock.js';
import { BucketRateLimiter, ItemExponentialRateLimiter, defaultControllerRateLimiter } from './rate-limiters.js';
import { runWorkers } from './workers.js';
import { WorkQueue } from './workqueue.js';

describe('workqueue', () => {
  it('workqueue — dedups keys that are queued', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('workqueue — a key being processed is not handed out again until done, then re-queued once', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0); // dirty, not queued
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await settle();
    expect(second).toBeUndefined();
    q.done('a');
    await settle();
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('workqueue — addAfter waits on the clock and the earliest delay wins', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 200); // later than pending: ignored
    await clock.advance(49);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    await clock.advance(200);
    expect(q.len()).toBe(1); // superseded timers do not add twice
  });

  it('rate limiter — per-item backoff 5ms, 10ms, 20ms… capped, forget resets', () => {
    const rl = new ItemExponentialRateLimiter(5, 1_000_000);
    const seq = Array.from({ length: 5 }, () => rl.when('a'));
    expect(seq).toEqual([5, 10, 20, 40, 80]);
    expect(rl.numRequeues('a')).toBe(5);
    expect(rl.when('b')).toBe(5); // per item
    for (let i = 0; i < 30; i++) rl.when('a');
    expect(rl.when('a')).toBe(1_000_000);
    for (let i = 0; i < 2000; i++) rl.when('a');
    expect(rl.when('a')).toBe(1_000_000); // no overflow
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(5);
  });

  it('rate limiter — token bucket: burst 100 free, then 100 ms apart at 10 qps, refills with time', async () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter(10, 100, clock);
    const delays = Array.from({ length: 103 }, (_, i) => rl.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(delays.slice(100).map((d) => Math.round(d))).toEqual([100, 200, 300]);
    await clock.advance(10_000);
    expect(rl.when('x')).toBe(0);
  });

  it('rate limiter — default controller limiter is the max of item backoff and bucket', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter(clock);
    expect([rl.when('a'), rl.when('a'), rl.when('a')]).toEqual([5, 10, 20]);
    for (let i = 0; i < 97; i++) rl.when(`other${i}`); // bucket now empty (3 + 97 = 100)
    expect(Math.round(rl.when('fresh'))).toBe(100); // bucket dominates a fresh key's 5 ms
    expect(rl.numRequeues('a')).toBe(3);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
  });

  it('workqueue — addRateLimited delays by the backoff sequence', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1000) });
    q.addRateLimited('a');
    await clock.advance(4);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    q.addRateLimited('a');
    await clock.advance(9);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    expect(q.numRequeues('a')).toBe(2);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
  });

  it('workqueue — shutDown ignores new adds, hands out what is queued, then undefined', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('a');
    q.addAfter('late', 10);
    q.shutDown();
    q.add('b');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBeUndefined();
    await clock.advance(10);
    expect(q.len()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('workqueue — shutDownWithDrain waits for keys being processed', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    const key = await q.get();
    let drained = false;
    const draining = q.shutDownWithDrain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    q.done(key!);
    await draining;
    expect(drained).toBe(true);
  });
});

describe('runWorkers', () => {
  it('runWorkers — success forgets, errors back off, terminal errors stop, requeueAfter polls', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1000) });
    const calls: string[] = [];
    let failures = 2;
    const ac = new AbortController();
    const running = runWorkers(
      q,
      2,
      (key) => {
        calls.push(`${key}@${clock.now()}`);
        if (key === 'flaky' && failures-- > 0) return Promise.reject(new Error('boom'));
        if (key === 'bad') return Promise.reject(new TerminalError('invalid spec'));
        if (key === 'poll' && clock.now() < 100) return Promise.resolve({ requeueAfter: 100 });
        return Promise.resolve();
      },
      ac.signal,
    );
    q.add('flaky');
    q.add('bad');
    q.add('poll');
    await settle();
    await clock.advance(5); // first retry of flaky after 5 ms
    await clock.advance(10); // second after 10 ms more
    await clock.advance(100); // poll again
    expect(calls).toEqual(['flaky@0', 'bad@0', 'poll@0', 'flaky@5', 'flaky@15', 'poll@100']);
    expect(q.numRequeues('flaky')).toBe(0); // forgotten after success
    expect(q.numRequeues('bad')).toBe(0);
    ac.abort();
    await running;
    expect(q.isShuttingDown()).toBe(true);
  });

  it('runWorkers — never runs one key twice at once, and an aborted reconcile is not retried', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const ac = new AbortController();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const running = runWorkers(
      q,
      4,
      async (_key, signal) => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        try {
          await clock.sleep(10, signal);
        } finally {
          active--;
        }
      },
      ac.signal,
    );
    q.add('a');
    await settle();
    q.add('a'); // while processing: dirty
    q.add('a');
    await clock.advance(10);
    await clock.advance(10);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    q.add('a');
    await settle();
    ac.abort(); // in-flight reconcile rejects with the abort reason
    await running;
    expect(runs).toBe(3);
    expect(q.numRequeues('a')).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});
