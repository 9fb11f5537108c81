import { Server, ServerCredentials, credentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutoScalingServiceClient,
  NodeServiceService,
  type AsgAutoScalingGroup,
  type DescribeAutoScalingGroupsRequest,
  type DescribeAutoScalingGroupsResponse,
  type NodeServiceServer,
} from '@ekslab/proto';
import { startNats, waitFor, type NatsCluster } from '@ekslab/testing';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { kubectl } from './kubectl.js';
import { ServiceProcess } from './process.js';

// Three built kubelet agents (one per AZ) share one managed node group: an Auto Scaling group in the built
// cloud (on the apiserver's etcd), over the private subnets of us-east-1a/b/c. Agent a talks to an in-test
// ipamd NodeService; b and c run without ipamd.

const NODEGROUP = 'ng-e2e';
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
/** The cloud's default VPC: private /19 per AZ (libs/cloud/src/ec2/vpc.ts). */
const PRIVATE_SUBNETS: Record<string, string> = { 'us-east-1a': '10.0.0.0/19', 'us-east-1b': '10.0.32.0/19', 'us-east-1c': '10.0.64.0/19' };

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { providerID?: string };
  status: { allocatable?: Record<string, string>; capacity?: Record<string, string>; addresses?: Array<{ type: string; address: string }>; conditions?: Array<{ type: string; status: string }> };
}
interface LeaseList {
  items: Array<{ metadata: { name: string }; spec: { renewTime: string } }>;
}

let fx: ApiserverFixture;
let nats: NatsCluster;
let cloud: ServiceProcess;
let cloudAddress: string;
let asg: AutoScalingServiceClient;
let ipamd: Server;
let ipamdAddress: string;
const ipamdCalls: string[] = [];
const agents = new Map<string, ServiceProcess>();

function call<Req, Res>(method: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((res, rej) => void method.call(asg, req, (err, out) => (err ? rej(err) : res(out))));
}

