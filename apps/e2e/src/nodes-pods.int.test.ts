import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ec2ServiceClient, type CreateSubnetResponse, type DescribeSubnetsResponse } from '@ekslab/proto';
import { startNats, waitFor, type NatsCluster } from '@ekslab/testing';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { kubectl } from './kubectl.js';
import { ServiceProcess } from './process.js';

// Issue 5's acceptance, with every part real and built: apiserver and cloud on one etcd, ipamd on the
// cloud's EC2, kubelet agents hosting node groups' instances, the scheduler. Pods go Pending → Running
// with VPC addresses from ipamd's warm pool.

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ state?: { waiting?: { reason?: string } } }> };
}
interface Node {
  metadata: { name: string; labels: Record<string, string> };
  status: { addresses?: Array<{ type: string; address: string }>; conditions?: Array<{ type: string; status: string }>; capacity?: Record<string, string> };
}
interface Event { reason: string; message: string; involvedObject: { name: string }; source?: { component?: string } }

const ns = 'accept';
let fx: ApiserverFixture;
let nats: NatsCluster;
let cloud: ServiceProcess;
let cloudAddress: string;
let ec2: Ec2ServiceClient;
let ipamd: ServiceProcess;
let ipamdAddress: string;
let introspection: string;
const procs: ServiceProcess[] = [];

const k = (args: string[]) => kubectl('1.33', fx.kubeconfig, args);
async function getJson<T>(path: string): Promise<T> {
  const res = await k(['get', '--raw', path]);
  if (res.code !== 0) throw new Error(`GET ${path}: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}
const pods = async (selector: string): Promise<Pod[]> => (await getJson<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
const events = async (): Promise<Event[]> => (await getJson<{ items: Event[] }>(`/api/v1/namespaces/${ns}/events`)).items;
const isReady = (o: { status: { conditions?: Array<{ type: string; status: string }> } }): boolean => o.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const internalIp = (n: Node): string => n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';

function inCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string): number => a.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
  const [base, bits] = cidr.split('/');
  const mask = (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(base!) & mask);
}

function ec2Call<Res>(f: (md: Metadata, cb: (err: ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((res, rej) => void f(new Metadata(), (err, out) => (err ? rej(err) : res(out))));
}

function startAgent(nodegroup: string, extra: string[] = []): ServiceProcess {
  const p = new ServiceProcess('kubelet', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0', '--kubelet-port', '0',
    '--cloud-endpoint', cloudAddress, '--ipamd-endpoint', ipamdAddress, '--availability-zone', 'us-east-1a',
    '--nodegroup', nodegroup, '--instance-type', 'm5.large', '--nodegroup-desired-size', '1', '--nodegroup-min-size', '1', '--nodegroup-max-size', '1',
    '--nodegroup-sync-period', '1s', '--image-pull-mib-per-second', '2000', '--sandbox-retry-period', '1s', '--container-stop-duration', '200ms', ...extra,
  ]);
  procs.push(p);
  return p;
}

async function nodeOf(nodegroup: string): Promise<Node> {
  return waitFor(async () => {
    const list = await getJson<{ items: Node[] }>(`/api/v1/nodes?labelSelector=eks.amazonaws.com/nodegroup%3D${nodegroup}`);
    return list.items.find(isReady);
  }, { description: `a Ready node of node group ${nodegroup}`, timeoutMs: 90_000, intervalMs: 500 });
}

function podManifest(name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }], ...spec } });
}

async function apply(manifests: string[]): Promise<void> {
  const res = await kubectl('1.33', fx.kubeconfig, ['apply', '-f', '-'], `{"apiVersion":"v1","kind":"List","items":[${manifests.join(',')}]}`);
  expect(res.code, res.stderr).toBe(0);
}

beforeAll(async () => {
  [fx, nats] = await Promise.all([startApiserver(), startNats({ cluster: 3 })]);
  cloud = new ServiceProcess('cloud', [
    '--etcd-servers', fx.etcd.endpoints.join(','), '--nats-servers', nats.urls.join(','),
    '--bind-address', '127.0.0.1', '--grpc-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0', '--replica-id', 'cloud-accept',
    '--instance-pending-duration', '500ms', '--asg-reconcile-interval', '1s',
  ]);
  procs.push(cloud);
  cloudAddress = `127.0.0.1:${String((await cloud.waitForLog((r) => r['msg'] === 'serving the cloud APIs over gRPC', 60_000))['port'])}`;
  ec2 = new Ec2ServiceClient(cloudAddress, credentials.createInsecure());
  ipamd = new ServiceProcess('ipamd', [
    '--cloud-endpoint', cloudAddress, '--checkpoint-dir', mkdtempSync(join(tmpdir(), 'ekslab-ipamd-accept-')), '--bind-address', '127.0.0.1', '--grpc-port', '0',
    '--introspection-address', '127.0.0.1', '--introspection-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--pool-monitor-interval', '200ms', '--ip-cooldown-period', '1s', '--insufficient-cidr-cooldown', '2s',
  ]);
  procs.push(ipamd);
  const serving = await ipamd.waitForLog((r) => r['msg'] === 'serving CNIBackend and NodeService over gRPC', 30_000);
  ipamdAddress = `127.0.0.1:${String(serving['port'])}`;
  introspection = `http://127.0.0.1:${String(serving['introspectionPort'])}`;
  procs.push(new ServiceProcess('scheduler', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--pod-initial-backoff', '200ms', '--pod-max-backoff', '1s',
  ]));
  expect((await k(['create', 'namespace', ns])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const p of procs) p.dispose();
  ec2?.close();
  await Promise.all([fx?.dispose(), nats?.cleanup()]);
});

