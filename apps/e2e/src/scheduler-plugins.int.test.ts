import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { ResourceClient, isNotFound, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { ServiceProcess, repoRoot } from './process.js';

// Two built scheduler replicas against the built apiserver on real etcd, Node objects made by hand (no kubelet):
// PodTopologySpread over three zones, required anti-affinity one pod per node with kube's exact FailedScheduling
// message, preemption of a low-priority pod, then the leader SIGKILLed and the standby taking the Lease and the
// pending pods, each pod bound once. Each test's pods select their own node group by a nodeSelector.
// Needs `npx nx run-many -t build -p apiserver scheduler`.
let fx: ApiserverFixture;
const replicas: ServiceProcess[] = [];
let service: ResourceServiceClient;
let pods: ResourceClient<PodObj>;
let nodes: ResourceClient;
let events: ResourceClient<EventObj>;

const lease = { durationMs: 2_000, renewMs: 1_500, retryMs: 250 };

interface PodObj extends KubeObject {
  spec: Record<string, unknown> & { nodeName?: string };
  status?: { phase?: string; nominatedNodeName?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface EventObj extends KubeObject {
  involvedObject: { kind: string; name: string; uid?: string };
  related?: { name: string };
  reason: string; type: string; message: string; reportingComponent?: string;
}

const signal = (): AbortSignal => AbortSignal.timeout(15_000);
const gvr = (resource: string, group = '') => ({ group, version: 'v1', resource });

async function addNode(name: string, labels: Record<string, string>, cpu = '2'): Promise<void> {
  const status = { allocatable: { cpu, memory: '8Gi', pods: '29' }, capacity: { cpu, memory: '8Gi', pods: '29' } };
  await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: {}, status } as KubeObject, { signal: signal() });
  await nodes.patch(name, 'merge', { status }, { signal: signal(), subresource: 'status' });
}

function addPod(name: string, group: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}, cpu = '100m'): Promise<PodObj> {
  return pods.create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { group, ...labels } },
    spec: { nodeSelector: { group }, containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu, memory: '64Mi' } } }], ...extra },
  }, { signal: signal() });
}

const get = (name: string): Promise<PodObj> => pods.get(name, { signal: signal() });
const allEvents = async (): Promise<EventObj[]> => (await events.listAll({}, signal())).items;

async function boundAll(names: readonly string[], timeoutMs = 20_000): Promise<string[]> {
  return waitFor(async () => {
    const got = await Promise.all(names.map(async (n) => (await get(n)).spec.nodeName));
    return got.every((n) => n !== undefined) ? got : undefined;
  }, { description: `${names.join(', ')} to be bound`, timeoutMs });
}

function startReplica(): ServiceProcess {
  return new ServiceProcess('scheduler', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--leader-elect-lease-duration', `${lease.durationMs}ms`, '--leader-elect-renew-deadline', `${lease.renewMs}ms`, '--leader-elect-retry-period', `${lease.retryMs}ms`,
    '--pod-initial-backoff', '200ms', '--pod-max-backoff', '1s',
  ]);
}

const isLeader = (p: ServiceProcess): boolean => p.logs.some((r) => r['msg'] === 'caches synced; scheduling');
const identityOf = (p: ServiceProcess): string | undefined => p.logs.find((r) => typeof r['identity'] === 'string')?.['identity'] as string | undefined;

beforeAll(async () => {
  fx = await startApiserver();
  service = new ResourceServiceClient(fx.grpcAddress, credentials.createSsl(Buffer.from(fx.ca)));
  pods = new ResourceClient<PodObj>({ service, gvr: gvr('pods'), namespace: 'default', token: fx.adminToken });
  nodes = new ResourceClient({ service, gvr: gvr('nodes'), token: fx.adminToken });
  events = new ResourceClient<EventObj>({ service, gvr: gvr('events'), namespace: 'default', token: fx.adminToken });
  replicas.push(startReplica(), startReplica());
  await waitFor(() => replicas.some(isLeader) || undefined, { description: 'one replica to lead', timeoutMs: 30_000 });
}, 90_000);

