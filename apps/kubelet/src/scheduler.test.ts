import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '@ekslab/client';
import { Scheduler, TimerHeap } from './scheduler.js';

describe('TimerHeap', () => {
  it('pops in due order, ties in insertion order', () => {
    const h = new TimerHeap<string>();
    const times = [50, 10, 40, 10, 30, 20, 60, 0];
    times.forEach((t, i) => h.push(t, `${t}/${i}`));
    const out: string[] = [];
    for (let e = h.pop(); e; e = h.pop()) out.push(e.item);
    expect(out).toEqual(['0/7', '10/1', '10/3', '20/5', '30/4', '40/2', '50/0', '60/6']);
    expect(h.size).toBe(0);
  });
});

describe('Scheduler', () => {
  it('runs each item on its own sliding schedule with a single pending timer', async () => {
    const clock = new FakeClock(0);
    const runs: Array<[string, number]> = [];
    const period: Record<string, number> = { a: 100, b: 250 };
    const s = new Scheduler<string>({
      clock, concurrency: 10,
      run: (item) => {
        runs.push([item, clock.now()]);
        return Promise.resolve(clock.now() + period[item]!);
      },
    });
    const ctl = new AbortController();
    s.schedule(100, 'a');
    s.schedule(250, 'b');
    const done = s.run(ctl.signal);
    await settle();
    expect(clock.pending()).toBe(1);
    await clock.advance(600);
    expect(runs).toEqual([['a', 100], ['a', 200], ['b', 250], ['a', 300], ['a', 400], ['b', 500], ['a', 500], ['a', 600]]);
    expect(clock.pending()).toBe(1);
    ctl.abort();
    await done;
  });

  it('wakes for an item scheduled earlier than the one it sleeps for', async () => {
    const clock = new FakeClock(0);
    const runs: Array<[string, number]> = [];
    const s = new Scheduler<string>({ clock, concurrency: 1, run: (item) => { runs.push([item, clock.now()]); return Promise.resolve(undefined); } });
    const ctl = new AbortController();
    s.schedule(1_000, 'late');
    const done = s.run(ctl.signal);
    await settle();
    s.schedule(10, 'early');
    await clock.advance(1_000);
    expect(runs).toEqual([['early', 10], ['late', 1_000]]);
    ctl.abort();
    await done;
  });

  it('bounds concurrency; tasks waiting for a slot start late and report it', async () => {
    const clock = new FakeClock(0);
    const late: Record<string, number> = {};
    let running = 0;
    let maxRunning = 0;
    const s = new Scheduler<string>({
      clock, concurrency: 2,
      onStart: (item, lateMs) => { late[item] = lateMs; },
      run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await clock.sleep(30, new AbortController().signal);
        running--;
        return undefined;
      },
    });
    const ctl = new AbortController();
    for (const x of ['a', 'b', 'c', 'd', 'e']) s.schedule(0, x);
    const done = s.run(ctl.signal);
    await clock.advance(100);
    expect(maxRunning).toBe(2);
    expect(late).toEqual({ a: 0, b: 0, c: 30, d: 30, e: 60 });
    ctl.abort();
    await done;
  });

  it('stops on abort, waits for running tasks and does not reschedule them', async () => {
    const clock = new FakeClock(0);
    let runs = 0;
    const s = new Scheduler<string>({
      clock, concurrency: 1,
      run: async () => { runs++; await clock.sleep(50, new AbortController().signal); return clock.now() + 10; },
    });
    const ctl = new AbortController();
    s.schedule(0, 'x');
    const done = s.run(ctl.signal);
    await clock.advance(10);
    ctl.abort();
    let finished = false;
    void done.then(() => { finished = true; });
    await settle();
    expect(finished).toBe(false);
    await clock.advance(100);
    await done;
    expect(runs).toBe(1);
    expect(s.pending).toBe(0);
  });
});
