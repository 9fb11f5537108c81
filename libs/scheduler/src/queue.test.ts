import { describe, expect, it } from 'vitest';
import { SchedulingQueue } from './queue.js';

describe('scheduler — SchedulingQueue', () => {
  it('is FIFO and hands each pod out once', () => {
    const q = new SchedulingQueue();
    q.add('a', 0);
    q.add('b', 0);
    q.add('a', 0);
    expect([q.pop(), q.pop(), q.pop()]).toEqual(['a', 'b', undefined]);
    expect(q.has('a')).toBe(true); // in flight until done
    q.done('a');
    expect(q.has('a')).toBe(false);
  });

  it('backoff doubles from 1 s and caps at 10 s', () => {
    const q = new SchedulingQueue();
    expect([1, 2, 3, 4, 5, 6].map((n) => q.backoffMs(n))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('an unschedulable pod waits for a node event, and then for the rest of its backoff', () => {
    const q = new SchedulingQueue();
    q.add('p', 0);
    q.pop();
    q.unschedulable('p', 0); // backoff until 1000
    q.flush(5_000);
    expect(q.pop()).toBeUndefined(); // no event yet: stays unschedulable
    expect(q.pending.unschedulable).toBe(1);
    q.moveAllUnschedulable(5_000);
    expect(q.pop()).toBe('p');
    q.unschedulable('p', 6_000); // second attempt: backoff 2 s, until 8000
    q.moveAllUnschedulable(7_000);
    expect(q.pop()).toBeUndefined();
    expect(q.pending.backoff).toBe(1);
    expect(q.nextBackoffExpiry()).toBe(8_000);
    q.flush(7_999);
    expect(q.pop()).toBeUndefined();
    q.flush(8_000);
    expect(q.pop()).toBe('p');
  });

  it('pods unschedulable longer than the max duration are retried without an event', () => {
    const q = new SchedulingQueue({ maxInUnschedulableMs: 60_000 });
    q.add('p', 0);
    q.pop();
    q.unschedulable('p', 0);
    q.flush(59_999);
    expect(q.pop()).toBeUndefined();
    q.flush(60_000);
    expect(q.pop()).toBe('p');
  });

  it('a pod update moves an unschedulable pod; errors retry after backoff; delete and done forget', () => {
    const q = new SchedulingQueue();
    q.add('p', 0);
    q.pop();
    q.unschedulable('p', 0);
    q.add('p', 2_000);
    expect(q.pop()).toBe('p');
    q.retry('p', 2_000); // attempt 2: 2 s
    q.flush(3_999);
    expect(q.pop()).toBeUndefined();
    q.flush(4_000);
    expect(q.pop()).toBe('p');
    q.done('p');
    q.add('p', 5_000); // a new pod under the same key starts fresh
    q.delete('p');
    expect(q.pop()).toBeUndefined();
    expect(q.pending).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
  });
});

describe('scheduler — queue priority (PrioritySort)', () => {
  it('pops higher priority first, FIFO among equals, also after backoff', () => {
    const q = new SchedulingQueue({ initialBackoffMs: 10 });
    q.add('low-1', 0, 0);
    q.add('high', 0, 100);
    q.add('low-2', 0, 0);
    q.add('mid', 0, 50);
    expect([q.pop(), q.pop()]).toEqual(['high', 'mid']);
    q.retry('mid', 0);
    q.flush(20);
    expect([q.pop(), q.pop(), q.pop()]).toEqual(['mid', 'low-1', 'low-2']);
  });
});
