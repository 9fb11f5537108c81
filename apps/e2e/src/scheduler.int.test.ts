import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { ResourceClient, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { ServiceProcess } from './process.js';

// The built scheduler against the built apiserver on real etcd: three hand-made Node objects (one tainted), pods
// bound by LeastAllocated spreading, a pod too big for any node left Pending with kube-scheduler's exact
// FailedScheduling message (event and PodScheduled condition), then scheduled once a bigger node appears.
// Needs `npx nx run-many -t build -p apiserver scheduler`.
let fx: ApiserverFixture;
let scheduler: ServiceProcess;
let service: ResourceServiceClient;
let pods: ResourceClient<PodObj>;
let nodes: ResourceClient;
let events: ResourceClient<EventObj>;

interface PodObj extends KubeObject {
  spec: { nodeName?: string; containers: unknown[] };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface EventObj extends KubeObject {
  involvedObject: { kind: string; name: string };
  reason: string; type: string; message: string; reportingComponent?: string; source?: { component?: string };
}

const signal = (): AbortSignal => AbortSignal.timeout(15_000);
const gvr = (resource: string) => ({ group: '', version: 'v1', resource });

async function addNode(name: string, cpu: string, memory: string, taint?: boolean): Promise<void> {
  const status = { allocatable: { cpu, memory, pods: '10' }, capacity: { cpu, memory, pods: '10' } };
  await nodes.create({
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: taint ? { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } : {}, status,
  } as KubeObject, { signal: signal() });
  // A kubelet registers the node and then reports its status; do the same in case create dropped it.
  await nodes.patch(name, 'merge', { status }, { signal: signal(), subresource: 'status' });
}

const addPod = (name: string, cpu: string, memory: string): Promise<PodObj> => pods.create({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu, memory } } }] },
}, { signal: signal() });

const nodeOf = async (name: string): Promise<string | undefined> => (await pods.get(name, { signal: signal() })).spec.nodeName;

beforeAll(async () => {
  fx = await startApiserver();
  service = new ResourceServiceClient(fx.grpcAddress, credentials.createSsl(Buffer.from(fx.ca)));
  pods = new ResourceClient<PodObj>({ service, gvr: gvr('pods'), namespace: 'default', token: fx.adminToken });
  nodes = new ResourceClient({ service, gvr: gvr('nodes'), token: fx.adminToken });
  events = new ResourceClient<EventObj>({ service, gvr: gvr('events'), namespace: 'default', token: fx.adminToken });
  expect(readFileSync(join(fx.certDir, 'tokens.csv'), 'utf8')).toContain(',system:kube-scheduler,');
  scheduler = new ServiceProcess('scheduler', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms',
  ]);
  await scheduler.waitForLog((r) => r['msg'] === 'caches synced; scheduling', 30_000);
}, 90_000);

afterAll(async () => {
  scheduler?.dispose();
  service?.close();
  await fx?.dispose();
});

describe('scheduler (e2e)', () => {
  it('holds the kube-system/kube-scheduler Lease', async () => {
    const leases = new ResourceClient<KubeObject & { spec?: { holderIdentity?: string } }>({
      service, gvr: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, namespace: 'kube-system', token: fx.adminToken,
    });
    const lease = await leases.get('kube-scheduler', { signal: signal() });
    expect(lease.spec?.holderIdentity).toMatch(/_[0-9a-f-]{36}$/);
  });

  it('binds pods to fitting nodes, spread by LeastAllocated, never to the tainted node', async () => {
    await addNode('node-a', '2', '4Gi');
    await addNode('node-b', '2', '4Gi');
    await addNode('node-gpu', '4', '8Gi', true);
    for (const n of ['p1', 'p2', 'p3', 'p4']) await addPod(n, '500m', '512Mi');
    const placed = await waitFor(async () => {
      const got = await Promise.all(['p1', 'p2', 'p3', 'p4'].map(nodeOf));
      return got.every((n) => n !== undefined) ? got : undefined;
    }, { description: 'pods p1..p4 to be bound', timeoutMs: 20_000 });
    expect([...placed].sort()).toEqual(['node-a', 'node-a', 'node-b', 'node-b']);
    const scheduled = await waitFor(async () => {
      const evs = (await events.listAll({}, signal())).items.filter((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'p1');
      return evs[0];
    }, { description: 'the Scheduled event of p1', timeoutMs: 10_000 });
    expect(scheduled).toMatchObject({ type: 'Normal', message: `Successfully assigned default/p1 to ${placed[0]}`, reportingComponent: 'default-scheduler' });
  });

  const message = '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. '
    + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';

  it('leaves a pod no node fits Pending with the FailedScheduling event and PodScheduled=False', async () => {
    // 1800m fits an empty node-a/node-b (preemption could help if victims existed) but not beside two 500m pods.
    await addPod('big', '1800m', '1Gi');
    const ev = await waitFor(async () => (await events.listAll({}, signal())).items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big'), { description: 'the FailedScheduling event of big', timeoutMs: 15_000 });
    expect(ev).toMatchObject({ type: 'Warning', message, reportingComponent: 'default-scheduler', involvedObject: { kind: 'Pod', name: 'big' } });
    const cond = await waitFor(async () => (await pods.get('big', { signal: signal() })).status?.conditions?.find((c) => c.type === 'PodScheduled'), { description: 'the PodScheduled condition of big', timeoutMs: 10_000 });
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    expect(await nodeOf('big')).toBeUndefined();
  });

  it('schedules the pending pod when a bigger node is added', async () => {
    await addNode('node-big', '8', '16Gi');
    const node = await waitFor(() => nodeOf('big'), { description: 'big to be bound', timeoutMs: 15_000 });
    expect(node).toBe('node-big');
  });
});
