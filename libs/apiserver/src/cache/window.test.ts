import { TooOldResourceVersionError } from '@ekslab/storage';
import { describe, expect, it } from 'vitest';
import { EventWindow, type CacheEvent } from './window.js';

const ev = (revision: number, key = `/core/pods/ns/p${revision}`, recordedAt = 0): CacheEvent =>
  ({ type: 'ADDED', key, object: { metadata: { name: `p${revision}` } }, revision: BigInt(revision), recordedAt });
const revs = (events: CacheEvent[]): number[] => events.map((e) => Number(e.revision));

describe('EventWindow', () => {
  it('window — replays exactly the events after a revision, in order', () => {
    const w = new EventWindow({ lowerBound: 10, upperBound: 10, eventFreshMs: 1_000 });
    w.reset(100n);
    for (const r of [101, 103, 104, 110]) w.add(ev(r));
    expect(revs(w.since(100n))).toEqual([101, 103, 104, 110]);
    expect(revs(w.since(103n))).toEqual([104, 110]);
    expect(revs(w.since(105n))).toEqual([110]);
    expect(revs(w.since(110n))).toEqual([]);
    expect(revs(w.since(500n))).toEqual([]);
  });

  it('window — filters by key', () => {
    const w = new EventWindow({ lowerBound: 10, upperBound: 10, eventFreshMs: 1_000 });
    w.reset(1n);
    w.add(ev(2, '/core/pods/a/x'));
    w.add(ev(3, '/core/pods/b/y'));
    w.add(ev(4, '/core/pods/a/z'));
    expect(revs(w.since(1n, (k) => k.startsWith('/core/pods/a/')))).toEqual([2, 4]);
  });

  it('window — a revision before the list is too old (410 Expired, cacher wording)', () => {
    const w = new EventWindow({ lowerBound: 10, upperBound: 10, eventFreshMs: 1_000 });
    w.reset(100n);
    w.add(ev(101));
    expect(() => w.since(99n)).toThrow(TooOldResourceVersionError);
    expect(() => w.since(99n)).toThrow('too old resource version: 99 (100)');
  });

  it('window — after eviction the oldest watchable revision is the oldest event minus one', () => {
    const w = new EventWindow({ lowerBound: 3, upperBound: 3, eventFreshMs: 1_000 });
    w.reset(0n);
    for (const r of [1, 2, 5, 7, 9]) w.add(ev(r));
    expect(w.size).toBe(3);
    expect(w.oldestWatchable()).toBe(4n);
    expect(revs(w.since(4n))).toEqual([5, 7, 9]);
    const err = (() => {
      try {
        w.since(3n);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TooOldResourceVersionError);
    expect(err).toMatchObject({ code: 410, reason: 'Expired', message: 'too old resource version: 3 (4)' });
  });

  it('window — grows while full of fresh events, up to the upper bound', () => {
    const w = new EventWindow({ lowerBound: 2, upperBound: 8, eventFreshMs: 1_000 });
    w.reset(0n);
    for (let r = 1; r <= 20; r++) w.add(ev(r, undefined, r));
    expect(w.capacity).toBe(8);
    expect(w.size).toBe(8);
    expect(revs(w.since(12n))).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('window — shrinks when full of stale events, down to the lower bound', () => {
    const w = new EventWindow({ lowerBound: 2, upperBound: 8, eventFreshMs: 1_000 });
    w.reset(0n);
    for (let r = 1; r <= 8; r++) w.add(ev(r, undefined, 0));
    expect(w.capacity).toBe(8);
    w.add(ev(9, undefined, 10_000));
    expect(w.capacity).toBe(4);
    expect(revs(w.since(w.oldestWatchable()))).toEqual([6, 7, 8, 9]);
  });

  it('window — reset forgets every event', () => {
    const w = new EventWindow({ lowerBound: 4, upperBound: 4, eventFreshMs: 1_000 });
    w.reset(0n);
    w.add(ev(1));
    w.reset(50n);
    expect(w.size).toBe(0);
    expect(revs(w.since(50n))).toEqual([]);
    expect(() => w.since(49n)).toThrow('too old resource version: 49 (50)');
  });
});
