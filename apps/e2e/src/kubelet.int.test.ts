import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@ekslab/testing';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { kubectl } from './kubectl.js';
import { ServiceProcess } from './process.js';

const NODES = 50;

interface NodeList {
  items: Array<{
    metadata: { name: string; uid: string; labels: Record<string, string> };
    spec: { providerID?: string };
    status: { allocatable?: Record<string, string>; conditions?: Array<{ type: string; status: string }> };
  }>;
}
interface LeaseList {
  items: Array<{ metadata: { name: string; ownerReferences?: Array<{ kind: string; name: string; uid: string }> }; spec: { holderIdentity: string; renewTime: string } }>;
}

let fx: ApiserverFixture;
const agents: ServiceProcess[] = [];

async function getJson<T>(path: string): Promise<T> {
  const res = await kubectl('1.33', fx.kubeconfig, ['get', '--raw', path]);
  if (res.code !== 0) throw new Error(`GET ${path}: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

function startAgent(): ServiceProcess {
  const p = new ServiceProcess('kubelet', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--nodes', String(NODES), '--node-lease-duration', '4s', '--node-status-update-frequency', '1s', '--node-status-report-frequency', '5s',
    '--nodegroup', 'ng-1', '--instance-type', 'm5.large', '--lease-renewal-late-threshold', '250ms',
  ]);
  agents.push(p);
  return p;
}

async function renewTimes(): Promise<Map<string, string>> {
  const leases = await getJson<LeaseList>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
  return new Map(leases.items.map((l) => [l.metadata.name, l.spec.renewTime]));
}

beforeAll(async () => {
  fx = await startApiserver();
}, 120_000);

afterAll(async () => {
  for (const a of agents) a.dispose();
  await fx?.dispose();
});

describe(`kubelet agent hosting ${NODES} nodes`, () => {
  let firstUids: Map<string, string>;

  it('registers Ready nodes with EKS labels, providerID and allocatable; kubectl 1.33 shows them Ready', async () => {
    startAgent();
    const nodes = await waitFor(async () => {
      const list = await getJson<NodeList>('/api/v1/nodes');
      const ready = list.items.filter((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === NODES ? list.items : undefined;
    }, { description: `${NODES} Ready nodes`, timeoutMs: 60_000, intervalMs: 250 });
    firstUids = new Map(nodes.map((n) => [n.metadata.name, n.metadata.uid]));
    const n = nodes.find((x) => x.metadata.name === 'ip-10-0-64-10.ec2.internal');
    expect(n).toBeDefined();
    expect(n!.metadata.labels).toMatchObject({
      'eks.amazonaws.com/nodegroup': 'ng-1', 'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      'node.kubernetes.io/instance-type': 'm5.large', 'topology.kubernetes.io/zone': 'us-east-1a', 'topology.kubernetes.io/region': 'us-east-1',
      'kubernetes.io/hostname': 'ip-10-0-64-10.ec2.internal',
    });
    expect(n!.spec.providerID).toMatch(/^aws:\/\/\/us-east-1a\/i-[0-9a-f]{17}$/);
    // m5.large, 29 pods: 2 vCPU − 70m; 8192 Mi − (255 + 11 × 29) Mi kube-reserved − 100 Mi eviction = 7518 Mi.
    expect(n!.status.allocatable).toMatchObject({ cpu: '1930m', memory: '7518Mi', pods: '29' });

    const res = await kubectl('1.33', fx.kubeconfig, ['get', 'nodes', '-o', 'wide']);
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP/);
    expect(rows).toHaveLength(NODES + 1);
    for (const row of rows.slice(1)) expect(row).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal\s+Ready\s+<none>\s+\S+\s+v1\.33\.0-eks-\S+\s+10\.0\.\d+\.\d+/);
  }, 120_000);

  it('every node renews its Lease (held by the node, owned by its Node), and renewTime advances', async () => {
    const before = await waitFor(async () => {
      const t = await renewTimes();
      return t.size === NODES ? t : undefined;
    }, { description: `${NODES} leases`, timeoutMs: 30_000 });
    const leases = await getJson<LeaseList>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    for (const l of leases.items) {
      expect(l.spec.holderIdentity).toBe(l.metadata.name);
      expect(l.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Node', name: l.metadata.name, uid: firstUids.get(l.metadata.name) })]);
    }
    await waitFor(async () => {
      const now = await renewTimes();
      return [...before].every(([name, t]) => (now.get(name) ?? '') > t);
    }, { description: 'every lease renewed again', timeoutMs: 20_000, intervalMs: 250 });

    const ops = await agents[0]!.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)');
    const metrics = await (await fetch(`http://127.0.0.1:${String(ops['port'])}/metrics`)).text();
    expect(metrics).toMatch(/^ekslab_kubelet_nodes_registered_total\{[^}]*adopted="false"[^}]*\} 50$/m);
    const renewals = (timeliness: string): number =>
      Number(new RegExp(`^ekslab_kubelet_lease_renewals_total\\{[^}]*timeliness="${timeliness}"[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect(renewals('on_time') + renewals('late')).toBeGreaterThanOrEqual(2 * NODES);
    expect(renewals('on_time')).toBeGreaterThan(0);
    expect(metrics).toMatch(/^ekslab_kubelet_lease_renewal_lateness_seconds_count\{[^}]*\} \d+$/m);
  }, 60_000);

  it('a killed agent stops renewing; a restarted one adopts the same nodes and renews again', async () => {
    const agent = agents[0]!;
    agent.signal('SIGKILL');
    await agent.exited;
    const frozen = await renewTimes();
    // Several renew intervals (1 s) pass: nothing renews any lease.
    const waitUntil = Date.now() + 3_000;
    await waitFor(() => Date.now() >= waitUntil, { description: '3 s to pass', timeoutMs: 5_000 });
    expect(await renewTimes()).toEqual(frozen);

    const again = startAgent();
    await again.waitForLog((r) => r['msg'] === 'adopted existing node', 30_000);
    await waitFor(async () => {
      const now = await renewTimes();
      return [...frozen].every(([name, t]) => (now.get(name) ?? '') > t);
    }, { description: 'every lease renewed by the restarted agent', timeoutMs: 30_000, intervalMs: 250 });
    const nodes = await getJson<NodeList>('/api/v1/nodes');
    expect(nodes.items).toHaveLength(NODES);
    expect(new Map(nodes.items.map((n) => [n.metadata.name, n.metadata.uid]))).toEqual(firstUids);
    expect(again.logs.filter((r) => r['msg'] === 'registered node')).toHaveLength(0);
  }, 90_000);

  it('SIGTERM stops renewals gracefully (exit 0) and leaves the Nodes registered', async () => {
    const agent = agents.at(-1)!;
    agent.signal('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    expect(agent.logs.some((r) => r['msg'] === 'stopped renewing node leases; nodes left registered')).toBe(true);
    const frozen = await renewTimes();
    const waitUntil = Date.now() + 2_500;
    await waitFor(() => Date.now() >= waitUntil, { description: '2.5 s to pass', timeoutMs: 5_000 });
    expect(await renewTimes()).toEqual(frozen);
    expect((await getJson<NodeList>('/api/v1/nodes')).items).toHaveLength(NODES);
  }, 30_000);
});
