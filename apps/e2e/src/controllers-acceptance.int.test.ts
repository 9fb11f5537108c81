import type { KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';
import type { ServiceProcess } from './process.js';

// Issue 6's acceptance across controllers, with every controller of the built controller-manager running
// together (--controllers=*) on the built apiserver, scheduler and three kubelet agents (one per AZ, two nodes
// each). Timings are shortened through the same flags users have: node Lease 8 s (renewed every 2 s), node
// monitor grace 6 s, pods tolerate unreachable/not-ready for 20 s (longer than the zones take to go down one after another, so the all-zones-down rule, not luck, is what spares the pods).
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' };
const REPLICASETS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const ns = 'accept';

interface Pod extends KubeObject { spec: { nodeName?: string }; status?: { phase?: string; conditions?: { type: string; status: string }[] } }
interface Node extends KubeObject { spec?: { taints?: { key: string; effect: string }[] }; status?: { conditions?: { type: string; status: string }[] } }
interface Deployment extends KubeObject { status?: { availableReplicas?: number; replicas?: number } }

let c: ControllerCluster;
const agents = new Map<string, ServiceProcess>();
const s = (): AbortSignal => AbortSignal.timeout(10_000);

const zoneOfNode = (name: string): string => zones.find((z) => name.startsWith(`${z}-`)) ?? 'unknown';
const ready = (n: Node): string | undefined => n.status?.conditions?.find((x) => x.type === 'Ready')?.status;

function deployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m' } } }] } },
    },
  });
}

async function livePods(app: string): Promise<Pod[]> {
  const list = await c.client<Pod>(PODS, ns).listAll({ labelSelector: `app=${app}` }, s());
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

async function available(name: string, n: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(async () => (await c.client<Deployment>(DEPLOYMENTS, ns).get(name, { signal: s() })).status?.availableReplicas === n,
    { timeoutMs, intervalMs: 500, description: `deployment ${name}: ${n} available` });
}

beforeAll(async () => {
  c = await startControllerCluster(['--default-unreachable-toleration-seconds', '20', '--default-not-ready-toleration-seconds', '20']);
  c.startScheduler();
  zones.forEach((zone, i) => {
    agents.set(zone, c.startAgent({ nodes: 2, prefix: `${zone}-`, zone, offset: 2 * i, extra: ['--node-lease-duration', '8s', '--node-status-update-frequency', '2s'] }));
  });
  c.startControllerManager(['*'], [
    '--node-monitor-period', '1s', '--node-monitor-grace-period', '6s', '--node-startup-grace-period', '10s', '--node-eviction-rate', '10',
  ]);
  await waitFor(async () => (await c.client<Node>(NODES).listAll({}, s())).items.filter((n) => ready(n) === 'True').length === 6,
    { timeoutMs: 60_000, intervalMs: 500, description: '6 nodes Ready' });
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const a of agents.values()) a.signal('SIGCONT');
  await c?.dispose();
});