describe('nodes and pods come alive (apiserver + cloud + ipamd + kubelet agent + scheduler, all built)', () => {
  let node: Node;

  it('a node-group node is Ready with an IP in its subnet and capacity.pods 29; kubectl run reaches Ready with a VPC address; describe, logs; delete returns the address to the warm pool', async () => {
    startAgent('one');
    node = await nodeOf('one');
    expect(inCidr(internalIp(node), '10.0.0.0/19')).toBe(true);
    expect(node.status.capacity?.['pods']).toBe('29');

    expect((await k(['-n', ns, 'run', 'web', '--image=nginx', '--labels=app=web'])).code).toBe(0);
    expect((await k(['-n', ns, 'wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'])).code).toBe(0);
    const [web] = await pods('app=web');
    expect(web!.spec.nodeName).toBe(node.metadata.name);
    expect(inCidr(web!.status.podIP!, '10.0.0.0/19'), `pod IP ${web!.status.podIP} in the node's subnet`).toBe(true);
    expect(web!.status.podIP).not.toBe(internalIp(node));

    const describe = await k(['-n', ns, 'describe', 'pod', 'web']);
    for (const reason of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) expect(describe.stdout).toMatch(new RegExp(`Normal\\s+${reason}\\s`));
    const logs = await k(['-n', ns, 'logs', 'web']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('nginx');

    const assigned = async (): Promise<Record<string, { IP: string }>> => (await (await fetch(`${introspection}/v1/pods?node=${node.metadata.name}`)).json()) as Record<string, { IP: string }>;
    expect(Object.values(await assigned()).map((p) => p.IP)).toContain(web!.status.podIP);
    expect((await k(['-n', ns, 'delete', 'pod', 'web', '--wait=true', '--timeout=120s'])).code).toBe(0);
    await waitFor(async () => !Object.values(await assigned()).some((p) => p.IP === web!.status.podIP), { description: 'the address released in ipamd', timeoutMs: 10_000 });
    const enis = (await (await fetch(`${introspection}/v1/enis?node=${node.metadata.name}`)).text());
    expect(enis, 'the released address is still in the warm pool').toContain(`"${web!.status.podIP}"`);
  }, 180_000);

  it('one m5.large and 2 host-network daemon pods: of 35 pods 27 run, the rest stay Pending with FailedScheduling "Too many pods"', async () => {
    const daemon = (name: string) => podManifest(name, { app: 'daemon' }, { hostNetwork: true, nodeName: node.metadata.name });
    await apply([daemon('aws-node-x'), daemon('kube-proxy-x')]);
    await apply(Array.from({ length: 35 }, (_, i) => podManifest(`many-${i}`, { app: 'many' })));
    const settled = await waitFor(async () => {
      const list = await pods('app=many');
      const running = list.filter((p) => p.status.phase === 'Running' && isReady(p));
      return running.length === 27 ? list : undefined;
    }, { description: '27 of 35 pods Running', timeoutMs: 150_000, intervalMs: 1_000 });
    const pending = settled.filter((p) => !p.spec.nodeName);
    expect(pending).toHaveLength(8);
    for (const p of pending) expect(p.status.phase).toBe('Pending');
    const hostPods = await pods('app=daemon');
    for (const p of hostPods) expect(p.status.podIP).toBe(internalIp(node));
    const ips = settled.filter((p) => p.spec.nodeName).map((p) => p.status.podIP);
    expect(new Set(ips).size, 'every running pod has its own address').toBe(27);
    const failed = await waitFor(async () => (await events()).find((e) => e.reason === 'FailedScheduling' && pending.some((p) => p.metadata.name === e.involvedObject.name)), {
      description: 'a FailedScheduling event for a pending pod', timeoutMs: 20_000,
    });
    expect(failed.message).toBe('0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    const deleted = await k(['-n', ns, 'delete', 'pods', '--all', '--wait=true', '--timeout=120s']);
    expect(deleted.code, deleted.stderr).toBe(0);
  }, 240_000);

  it('a tiny subnet: pods stay ContainerCreating with the VPC CNI\'s error event; a freed address lets the next one start', async () => {
    const subnets = await ec2Call<DescribeSubnetsResponse>((md, cb) => ec2.describeSubnets({ subnetIds: [], vpcId: '' }, md, cb));
    const vpcId = subnets.subnets[0]!.vpcId;
    // A /28: 16 − 5 reserved = 11 addresses; the instance takes 1 and ipamd's ENIs take the rest.
    const { subnet: tiny } = await ec2Call<CreateSubnetResponse>((md, cb) => ec2.createSubnet({ vpcId, availabilityZone: 'us-east-1a', cidrBlock: '10.0.250.0/28', ipv4NetmaskLength: 0, public: false, tags: {} }, md, cb));
    startAgent('tiny', ['--subnet-ids', tiny!.subnetId]);
    const tinyNode = await nodeOf('tiny');
    expect(inCidr(internalIp(tinyNode), '10.0.250.0/28')).toBe(true);
    const onTiny = { nodeSelector: { 'eks.amazonaws.com/nodegroup': 'tiny' } };
    await apply(Array.from({ length: 14 }, (_, i) => podManifest(`tiny-${i}`, { app: 'tiny' }, onTiny)));
    const stuck = await waitFor(async () => {
      const list = await pods('app=tiny');
      const running = list.filter((p) => p.status.phase === 'Running');
      const waiting = list.filter((p) => p.status.phase === 'Pending' && p.spec.nodeName);
      const evs = (await events()).filter((e) => e.reason === 'FailedCreatePodSandBox');
      return running.length > 0 && running.length < 14 && waiting.length === 14 - running.length && evs.length > 0 ? { running, waiting, evs } : undefined;
    }, { description: 'some tiny pods Running, the rest stuck with FailedCreatePodSandBox', timeoutMs: 120_000, intervalMs: 1_000 });
    expect(stuck.evs[0]!.message).toMatch(/^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]+": plugin type="aws-cni" name="aws-cni" failed \(add\): add cmd: failed to assign an IP address to container$/);
    const got = await k(['-n', ns, 'get', 'pod', stuck.waiting[0]!.metadata.name, '--no-headers']);
    expect(got.stdout).toMatch(/\sContainerCreating\s/);
    const running = stuck.running.length;
    // Free one address: one more pod starts, no more.
    expect((await k(['-n', ns, 'delete', 'pod', stuck.running[0]!.metadata.name, '--wait=true', '--timeout=120s'])).code).toBe(0);
    await waitFor(async () => {
      const list = await pods('app=tiny');
      return list.filter((p) => p.status.phase === 'Running').length === running ? true : undefined;
    }, { description: `${running} tiny pods Running again (a waiting pod took the freed address)`, timeoutMs: 60_000, intervalMs: 1_000 });
    const after = await pods('app=tiny');
    expect(after.filter((p) => p.status.phase === 'Pending')).toHaveLength(13 - running);
  }, 240_000);
});
