import { describe, expect, it } from 'vitest';
import { FakeClock } from '@ekslab/client';
import { defaultHeartbeatTiming, type Node, type NodeCondition } from '@ekslab/kubelet';
import { createLogger } from '@ekslab/runtime';
import { KubeletAgent, type AgentMetrics, type NodeApi, type NodeSpec, type StoredLease, type StoredNode, type TaskKind } from './agent.js';

/** An in-memory apiserver for one node, recording calls with the fake clock's time. */
class FakeNodeApi implements NodeApi {
  node: StoredNode | undefined;
  lease: (StoredLease & { spec: { renewTime: string } }) | undefined;
  rv = 0;
  readonly calls: Array<[string, number]> = [];
  failLease = 0;

  constructor(private readonly clock: FakeClock) {}

  private record(call: string): void {
    this.calls.push([call, this.clock.now()]);
  }
  getNode(): Promise<StoredNode | undefined> {
    this.record('getNode');
    return Promise.resolve(this.node);
  }
  createNode(node: Node): Promise<StoredNode | undefined> {
    this.record('createNode');
    if (this.node !== undefined) return Promise.resolve(undefined);
    this.node = { metadata: { name: node.metadata.name, uid: 'uid-1' }, status: { conditions: node.status.conditions } };
    return Promise.resolve(this.node);
  }
  patchStatusConditions(conditions: readonly NodeCondition[]): Promise<void> {
    this.record('patchStatus');
    this.node = { ...this.node!, status: { conditions } };
    return Promise.resolve();
  }
  getLease(): Promise<StoredLease | undefined> {
    this.record('getLease');
    return Promise.resolve(this.lease);
  }
  createLease(lease: { spec: { renewTime: string } }): Promise<StoredLease | undefined> {
    this.record('createLease');
    if (this.lease !== undefined) return Promise.resolve(undefined);
    this.lease = { metadata: { name: 'n', resourceVersion: String(++this.rv) }, spec: lease.spec };
    return Promise.resolve(this.lease);
  }
  updateLease(lease: { spec: { renewTime: string } }, resourceVersion: string): Promise<StoredLease> {
    this.record('updateLease');
    if (this.failLease > 0) {
      this.failLease--;
      return Promise.reject(new Error('injected'));
    }
    if (resourceVersion !== this.lease?.metadata.resourceVersion) return Promise.reject(new Error('Conflict'));
    this.lease = { metadata: { name: 'n', resourceVersion: String(++this.rv) }, spec: lease.spec };
    return Promise.resolve(this.lease);
  }
  times(call: string): number[] {
    return this.calls.filter(([c]) => c === call).map(([, t]) => t);
  }
}

class RecordingMetrics implements AgentMetrics {
  registered: boolean[] = [];
  lateness: number[] = [];
  errors: TaskKind[] = [];
  nodeRegistered(_n: string, adopted: boolean): void { this.registered.push(adopted); }
  leaseRenewal(lateMs: number): void { this.lateness.push(lateMs); }
  apiError(kind: TaskKind): void { this.errors.push(kind); }
  statusPatches = 0;
  hosted: number[] = [];
  statusPatched(): void { this.statusPatches++; }
  hostedNodes(count: number): void { this.hosted.push(count); }
}

const input: NodeSpec['input'] = {
  instanceId: 'i-0123456789abcdef0', instanceType: { name: 'm5.large', vcpus: 2, memoryMiB: 8192 }, maxPods: 29,
  region: 'us-east-1', availabilityZone: 'us-east-1a', privateIp: '10.0.64.10', nodegroup: 'ng', amiId: 'ami-1',
  clusterName: 'c', kubernetesVersion: 'v1.33.0',
};

function setup(nodes = 1) {
  const clock = new FakeClock(1_700_000_000_000);
  const metrics = new RecordingMetrics();
  const apis = Array.from({ length: nodes }, () => new FakeNodeApi(clock));
  const agent = new KubeletAgent(apis.map((api, i) => ({ name: `n${i}`, input, api })), {
    clock, random: () => 0, timing: defaultHeartbeatTiming, concurrency: 4, initialBackoffMs: 200, maxBackoffMs: 7_000,
    log: createLogger('kubelet-test', 'fatal'), metrics,
  });
  const ctl = new AbortController();
  const done = agent.run(ctl.signal);
  const t0 = clock.now();
  return { clock, metrics, apis, agent, t0, stop: async () => { ctl.abort(); await done; } };
}