afterAll(async () => {
  for (const r of replicas) r.dispose();
  service?.close();
  await fx?.dispose();
});

describe('scheduler plugins (e2e)', () => {
  it('PodTopologySpread (zone, maxSkew 1, DoNotSchedule) puts 2 of 6 pods in each of 3 zones', async () => {
    for (const z of ['a', 'b', 'c']) {
      for (const i of [1, 2]) await addNode(`spread-${z}${i}`, { group: 'spread', 'topology.kubernetes.io/zone': `us-east-1${z}` });
    }
    const names = Array.from({ length: 6 }, (_, i) => `spread-${i}`);
    for (const n of names) {
      await addPod(n, 'spread', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }] }, { app: 'spread' });
    }
    const placed = await boundAll(names);
    const perZone = new Map<string, number>();
    for (const n of placed) perZone.set(n.slice(-2, -1), (perZone.get(n.slice(-2, -1)) ?? 0) + 1);
    expect(Object.fromEntries(perZone)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('required pod anti-affinity puts one pod per node; the extra pod gets kube\'s FailedScheduling message', async () => {
    for (const i of [1, 2, 3]) await addNode(`anti-${i}`, { group: 'anti' });
    const anti = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'anti' } }, topologyKey: 'kubernetes.io/hostname' }] } } };
    for (const i of [1, 2, 3]) await addPod(`anti-${i}`, 'anti', anti, { app: 'anti' });
    const placed = await boundAll(['anti-1', 'anti-2', 'anti-3']);
    expect(new Set(placed)).toEqual(new Set(['anti-1', 'anti-2', 'anti-3']));
    // A fourth replica fails its own anti-affinity (checked before the placed pods' one)…
    await addPod('anti-4', 'anti', anti, { app: 'anti' });
    // …a plain pod with the same label is kept out by the placed pods' anti-affinity (symmetry).
    await addPod('anti-other', 'anti', {}, { app: 'anti' });
    const failed = (pod: string) => waitFor(async () => (await allEvents()).find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === pod), { description: `FailedScheduling of ${pod}`, timeoutMs: 15_000 });
    const tail = ', 6 node(s) didn\'t match Pod\'s node affinity/selector. preemption: 0/9 nodes are available: 3 No preemption victims found for incoming pod, 6 Preemption is not helpful for scheduling.';
    expect(await failed('anti-4')).toMatchObject({ type: 'Warning', reportingComponent: 'default-scheduler', message: `0/9 nodes are available: 3 node(s) didn't match pod anti-affinity rules${tail}` });
    expect(await failed('anti-other')).toMatchObject({ type: 'Warning', message: `0/9 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules${tail}` });
    expect((await get('anti-4')).spec.nodeName).toBeUndefined();
  });

  it('a high-priority pod preempts a low-priority one: nominatedNodeName, the victim deleted with a Preempted event, then bound', async () => {
    const classes = new ResourceClient({ service, gvr: gvr('priorityclasses', 'scheduling.k8s.io'), token: fx.adminToken });
    await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ekslab-high' }, value: 1000 } as KubeObject, { signal: signal() });
    await addNode('prio-1', { group: 'prio' }, '1');
    await addPod('low', 'prio', { terminationGracePeriodSeconds: 0 }, {}, '800m');
    expect(await boundAll(['low'])).toEqual(['prio-1']);
    const high = await addPod('high', 'prio', { priorityClassName: 'ekslab-high' }, {}, '500m');
    expect(await boundAll(['high'])).toEqual(['prio-1']);
    await waitFor(async () => {
      try {
        await get('low');
        return undefined;
      } catch (err) {
        return isNotFound(err) || undefined;
      }
    }, { description: 'the victim to be deleted', timeoutMs: 10_000 });
    const evs = await allEvents();
    expect(evs.find((e) => e.reason === 'Preempted' && e.involvedObject.name === 'low')).toMatchObject({
      type: 'Normal', message: `Preempted by pod ${high.metadata.uid} on node prio-1`, related: { name: 'high' },
    });
    expect(evs.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'high')?.message)
      .toBe('0/10 nodes are available: 1 Insufficient cpu, 9 node(s) didn\'t match Pod\'s node affinity/selector.');
    expect((await get('high')).status?.nominatedNodeName).toBe('prio-1');
  });

  it('`ekslab bench scheduler` at small scale: every pod bound, the JSON line\'s shape, its nodes and pods removed', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [resolve(repoRoot, 'apps/cli/bin/ekslab.mjs'), 'bench', 'scheduler', '-o', 'json', '--nodes', '50', '--pods', '100', '--concurrency', '8', '--timeout', '60', '--kubeconfig', fx.kubeconfig],
      { cwd: repoRoot, timeout: 120_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as { target: string; params: { nodes: number; pods: number }; metrics: Record<string, number>; machine: { cpus: number } };
    expect(result).toMatchObject({ target: 'scheduler', params: { nodes: 50, pods: 100 } });
    expect(result.metrics).toMatchObject({ podsBound: 100 });
    expect(result.metrics['podsPerSecond']).toBeGreaterThan(0);
    expect(result.metrics['p99BindMs']).toBeGreaterThanOrEqual(result.metrics['p50BindMs']!);
    expect(result.machine.cpus).toBeGreaterThan(0);
    const left = await nodes.listAll({ labelSelector: 'ekslab.io/bench' }, signal());
    expect(left.items).toEqual([]);
  }, 150_000);

  it('leader SIGKILLed: the standby holds the Lease within lease + retry and schedules the pending pods, each bound once', async () => {
    await addNode('ha-1', { group: 'ha' }, '8');
    await addNode('ha-2', { group: 'ha' }, '8');
    const leader = replicas.find(isLeader)!;
    const standby = replicas.find((r) => r !== leader)!;
    const standbyId = identityOf(standby);
    expect(standbyId).toBeDefined();
    const before = Array.from({ length: 10 }, (_, i) => `ha-before-${i}`);
    for (const n of before) await addPod(n, 'ha');
    // Kill while the leader may be mid-way through this batch.
    leader.signal('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    const after = Array.from({ length: 10 }, (_, i) => `ha-after-${i}`);
    for (const n of after) await addPod(n, 'ha');
    const leases = new ResourceClient<KubeObject & { spec?: { holderIdentity?: string } }>({ service, gvr: gvr('leases', 'coordination.k8s.io'), namespace: 'kube-system', token: fx.adminToken });
    await waitFor(async () => (await leases.get('kube-scheduler', { signal: signal() })).spec?.holderIdentity === standbyId || undefined,
      { description: 'the standby to hold the Lease', timeoutMs: 10_000, intervalMs: 50 });
    const tookOverMs = Date.now() - killedAt;
    // lease + retry, plus this test's 50 ms polling and process scheduling on a loaded machine.
    expect(tookOverMs).toBeLessThanOrEqual(lease.durationMs + lease.retryMs + 750);
    const placed = await boundAll([...before, ...after], 30_000);
    const names = [...before, ...after];
    const scheduled = await waitFor(async () => {
      const evs = (await allEvents()).filter((e) => e.reason === 'Scheduled' && names.includes(e.involvedObject.name));
      return after.every((n) => evs.some((e) => e.involvedObject.name === n)) ? evs : undefined;
    }, { description: 'Scheduled events of the pods created after the kill', timeoutMs: 15_000 });
    names.forEach((n, i) => {
      const mine = scheduled.filter((e) => e.involvedObject.name === n);
      // The killed leader may have bound a pod without getting to write its event; never two events, never a second node.
      expect(mine.length, n).toBeLessThanOrEqual(1);
      if (after.includes(n)) expect(mine.length, n).toBe(1);
      for (const e of mine) expect(e.message).toBe(`Successfully assigned default/${n} to ${placed[i]}`);
    });
  });
});