async function getJson<T>(path: string): Promise<T> {
  const res = await kubectl('1.33', fx.kubeconfig, ['get', '--raw', path]);
  if (res.code !== 0) throw new Error(`GET ${path}: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

const isReady = (n: Node): boolean => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const internalIp = (n: Node): string => n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';

function inCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string): number => a.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
  const [base, bits] = cidr.split('/');
  const mask = bits === '0' ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(base!) & mask);
}

async function group(): Promise<AsgAutoScalingGroup> {
  const res = await call<DescribeAutoScalingGroupsRequest, DescribeAutoScalingGroupsResponse>(asg.describeAutoScalingGroups, { autoScalingGroupNames: [] });
  const g = res.autoScalingGroups.find((x) => x.tags['eks:nodegroup-name'] === NODEGROUP);
  if (!g) throw new Error('no node group Auto Scaling group yet');
  return g;
}

async function renewTimes(): Promise<Map<string, string>> {
  const leases = await getJson<LeaseList>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
  return new Map(leases.items.map((l) => [l.metadata.name, l.spec.renewTime]));
}

/** The Nodes whose Lease is renewed again within a few renew intervals (the ones still hosted). */
async function liveNodeNames(): Promise<Set<string>> {
  const before = await renewTimes();
  const until = Date.now() + 2_500;
  await waitFor(() => Date.now() >= until, { description: 'a few renew intervals', timeoutMs: 5_000 });
  const after = await renewTimes();
  return new Set([...after].filter(([name, t]) => t > (before.get(name) ?? '')).map(([name]) => name));
}

/** Waits until exactly `count` Ready nodes with live leases exist (older Nodes of gone instances may stay). */
async function waitForLiveReadyNodes(count: number, timeoutMs: number): Promise<Node[]> {
  return waitFor(async () => {
    const nodes = (await getJson<{ items: Node[] }>('/api/v1/nodes')).items.filter(isReady);
    const live = await liveNodeNames();
    const hosted = nodes.filter((n) => live.has(n.metadata.name));
    return hosted.length === count ? hosted : undefined;
  }, { description: `${count} Ready nodes with renewing leases`, timeoutMs, intervalMs: 500 });
}

function startAgent(zone: string, withIpamd: boolean): ServiceProcess {
  const p = new ServiceProcess('kubelet', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--cloud-endpoint', cloudAddress, ...(withIpamd ? ['--ipamd-endpoint', ipamdAddress] : []),
    '--availability-zone', zone, '--nodegroup', NODEGROUP, '--instance-type', 'm5.large',
    '--nodegroup-desired-size', '6', '--nodegroup-min-size', '1', '--nodegroup-max-size', '12', '--nodegroup-sync-period', '1s',
    '--node-lease-duration', '4s', '--node-status-update-frequency', '1s', '--node-status-report-frequency', '5s',
  ]);
  agents.set(zone, p);
  return p;
}

beforeAll(async () => {
  [fx, nats] = await Promise.all([startApiserver(), startNats({ cluster: 3 })]);
  cloud = new ServiceProcess('cloud', [
    '--etcd-servers', fx.etcd.endpoints.join(','), '--nats-servers', nats.urls.join(','),
    '--bind-address', '127.0.0.1', '--grpc-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0', '--replica-id', 'cloud-kubelet-e2e',
    '--instance-pending-duration', '1s', '--asg-reconcile-interval', '1s',
  ]);
  const serving = await cloud.waitForLog((r) => r['msg'] === 'serving the cloud APIs over gRPC', 60_000);
  cloudAddress = `127.0.0.1:${String(serving['port'])}`;
  asg = new AutoScalingServiceClient(cloudAddress, credentials.createInsecure());

  // A stand-in for the AZ's ipamd: records the calls, answers as ipamd would for an m5.large.
  ipamd = new Server();
  const impl: NodeServiceServer = {
    ensureNode: (c, cb) => {
      ipamdCalls.push(`ensure ${c.request.nodeName} ${c.request.instanceId}`);
      cb(null, { primaryEniId: 'eni-0', primaryIp: '', maxPods: 29 });
    },
    removeNode: (c, cb) => {
      ipamdCalls.push(`remove ${c.request.nodeName}`);
      cb(null, {});
    },
  };
  ipamd.addService(NodeServiceService, impl);
  const port = await new Promise<number>((res, rej) => ipamd.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? rej(err) : res(p))));
  ipamdAddress = `127.0.0.1:${port}`;
}, 240_000);

afterAll(async () => {
  for (const a of agents.values()) a.dispose();
  cloud?.dispose();
  asg?.close();
  ipamd?.forceShutdown();
  await Promise.all([fx?.dispose(), nats?.cleanup()]);
});

describe('kubelet agents on a managed node group (built cloud + apiserver + 3 agents)', () => {
  it('6 desired over 3 AZs: 6 Ready nodes, two per zone, IPs in their AZ\'s private subnet, providerID of the instance, 29 pods', async () => {
    for (const zone of ZONES) startAgent(zone, zone === 'us-east-1a');
    const nodes = await waitForLiveReadyNodes(6, 120_000);
    const g = await group();
    // Three agents started together converged on ONE group.
    expect((await call<DescribeAutoScalingGroupsRequest, DescribeAutoScalingGroupsResponse>(asg.describeAutoScalingGroups, { autoScalingGroupNames: [] })).autoScalingGroups.filter((x) => x.tags['eks:nodegroup-name'] === NODEGROUP)).toHaveLength(1);
    expect(g.autoScalingGroupName).toMatch(new RegExp(`^eks-${NODEGROUP}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
    expect(g.vpcZoneIdentifier.split(',')).toHaveLength(3);
    expect([g.desiredCapacity, g.minSize, g.maxSize]).toEqual([6, 1, 12]);
    const instances = new Map(g.instances.map((i) => [i.instanceId, i]));
    const perZone = new Map<string, number>();
    for (const n of nodes) {
      const zone = n.metadata.labels['topology.kubernetes.io/zone']!;
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
      expect(inCidr(internalIp(n), PRIVATE_SUBNETS[zone]!), `${internalIp(n)} in ${zone}`).toBe(true);
      expect(n.metadata.name).toBe(`ip-${internalIp(n).replaceAll('.', '-')}.ec2.internal`);
      const [, az, id] = /^aws:\/\/\/([^/]+)\/(i-[0-9a-f]+)$/.exec(n.spec.providerID ?? '') ?? [];
      expect(az).toBe(zone);
      expect(instances.get(id!)).toMatchObject({ availabilityZone: zone, lifecycleState: 'InService', instanceType: 'm5.large' });
      expect(n.metadata.labels).toMatchObject({
        'eks.amazonaws.com/nodegroup': NODEGROUP, 'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'node.kubernetes.io/instance-type': 'm5.large',
        'topology.kubernetes.io/region': 'us-east-1', 'kubernetes.io/arch': 'amd64',
      });
      expect(n.status.capacity?.['pods']).toBe('29');
      expect(n.status.allocatable).toMatchObject({ pods: '29', cpu: '1930m', memory: '7518Mi' });
    }
    expect(Object.fromEntries(perZone)).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 });
    // Agent a started each of its nodes' IPAM (EnsureNode) before registering it; b and c have no ipamd.
    const zoneA = nodes.filter((n) => n.metadata.labels['topology.kubernetes.io/zone'] === 'us-east-1a');
    for (const n of zoneA) expect(ipamdCalls).toContain(`ensure ${n.metadata.name} ${n.spec.providerID!.split('/').at(-1)!}`);
    for (const c of ipamdCalls) expect(c, 'only agent a calls ipamd, for us-east-1a instances').toMatch(/^ensure ip-10-0-([0-9]|[12][0-9]|3[01])-\d+\.ec2\.internal i-[0-9a-f]+$/);

    const res = await kubectl('1.33', fx.kubeconfig, ['get', 'nodes', '-o', 'wide', '-L', 'topology.kubernetes.io/zone,node.kubernetes.io/instance-type']);
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME\s+ZONE\s+INSTANCE-TYPE$/);
    // Every hosted node is a Ready row with its InternalIP, zone and type (a Node of an instance the group
    // replaced meanwhile would stay listed: no cloud controller manager here to delete it).
    for (const n of nodes) {
      const row = rows.find((r) => r.startsWith(`${n.metadata.name} `));
      expect(row, n.metadata.name).toMatch(new RegExp(`^${n.metadata.name.replaceAll('.', '\\.')}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.33\\.0-eks-\\S+\\s+${internalIp(n).replaceAll('.', '\\.')}\\s+<none>\\s+.*${n.metadata.labels['topology.kubernetes.io/zone']!}\\s+m5\\.large$`));
    }
  }, 240_000);

  it('SetDesiredCapacity 6 → 9 adds one node per AZ', async () => {
    const g = await group();
    await call(asg.setDesiredCapacity, { autoScalingGroupName: g.autoScalingGroupName, desiredCapacity: 9, honorCooldown: false });
    const nodes = await waitForLiveReadyNodes(9, 120_000);
    const perZone = new Map<string, number>();
    for (const n of nodes) perZone.set(n.metadata.labels['topology.kubernetes.io/zone']!, (perZone.get(n.metadata.labels['topology.kubernetes.io/zone']!) ?? 0) + 1);
    expect(Object.fromEntries(perZone)).toEqual({ 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 3 });
  }, 180_000);

  it('TerminateInstanceInAutoScalingGroup: the agent stops renewing that node\'s lease (ipamd RemoveNode), the group replaces the instance', async () => {
    const nodes = await waitForLiveReadyNodes(9, 60_000);
    const victim = nodes.find((n) => n.metadata.labels['topology.kubernetes.io/zone'] === 'us-east-1a')!;
    const instanceId = victim.spec.providerID!.split('/').at(-1)!;
    await call(asg.terminateInstanceInAutoScalingGroup, { instanceId, shouldDecrementDesiredCapacity: false });
    await agents.get('us-east-1a')!.waitForLog((r) => r['msg'] === 'instance left the node group; stopped hosting its node' && r['instanceId'] === instanceId, 30_000);
    await waitFor(() => ipamdCalls.includes(`remove ${victim.metadata.name}`), { description: 'ipamd RemoveNode of the terminated node', timeoutMs: 10_000 });
    // Its lease no longer advances; the Node stays (deleting it is the cloud controller manager's job).
    const frozen = (await renewTimes()).get(victim.metadata.name);
    expect(frozen).toBeDefined();
    const live = await liveNodeNames();
    expect(live.has(victim.metadata.name)).toBe(false);
    expect((await renewTimes()).get(victim.metadata.name)).toBe(frozen);
    expect((await getJson<{ items: Node[] }>('/api/v1/nodes')).items.map((n) => n.metadata.name)).toContain(victim.metadata.name);
    // The group launches a replacement in the same AZ (desired stays 9); its node joins.
    const after = await waitForLiveReadyNodes(9, 120_000);
    expect(after.map((n) => n.metadata.name)).not.toContain(victim.metadata.name);
    expect(after.filter((n) => n.metadata.labels['topology.kubernetes.io/zone'] === 'us-east-1a')).toHaveLength(3);
    expect((await group()).desiredCapacity).toBe(9);
  }, 180_000);

  it('SIGTERM: every agent exits 0', async () => {
    for (const a of agents.values()) a.signal('SIGTERM');
    for (const a of agents.values()) expect((await a.exited).code).toBe(0);
  }, 30_000);
});
