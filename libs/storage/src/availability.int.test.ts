import { setTimeout as delay } from 'node:timers/promises';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from './errors.js';
import { keyFor } from './keys.js';
import { EtcdStore } from './store.js';

const key = (ns: string, name: string): string => keyFor({ group: 'coordination.k8s.io', resource: 'leases', namespace: ns, name });
const lease = (name: string): { metadata: { name: string } } => ({ metadata: { name } });
const REQUEST_TIMEOUT_MS = 2_000;

describe('EtcdStore when etcd members die', () => {
  const etcd = useEtcdCluster({ members: 3 });
  let store: EtcdStore;
  beforeAll(() => {
    store = new EtcdStore({ endpoints: etcd().endpoints, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  });
  afterAll(() => store.close());
  afterEach(async () => {
    await etcd().restoreAll();
    await etcd().waitHealthy({ timeoutMs: 60_000 });
  }, 90_000);

  it('availability — (c) with one follower killed every read and write succeeds', async () => {
    const leader = await etcd().leaderIndex();
    await etcd().kill((leader + 1) % 3);
    for (let i = 0; i < 20; i++) {
      const created = await store.create(key('one-down', `f${i}`), lease(`f${i}`));
      expect(await store.get(key('one-down', `f${i}`))).toEqual(created);
    }
    expect((await store.list('/coordination.k8s.io/leases/one-down/')).items).toHaveLength(20);
  }, 90_000);

  it('availability — (c) with the leader killed, service resumes after an election and then every call succeeds', async () => {
    const leader = await etcd().leaderIndex();
    await etcd().kill(leader);
    await waitFor(() => store.create(key('leader-down', 'first'), lease('first')).then(() => true), {
      description: 'the first write after the leader was killed',
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    for (let i = 0; i < 20; i++) {
      const created = await store.create(key('leader-down', `l${i}`), lease(`l${i}`));
      expect(await store.get(key('leader-down', `l${i}`))).toEqual(created);
    }
  }, 90_000);

  it('availability — a watch whose member is killed ends with StorageUnavailableError', async () => {
    const single = new EtcdStore({ endpoints: [etcd().endpoint(2)], requestTimeoutMs: REQUEST_TIMEOUT_MS });
    try {
      // Member 2 may have just been restarted by an earlier test: wait until a watch on it is established.
      const watch = await waitFor(() => single.watch('/coordination.k8s.io/leases/watched/', { progressNotify: false }), {
        description: 'a watch established on member 2',
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const outcome = watch[Symbol.asyncIterator]()
        .next()
        .then((r) => r, (e: unknown) => e);
      await etcd().kill(2);
      expect(await outcome).toBeInstanceOf(StorageUnavailableError);
    } finally {
      single.close();
    }
  }, 90_000);

  it('availability — (d) with two killed calls fail as unavailable within the timeout; after recovery no acknowledged write is missing', async () => {
    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    const stopWriting = new AbortController();
    // A steady writer, as a client would be: on failure it backs off briefly (an open circuit breaker fails
    // calls synchronously, and a loop without a pause would starve the event loop).
    const writer = (async () => {
      for (let i = 0; !stopWriting.signal.aborted; i++) {
        const name = `w${String(i).padStart(5, '0')}`;
        try {
          await store.create(key('quorum', name), lease(name), { signal: stopWriting.signal });
          acknowledged.push(name);
        } catch (err) {
          if (stopWriting.signal.aborted) break;
          if (failures.length < 100) failures.push(err);
          await delay(50, undefined, { signal: stopWriting.signal }).catch(() => undefined);
        }
      }
    })();
    await waitFor(() => acknowledged.length >= 20, { description: '20 acknowledged writes', timeoutMs: 10_000 });
    await Promise.all([etcd().kill(1), etcd().kill(2)]);
    await waitFor(() => failures.length >= 2, { description: 'the writer to see failures', timeoutMs: 4 * REQUEST_TIMEOUT_MS });

    for (const call of [
      () => store.get(key('quorum', 'w00000')),
      () => store.create(key('quorum', 'during-outage'), lease('during-outage')),
      () => store.list('/coordination.k8s.io/leases/quorum/'),
    ]) {
      const started = Date.now();
      const err = await call().catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(err).toMatchObject({ retryable: true, code: 503, reason: 'ServiceUnavailable' });
      expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000);
    }
    expect(failures.every((f) => f instanceof StorageUnavailableError)).toBe(true);

    stopWriting.abort(new Error('test done writing'));
    await writer;
    await Promise.all([etcd().start(1), etcd().start(2)]);
    await etcd().waitHealthy({ timeoutMs: 60_000 });
    const names = await waitFor(
      async () => (await store.list<{ metadata: { name: string } }>('/coordination.k8s.io/leases/quorum/')).items.map((o) => o.metadata.name),
      { description: 'a list after recovery', timeoutMs: 15_000 },
    );
    const missing = acknowledged.filter((n) => !names.includes(n));
    expect(missing).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
  }, 90_000);
});