describe('KubeletAgent', () => {
  it('registers a new node, renews its lease every 10 s and patches an unchanged status only every 5 min', async () => {
    const { clock, metrics, apis: [api], t0, stop } = setup();
    await clock.advance(10 * 60_000 + 1);
    expect(api!.times('createNode')).toEqual([t0]);
    expect(metrics.registered).toEqual([false]);
    expect(api!.times('createLease')).toEqual([t0]);
    expect(api!.times('getNode')).toEqual([]);
    expect(api!.times('getLease')).toEqual([]);
    const renewals = api!.times('updateLease');
    expect(renewals).toHaveLength(60);
    renewals.forEach((t, i) => expect(t - t0).toBe((i + 1) * 10_000));
    // Registration reported the status at t0; syncs every 10 s patch only once 5 min have passed since.
    expect(api!.times('patchStatus').map((t) => t - t0)).toEqual([300_000, 600_000]);
    expect(metrics.lateness.every((l) => l === 0)).toBe(true);
    await stop();
  });

  it('adopts an existing node: create answers AlreadyExists, the Node is kept, status reported at once, lease updated on its resourceVersion', async () => {
    const { clock, metrics, apis: [api], t0, stop } = setupWithExisting();
    await clock.advance(20_000);
    expect(api!.times('createNode')).toEqual([t0]);
    expect(api!.node?.metadata.uid).toBe('old-uid');
    expect(metrics.registered).toEqual([true]);
    expect(api!.times('patchStatus')).toEqual([t0]);
    expect(api!.times('createLease')).toEqual([t0]);
    expect(api!.times('getLease')).toEqual([t0]);
    expect(api!.times('updateLease').map((t) => t - t0)).toEqual([0, 10_000, 20_000]);
    await stop();
  });

  it('after its Lease went unrenewed for more than half its duration, the next status sync patches even an unchanged status', async () => {
    const { clock, apis: [api], t0, stop } = setup();
    await clock.advance(1);
    // Renewals fail from 10 s on (the apiserver was unreachable); the node controller may have marked it Unknown.
    api!.failLease = 7;
    await clock.advance(60_000);
    // The renewal at 29.6 s succeeds 29.6 s after the last one (> 20 s): the status sync that follows reports,
    // and none after it (unchanged, within 5 min).
    const patches = api!.times('patchStatus').map((t) => t - t0);
    expect(patches).toHaveLength(1);
    expect(patches[0]).toBeGreaterThan(29_600);
    expect(patches[0]).toBeLessThanOrEqual(40_000);
    await stop();
  });

  it('backs off a failing node on its own (200 ms doubling to 7 s) and recovers', async () => {
    const { clock, metrics, apis: [bad, good], t0, stop } = setup(2);
    await clock.advance(1);
    bad!.failLease = 7;
    await clock.advance(60_000);
    const badTimes = bad!.times('updateLease').map((t) => t - t0);
    // Renewals at 10 s … 22.6 s fail (retries after 0.2, 0.4, 0.8, 1.6, 3.2, 6.4 s), the 7th waits the 7 s cap and succeeds; then every 10 s.
    expect(badTimes.slice(0, 9)).toEqual([10_000, 10_200, 10_600, 11_400, 13_000, 16_200, 22_600, 29_600, 39_600]);
    expect(metrics.errors.filter((k) => k === 'lease')).toHaveLength(7);
    expect(good!.times('updateLease').map((t) => t - t0).slice(0, 6)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    await stop();
  });

  it('nodes added later register at once; a removed node stops renewing while the others go on', async () => {
    const { clock, metrics, apis: [first], agent, t0, stop } = setup(1);
    const later = new FakeNodeApi(clock);
    await clock.advance(5_000);
    agent.addNode({ name: 'later', input, api: later });
    agent.addNode({ name: 'later', input, api: new FakeNodeApi(clock) }); // already hosted: ignored
    await clock.advance(1);
    expect(later.times('createNode')).toEqual([t0 + 5_000]);
    expect(agent.hostedNodeNames()).toEqual(['n0', 'later']);
    await clock.advance(20_000);
    expect(agent.removeNode('n0')).toBe(true);
    expect(agent.removeNode('n0')).toBe(false);
    const renewedBefore = first!.times('updateLease').length;
    await clock.advance(60_000);
    expect(first!.times('updateLease')).toHaveLength(renewedBefore);
    expect(later.times('updateLease').map((t) => t - t0 - 5_000)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000]);
    expect(metrics.hosted).toEqual([1, 2, 1]);
    expect(agent.hostedNodeNames()).toEqual(['later']);
    await stop();
  });
});

function setupWithExisting() {
  const clock = new FakeClock(1_700_000_000_000);
  const metrics = new RecordingMetrics();
  const api = new FakeNodeApi(clock);
  api.node = { metadata: { name: 'n0', uid: 'old-uid' }, status: { conditions: [] } };
  api.lease = { metadata: { name: 'n0', resourceVersion: '7' }, spec: { renewTime: '' } };
  api.rv = 7;
  const agent = new KubeletAgent([{ name: 'n0', input, api }], {
    clock, random: () => 0, timing: defaultHeartbeatTiming, concurrency: 4, initialBackoffMs: 200, maxBackoffMs: 7_000,
    log: createLogger('kubelet-test', 'fatal'), metrics,
  });
  const ctl = new AbortController();
  const done = agent.run(ctl.signal);
  return { clock, metrics, apis: [api], t0: clock.now(), stop: async () => { ctl.abort(); await done; } };
}
