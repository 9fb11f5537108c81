import { ApiError, FakeClock, Store, type Lease, type ResourceClient } from '@ekslab/client';
import { Status } from '@ekslab/proto';
import { createLogger } from '@ekslab/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { POD_NODE_INDEX, podNodeIndexFunc, type Node, type Pod, type Taint } from '../../controller-utils/index.js';
import { FakeRecorder } from '../../framework/recorder.js';
import { ControllerManagerMetrics } from '../../metrics.js';
import { NodeLifecycleController } from './controller.js';

const t0 = Date.parse('2026-11-22T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The API's nodes (what a live GET sees) next to the controller's cache, which the test moves by hand. */
function setup(zones: Record<string, number>) {
  const clock = new FakeClock(t0);
  const api = new Map<string, Node>();
  const nodes = new Store<Node>();
  const leases = new Store<Lease>();
  let rv = 0;
  for (const [zone, n] of Object.entries(zones)) {
    for (let i = 0; i < n; i++) {
      const node: Node = {
        metadata: { name: `${zone}-${i}`, resourceVersion: String(++rv), creationTimestamp: iso(t0 - 60_000), labels: { 'topology.kubernetes.io/region': 'us-east-1', 'topology.kubernetes.io/zone': zone } },
        spec: { taints: [] }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso(t0) }] },
      };
      api.set(node.metadata.name ?? '', node);
      nodes.upsert(node);
    }
  }
  const nodesApi = {
    get: (name: string) => Promise.resolve(structuredClone(api.get(name)!)),
    update: (n: Node) => {
      const cur = api.get(n.metadata.name ?? '')!;
      if (cur.metadata.resourceVersion !== n.metadata.resourceVersion) return Promise.reject(new ApiError(Status.create({ status: 'Failure', code: 409, reason: 'Conflict', message: 'the object has been modified' })));
      const next = { ...n, metadata: { ...n.metadata, resourceVersion: String(++rv) } };
      api.set(n.metadata.name ?? '', next);
      return Promise.resolve(next);
    },
  } as unknown as ResourceClient<Node>;
  const podsApi = { patch: () => Promise.resolve({}) } as unknown as ResourceClient<Pod>;
  const controller = new NodeLifecycleController({
    nodes, pods: new Store<Pod>({ [POD_NODE_INDEX]: podNodeIndexFunc }), leases, nodesApi, podsApi,
    recorder: new FakeRecorder(), clock, log: createLogger('nlc-test', 'fatal'), metrics: new ControllerManagerMetrics(new Registry(), 'kcm').nodeCollector(),
    monitorPeriodMs: 1_000, monitorGraceMs: 6_000, startupGraceMs: 10_000, evictionRate: 100, secondaryEvictionRate: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55,
  });
  /** Renews the Leases of these zones' nodes now. */
  const renew = (...zs: string[]): void => {
    for (const n of api.values()) {
      const zone = n.metadata.labels?.['topology.kubernetes.io/zone'] ?? '';
      if (zs.includes(zone)) leases.upsert({ metadata: { name: n.metadata.name, namespace: 'kube-node-lease' }, spec: { renewTime: new Date(clock.now()).toISOString() } });
    }
  };
  /** Copies the API's nodes into the cache (the informer catching up). */
  const sync = (): void => {
    for (const n of api.values()) nodes.upsert(structuredClone(n));
  };
  const noExecute = (name: string): Taint[] => (api.get(name)?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
  const signal = new AbortController().signal;
  const pass = async (): Promise<void> => {
    await controller.monitorNodeHealth(signal);
    sync();
    await (controller as unknown as { taintingPass(s: AbortSignal): Promise<void> }).taintingPass(signal);
  };
  return { clock, controller, renew, sync, noExecute, pass, signal, nodes };
}

describe('NodeLifecycleController', () => {
  it('one zone silent: its nodes go Unknown and get the unreachable NoExecute taint; the others are untouched', async () => {
    const { clock, controller, renew, noExecute, pass } = setup({ 'us-east-1a': 2, 'us-east-1b': 2 });
    renew('us-east-1a', 'us-east-1b');
    await pass();
    for (let s = 0; s < 8; s++) {
      await clock.advance(1_000);
      renew('us-east-1b');
      await pass();
    }
    expect(controller.zoneState('us-east-1a')).toBe('FullDisruption');
    expect(controller.zoneState('us-east-1b')).toBe('Normal');
    expect(noExecute('us-east-1a-0').map((t) => t.key)).toEqual(['node.kubernetes.io/unreachable']);
    expect(noExecute('us-east-1b-0')).toEqual([]);
  });

  it('every zone silent: the NoExecute taints come off even when the cache has not seen them yet, and none comes back', async () => {
    const { clock, controller, renew, sync, noExecute, pass, signal, nodes } = setup({ 'us-east-1a': 2, 'us-east-1b': 2 });
    renew('us-east-1a', 'us-east-1b');
    await pass();
    // Zone a goes silent first and gets tainted.
    for (let s = 0; s < 8; s++) {
      await clock.advance(1_000);
      renew('us-east-1b');
      await pass();
    }
    expect(noExecute('us-east-1a-1').map((t) => t.key)).toEqual(['node.kubernetes.io/unreachable']);
    // Zone b goes silent. The cache the monitor passes read has not seen zone a's taints (an informer behind
    // the tainting pass): the removal on entering master disruption mode must not trust it.
    for (let s = 0; s < 8; s++) {
      await clock.advance(1_000);
      for (const n of ['us-east-1a-0', 'us-east-1a-1']) {
        const cached = nodes.get(n)!;
        // The version before the taint went on (a stale cache holds an older resourceVersion too).
        nodes.upsert({ ...cached, metadata: { ...cached.metadata, resourceVersion: String(Number(cached.metadata.resourceVersion) - 1) }, spec: { ...cached.spec, taints: [] } });
      }
      await controller.monitorNodeHealth(signal);
      sync();
      await (controller as unknown as { taintingPass(s: AbortSignal): Promise<void> }).taintingPass(signal);
    }
    sync();
    expect(controller.zoneState('us-east-1a')).toBe('FullDisruption');
    expect(controller.zoneState('us-east-1b')).toBe('FullDisruption');
    for (const n of ['us-east-1a-0', 'us-east-1a-1', 'us-east-1b-0', 'us-east-1b-1']) expect(noExecute(n), n).toEqual([]);
    for (let s = 0; s < 5; s++) {
      await clock.advance(1_000);
      await pass();
    }
    for (const n of ['us-east-1a-0', 'us-east-1b-0']) expect(noExecute(n), n).toEqual([]);
  });
});