describe('controllers together', () => {
  it('a 10-replica Deployment spreads across the three AZs', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], deployment('web', 10))).code).toBe(0);
    await available('web', 10);
    const perZone = new Map<string, number>();
    for (const p of await livePods('web')) perZone.set(zoneOfNode(p.spec.nodeName ?? ''), (perZone.get(zoneOfNode(p.spec.nodeName ?? '')) ?? 0) + 1);
    expect([...perZone.keys()].sort()).toEqual([...zones]);
    for (const z of zones) expect(perZone.get(z)).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('delete --cascade=foreground removes the pods and ReplicaSets before the Deployment', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], deployment('fg', 3))).code).toBe(0);
    await available('fg', 3);
    const gone = new Map<string, number>();
    const watching = new AbortController();
    const watchKinds = async (gvr: typeof PODS, kind: string): Promise<void> => {
      try {
        for await (const ev of c.client<KubeObject>(gvr, ns).watch({ resourceVersion: '0' }, watching.signal)) {
          if (ev.type === 'DELETED' && (ev.object.metadata.labels?.['app'] === 'fg' || ev.object.metadata.name === 'fg')) gone.set(`${kind}/${ev.object.metadata.name ?? ''}`, Date.now());
        }
      } catch {
        // aborted below
      }
    };
    const watches = Promise.all([watchKinds(PODS, 'pod'), watchKinds(REPLICASETS, 'rs'), watchKinds(DEPLOYMENTS, 'deploy')]);
    const del = await c.kubectl(['-n', ns, 'delete', 'deployment', 'fg', '--cascade=foreground', '--wait=true', '--timeout=60s']);
    expect(del.code, del.stderr).toBe(0);
    await waitFor(() => gone.has('deploy/fg') && [...gone.keys()].filter((k) => k.startsWith('pod/')).length === 3 && [...gone.keys()].some((k) => k.startsWith('rs/')),
      { timeoutMs: 30_000, description: 'deployment, its ReplicaSet and its 3 pods deleted' });
    watching.abort();
    await watches;
    const deployGone = gone.get('deploy/fg')!;
    for (const [key, at] of gone) if (key !== 'deploy/fg') expect(at, `${key} went before the deployment`).toBeLessThanOrEqual(deployGone);
  }, 90_000);

  it('an AZ whose kubelet agent stops: its nodes go Unknown and tainted, pods are recreated in the other AZs, and all return', async () => {
    const agent = agents.get('us-east-1c')!;
    agent.signal('SIGSTOP');
    const nodes = c.client<Node>(NODES);
    await waitFor(async () => {
      const cNodes = (await nodes.listAll({}, s())).items.filter((n) => zoneOfNode(n.metadata.name ?? '') === 'us-east-1c');
      return cNodes.length === 2 && cNodes.every((n) => ready(n) === 'Unknown' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    }, { timeoutMs: 45_000, intervalMs: 500, description: 'us-east-1c nodes Unknown with the unreachable NoExecute taint' });
    await waitFor(async () => {
      const pods = await livePods('web');
      return pods.length === 10 && pods.every((p) => zoneOfNode(p.spec.nodeName ?? '') !== 'us-east-1c') ? pods : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, description: 'all 10 live web pods outside us-east-1c' });
    await available('web', 10);

    agent.signal('SIGCONT');
    await waitFor(async () => {
      const cNodes = (await nodes.listAll({}, s())).items.filter((n) => zoneOfNode(n.metadata.name ?? '') === 'us-east-1c');
      return cNodes.every((n) => ready(n) === 'True' && !n.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')));
    }, { timeoutMs: 45_000, intervalMs: 500, description: 'us-east-1c nodes Ready again, taints removed' });
  }, 150_000);

  it('all agents stopped: every node goes Unknown but no pod is evicted', async () => {
    const before = (await livePods('web')).map((p) => p.metadata.uid).sort();
    for (const a of agents.values()) a.signal('SIGSTOP');
    const nodes = c.client<Node>(NODES);
    await waitFor(async () => (await nodes.listAll({}, s())).items.every((n) => ready(n) === 'Unknown'),
      { timeoutMs: 45_000, intervalMs: 500, description: 'all nodes Unknown' });
    // Longer than the 20 s toleration plus eviction: nothing may be deleted (bounded observation of an absence).
    const until = Date.now() + 25_000;
    while (Date.now() < until) {
      expect((await livePods('web')).map((p) => p.metadata.uid).sort()).toEqual(before);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const a of agents.values()) a.signal('SIGCONT');
    await waitFor(async () => (await nodes.listAll({}, s())).items.every((n) => ready(n) === 'True'),
      { timeoutMs: 45_000, intervalMs: 500, description: 'all nodes Ready again' });
    // The controller marked the pods NotReady while their nodes were silent; the kubelets put them right again.
    await available('web', 10);
    expect((await livePods('web')).map((p) => p.metadata.uid).sort()).toEqual(before);
  }, 150_000);
});
