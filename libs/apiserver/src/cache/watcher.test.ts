import type { WatchEvent } from '@ekslab/storage';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../rest/objects.js';
import { CacheWatcher, keyMatcher } from './watcher.js';
import type { CacheEvent } from './window.js';

const ev = (revision: number, key = `/core/pods/ns/p${revision}`): CacheEvent =>
  ({ type: 'ADDED', key, object: { metadata: { name: key.split('/').pop()! } }, revision: BigInt(revision), recordedAt: 0 });

/** Reads what is queued now (the iterator never waits on an empty queue here: the watcher is closed after). */
async function drain(w: CacheWatcher, count: number): Promise<WatchEvent<KubeObject>[]> {
  const out: WatchEvent<KubeObject>[] = [];
  const it = w[Symbol.asyncIterator]();
  while (out.length < count) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('CacheWatcher', () => {
  it('watcher — replay first, then live events after its start revision, for its keys only', async () => {
    const closed: CacheWatcher[] = [];
    const w = new CacheWatcher('/core/pods/ns/', 5n, [ev(4), ev(6), ev(7, '/core/pods/other/x')], 10, () => 9n, (c) => closed.push(c));
    expect(w.dispatch(ev(5))).toBe(true);
    expect(w.dispatch(ev(8))).toBe(true);
    expect(w.dispatch(ev(9, '/core/pods/other/y'))).toBe(true);
    w.requestProgress();
    const got = await drain(w, 3);
    expect(got.map((e) => [e.type, e.resourceVersion])).toEqual([['ADDED', '6'], ['ADDED', '8'], ['BOOKMARK', '9']]);
    w.close();
    expect(closed).toEqual([w]);
  });

  it('watcher — a watcher whose queue is full is terminated, and its iteration ends', async () => {
    const w = new CacheWatcher('/core/pods/', 0n, [], 2, () => 0n, () => undefined);
    expect(w.dispatch(ev(1))).toBe(true);
    expect(w.dispatch(ev(2))).toBe(true);
    expect(w.dispatch(ev(3))).toBe(false);
    expect(w.terminated).toBe('unresponsive');
    expect(await drain(w, 5)).toEqual([]);
  });

  it('watcher — aborting the signal rejects the iteration with its reason', async () => {
    const ac = new AbortController();
    const w = new CacheWatcher('/core/pods/', 0n, [], 2, () => 0n, () => undefined, ac.signal);
    const next = w[Symbol.asyncIterator]().next();
    ac.abort(new Error('client went away'));
    await expect(next).rejects.toThrow('client went away');
  });

  it('watcher — a waiting reader wakes on dispatch', async () => {
    const w = new CacheWatcher('/core/pods/ns/a', 0n, [], 5, () => 0n, () => undefined);
    const it = w[Symbol.asyncIterator]();
    const next = it.next();
    w.dispatch(ev(1, '/core/pods/ns/ab'));
    w.dispatch(ev(2, '/core/pods/ns/a'));
    expect((await next).value).toMatchObject({ type: 'ADDED', resourceVersion: '2' });
    w.close();
  });

  it('keyMatcher — a prefix ends in /, anything else is one key', () => {
    expect(keyMatcher('/core/pods/a/')('/core/pods/a/x')).toBe(true);
    expect(keyMatcher('/core/pods/a/')('/core/pods/ab/x')).toBe(false);
    expect(keyMatcher('/core/pods/a/x')('/core/pods/a/xy')).toBe(false);
    expect(keyMatcher('/core/pods/a/x')('/core/pods/a/x')).toBe(true);
  });
});
