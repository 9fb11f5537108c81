import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { useEtcdCluster } from './vitest.js';
import { waitFor } from './wait.js';

describe('etcd cluster harness', () => {
  const etcd = useEtcdCluster({ members: 3 });
  let client: Etcd3 | undefined;
  const kv = (): Etcd3 => (client ??= new Etcd3({ hosts: etcd().endpoints }));
  afterEach(async () => {
    await etcd().restoreAll();
    await etcd().waitHealthy();
  });
  afterAll(() => client?.close());

  it('etcd harness — three members, one agreed leader, one revision history', async () => {
    const { members } = await kv().cluster.memberList({});
    expect(members.map((m) => m.name).sort()).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
    expect(await etcd().leaderIndex()).toBeGreaterThanOrEqual(0);
    await kv().put('harness/a').value('1');
    for (const endpoint of etcd().endpoints) {
      const single = new Etcd3({ hosts: [endpoint] });
      expect(await single.get('harness/a').string()).toBe('1');
      single.close();
    }
  });

  it('etcd harness — a killed leader is replaced and writes continue; restarted, it rejoins with the data', async () => {
    const leader = await etcd().leaderIndex();
    await etcd().kill(leader);
    const others = etcd().liveIndices();
    expect(others).toHaveLength(2);
    await waitFor(async () => (await etcd().leaderIndex(others)) !== leader, { description: 'a new leader', timeoutMs: 10_000 });
    await waitFor(() => kv().put('harness/after-kill').value('yes').then(() => true), { description: 'a write with one member down', timeoutMs: 10_000 });
    await etcd().start(leader);
    await etcd().waitHealthy();
    const out = await etcd().etcdctl(leader, ['get', '--consistency=s', '--print-value-only', 'harness/after-kill']);
    expect(out.trim()).toBe('yes');
  }, 60_000);

  it('etcd harness — the peers of an isolated member keep quorum; reconnected, it catches up', async () => {
    const victim = ((await etcd().leaderIndex()) + 1) % 3;
    await etcd().isolate(victim);
    expect(etcd().liveIndices()).not.toContain(victim);
    await etcd().waitHealthy();
    await waitFor(() => kv().put('harness/while-isolated').value('yes').then(() => true), { description: 'a write while isolated', timeoutMs: 10_000 });
    await etcd().reconnect(victim);
    await etcd().waitHealthy({ indices: [0, 1, 2] });
    await waitFor(
      async () => (await etcd().etcdctl(victim, ['get', '--consistency=s', '--print-value-only', 'harness/while-isolated'])).trim() === 'yes',
      { description: `etcd-${victim} to catch up`, timeoutMs: 10_000 },
    );
  }, 60_000);

  it('etcd harness — a paused member stops answering within a deadline, then recovers', async () => {
    await etcd().pause(2);
    const single = new Etcd3({ hosts: [etcd().endpoint(2)] });
    try {
      await expect(single.get('harness/a').options({ deadline: Date.now() + 500 }).string()).rejects.toThrow();
    } finally {
      single.close();
    }
    await etcd().unpause(2);
    await etcd().waitHealthy({ indices: [0, 1, 2] });
  }, 60_000);
});
