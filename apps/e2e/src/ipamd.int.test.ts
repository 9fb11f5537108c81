import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CNIBackendClient,
  Ec2ServiceClient,
  IPAMD_NODE_METADATA_KEY,
  NodeServiceClient,
  type AddNetworkReply,
  type CreateSubnetResponse,
  type DelNetworkReply,
  type Ec2Instance,
  type Ec2NetworkInterface,
  type Ec2Subnet,
  type EnsureNodeResponse,
} from '@ekslab/proto';
import { startEtcdCluster, startNats, waitFor, type EtcdCluster, type NatsCluster } from '@ekslab/testing';
import { repoRoot, ServiceProcess } from './process.js';

// The built ipamd bundle against the built cloud bundle (real etcd + NATS): EnsureNode adopts an
// m5.large's primary ENI, AddNetwork/DelNetwork serve from the warm pool, the pool grows through EC2,
// subnet exhaustion, a SIGKILLed ipamd restarting from its checkpoint, prefix delegation, custom
// networking, and the bench.
let etcd: EtcdCluster;
let nats: NatsCluster;
let cloud: ServiceProcess;
let cloudAddress: string;
let ec2: Ec2ServiceClient;
let subnet: Ec2Subnet;
const dirs: string[] = [];
const procs: ServiceProcess[] = [];

type Cb<Res> = (err: ServiceError | null, res: Res) => void;
function call<Res>(start: (md: Metadata, cb: Cb<Res>) => unknown, node?: string): Promise<Res> {
  const md = new Metadata();
  if (node) md.set(IPAMD_NODE_METADATA_KEY, node);
  return new Promise((res, rej) => void start(md, (err, out) => (err ? rej(err) : res(out))));
}

interface Ipamd {
  proc: ServiceProcess;
  grpc: string;
  introspection: string;
  ops: string;
  cni: CNIBackendClient;
  nodes: NodeServiceClient;
  close(): void;
}

async function startIpamd(checkpointDir: string, extra: readonly string[] = []): Promise<Ipamd> {
  const proc = new ServiceProcess('ipamd', [
    '--cloud-endpoint', cloudAddress, '--checkpoint-dir', checkpointDir, '--bind-address', '127.0.0.1', '--grpc-port', '0',
    '--introspection-address', '127.0.0.1', '--introspection-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--pool-monitor-interval', '200ms', '--ip-cooldown-period', '1s', '--insufficient-cidr-cooldown', '3s', ...extra,
  ]);
  procs.push(proc);
  const ops = await proc.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)', 20_000);
  const serving = await proc.waitForLog((r) => r['msg'] === 'serving CNIBackend and NodeService over gRPC', 20_000);
  const grpc = `127.0.0.1:${String(serving['port'])}`;
  const cni = new CNIBackendClient(grpc, credentials.createInsecure());
  const nodes = new NodeServiceClient(grpc, credentials.createInsecure());
  return {
    proc, grpc, cni, nodes,
    introspection: `http://127.0.0.1:${String(serving['introspectionPort'])}`,
    ops: `http://127.0.0.1:${String(ops['port'])}`,
    close: () => {
      cni.close();
      nodes.close();
    },
  };
}

async function launch(subnetId: string, instanceType = 'm5.large'): Promise<Ec2Instance> {
  const { instances } = await call<{ instances: Ec2Instance[] }>((md, cb) => ec2.runInstances({ instanceType, subnetId, count: 1, lifecycle: '', tags: { 'ekslab:test': 'ipamd' }, clientToken: '' }, md, cb));
  return instances[0]!;
}

async function enisOf(instanceId: string): Promise<Ec2NetworkInterface[]> {
  const { networkInterfaces } = await call<{ networkInterfaces: Ec2NetworkInterface[] }>((md, cb) => ec2.describeNetworkInterfaces({ networkInterfaceIds: [], instanceId, subnetId: '' }, md, cb));
  return networkInterfaces;
}

const add = (d: Ipamd, node: string, pod: string, container = `sandbox-${pod}`): Promise<AddNetworkReply & { trailer?: string }> =>
  new Promise((res, rej) => {
    const md = new Metadata();
    md.set(IPAMD_NODE_METADATA_KEY, node);
    // The reply and the trailing metadata (ipamd's reason for success=false) arrive in either order.
    let reply: AddNetworkReply | undefined;
    let trailer: string | undefined | null = null;
    const settle = (): void => {
      if (reply && trailer !== null) res({ ...reply, ...(trailer !== undefined ? { trailer } : {}) });
    };
    const c = d.cni.addNetwork(
      { k8sPodName: pod, k8sPodNamespace: 'default', k8sPodInfraContainerId: container, netns: `/var/run/netns/${container}`, ifName: 'eth0', networkName: 'aws-cni', containerId: container, clientVersion: 'e2e', requiresMultiNicAttachment: false },
      md,
      (err, out) => {
        if (err) return rej(err);
        reply = out;
        settle();
      },
    );
    c.on('status', (s) => {
      const [v] = s.metadata.get('ekslab-ipamd-error');
      trailer = typeof v === 'string' ? v : undefined;
      settle();
    });
  });

const del = (d: Ipamd, node: string, pod: string, container = `sandbox-${pod}`): Promise<DelNetworkReply> =>
  call<DelNetworkReply>((md, cb) => d.cni.delNetwork({ k8sPodName: pod, k8sPodNamespace: 'default', k8sPodInfraContainerId: container, reason: 'PodDeleted', ifName: 'eth0', networkName: 'aws-cni', containerId: container, clientVersion: 'e2e' }, md, cb), node);

const ensure = (d: Ipamd, nodeName: string, instanceId: string): Promise<EnsureNodeResponse> => call<EnsureNodeResponse>((md, cb) => d.nodes.ensureNode({ nodeName, instanceId }, md, cb));

interface EniInfos { TotalIPs: number; AssignedIPs: number; ENIs: Record<string, { ID: string; IsPrimary: boolean; DeviceNumber: number; AvailableIPv4Cidrs: Record<string, { IsPrefix: boolean; IPAddresses: Record<string, { Address: string; UnassignedTime: string; IPAMMetadata: { k8sPodName?: string } }> }> }> }
async function enisView(d: Ipamd, node: string): Promise<EniInfos> {
  const r = await fetch(`${d.introspection}/v1/enis?node=${node}`);
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  return ((await r.json()) as Record<string, EniInfos>)['0']!;
}
async function podsView(d: Ipamd, node: string): Promise<Record<string, { IP: string; DeviceNumber: number }>> {
  const r = await fetch(`${d.introspection}/v1/pods?node=${node}`);
  return (await r.json()) as Record<string, { IP: string; DeviceNumber: number }>;
}

function inCidr(ip: string, cidr: string): boolean {
  const n = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base!) / size);
}

beforeAll(async () => {
  [etcd, nats] = await Promise.all([startEtcdCluster({ members: 1 }), startNats({ cluster: 3 })]);
  cloud = new ServiceProcess('cloud', [
    '--etcd-servers', etcd.endpoints.join(','), '--nats-servers', nats.urls.join(','), '--bind-address', '127.0.0.1', '--grpc-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0', '--replica-id', 'cloud-ipamd-e2e', '--instance-pending-duration', '500ms',
  ]);
  const serving = await cloud.waitForLog((r) => r['msg'] === 'serving the cloud APIs over gRPC', 60_000);
  cloudAddress = `127.0.0.1:${String(serving['port'])}`;
  ec2 = new Ec2ServiceClient(cloudAddress, credentials.createInsecure());
  subnet = await waitFor(async () => {
    const { subnets } = await call<{ subnets: Ec2Subnet[] }>((md, cb) => ec2.describeSubnets({ subnetIds: [], vpcId: '' }, md, cb));
    return subnets.find((s) => s.availabilityZone === 'us-east-1a' && !s.public);
  }, { description: 'the default VPC\'s private subnet in us-east-1a', timeoutMs: 30_000 });
}, 180_000);

afterAll(async () => {
  for (const p of procs) p.dispose();
  cloud?.dispose();
  ec2?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await Promise.all([etcd?.cleanup(), nats?.cleanup()]);
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ipamd-e2e-'));
  dirs.push(d);
  return d;
}

interface BenchJson { target: string; params: { prefixDelegation: boolean; nodes: number }; metrics: { assignsPerSecond: number; p99Ms: number; errors: number }; machine: { cpus: number } }

/** `ekslab bench ipamd -o json`, small, against `d`; its last line is the JSON document. */
async function runBench(d: Ipamd, prefixDelegation: boolean, flags: readonly string[]): Promise<BenchJson> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    resolve(repoRoot, 'apps/cli/bin/ekslab.mjs'), 'bench', 'ipamd', '-o', 'json', '--server', d.grpc, '--cloud', cloudAddress,
    '--introspection', d.introspection, '--nodes', '2', '--instance-type', 'm5.large', '--levels', '1,4', ...flags,
  ], { cwd: repoRoot, timeout: 120_000 });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const result = JSON.parse(lines[0]!) as BenchJson;
  expect(result, JSON.stringify(result)).toBeDefined();
  expect(result).toMatchObject({ target: 'ipamd', params: { prefixDelegation, nodes: 2 }, metrics: { errors: 0 } });
  expect(result.metrics.assignsPerSecond).toBeGreaterThan(0);
  expect(result.metrics.p99Ms).toBeGreaterThan(0);
  expect(result.machine.cpus).toBeGreaterThan(0);
  return result;
}

describe('ipamd (built bundle against the built cloud)', () => {
  let d: Ipamd;
  let checkpointDir: string;
  let instance: Ec2Instance;

  it('ipamd — EnsureNode adopts an m5.large: primary ENI and IP, max pods 29, a warm ENI of 9 secondary IPs', async () => {
    checkpointDir = tempDir();
    d = await startIpamd(checkpointDir);
    instance = await launch(subnet.subnetId);
    const reply = await ensure(d, 'node-a', instance.instanceId);
    const primary = (await enisOf(instance.instanceId)).find((e) => e.attachment?.deviceIndex === 0)!;
    expect(reply).toEqual({ primaryEniId: primary.networkInterfaceId, primaryIp: instance.privateIpAddress, maxPods: 29 });
    expect(await ensure(d, 'node-a', instance.instanceId)).toEqual(reply); // idempotent
    const view = await waitFor(async () => {
      const v = await enisView(d, 'node-a');
      return v.TotalIPs === 9 && v;
    }, { description: 'the primary ENI to hold 9 warm secondary IPs', timeoutMs: 15_000 });
    expect(Object.values(view.ENIs)).toEqual([expect.objectContaining({ ID: primary.networkInterfaceId, IsPrimary: true, DeviceNumber: 0 })]);
    const cloudPrimary = (await enisOf(instance.instanceId)).find((e) => e.attachment?.deviceIndex === 0)!;
    expect(cloudPrimary.privateIpAddresses).toHaveLength(10);
  }, 60_000);

  it('ipamd — AddNetwork gives an address from the node\'s subnet and is idempotent; the pool grows a second ENI', async () => {
    const first = await add(d, 'node-a', 'web-0');
    expect(first.success).toBe(true);
    const ip = first.ipAddresses[0]!.ipv4Addr;
    expect(inCidr(ip, subnet.cidrBlock)).toBe(true);
    expect(first.useExternalSnat).toBe(false);
    expect(first.vpcV4Cidrs).toContain('10.0.0.0/16');
    const again = await add(d, 'node-a', 'web-0');
    expect(again.ipAddresses[0]!.ipv4Addr).toBe(ip);
    // WARM_ENI_TARGET=1: 8 free < one ENI's 9 → a second ENI with 9 more.
    const view = await waitFor(async () => {
      const v = await enisView(d, 'node-a');
      return Object.keys(v.ENIs).length === 2 && v.TotalIPs === 18 && v;
    }, { description: 'a second ENI in the warm pool', timeoutMs: 15_000 });
    expect(view.AssignedIPs).toBe(1);
    const cloudEnis = await enisOf(instance.instanceId);
    expect(cloudEnis.map((e) => e.attachment?.deviceIndex).sort()).toEqual([0, 1]);
    expect(cloudEnis.find((e) => e.attachment?.deviceIndex === 1)!.description).toBe(`aws-K8S-${instance.instanceId}`);
    // Fill past the first ENI: the addresses come from both, all distinct.
    const ips = new Set([ip]);
    for (let i = 1; i < 12; i++) {
      const r = await add(d, 'node-a', `web-${i}`);
      expect(r.success).toBe(true);
      ips.add(r.ipAddresses[0]!.ipv4Addr);
    }
    expect(ips.size).toBe(12);
    await waitFor(async () => Object.keys((await enisView(d, 'node-a')).ENIs).length === 3, { description: 'a third ENI once the second is in use', timeoutMs: 15_000 });
  }, 60_000);

  it('ipamd — DelNetwork returns the address to the warm pool (introspection and metrics show it)', async () => {
    const before = await podsView(d, 'node-a');
    const ip = before['web-0_default_sandbox-web-0']!.IP;
    const r = await del(d, 'node-a', 'web-0');
    expect(r).toMatchObject({ success: true, ipAddresses: [expect.objectContaining({ ipv4Addr: ip })] });
    expect(await del(d, 'node-a', 'web-0')).toMatchObject({ success: true, ipAddresses: [] }); // idempotent
    const pods = await podsView(d, 'node-a');
    expect(pods['web-0_default_sandbox-web-0']).toBeUndefined();
    const view = await enisView(d, 'node-a');
    expect(view.AssignedIPs).toBe(11);
    const addr = Object.values(view.ENIs).flatMap((e) => Object.values(e.AvailableIPv4Cidrs)).flatMap((c) => Object.values(c.IPAddresses)).find((a) => a.Address === ip);
    expect(addr?.UnassignedTime).not.toBe('0001-01-01T00:00:00Z');
    const metrics = await (await fetch(`${d.ops}/metrics`)).text();
    expect(metrics).toMatch(/awscni_assigned_ip_addresses\{node="node-a"[^}]*\} 11/);
    expect(metrics).toMatch(/awscni_eni_allocated\{node="node-a"[^}]*\} 3/);
    expect(metrics).toMatch(/awscni_eni_max\{node="node-a"[^}]*\} 3/);
    expect(metrics).toMatch(/awscni_add_ip_req_count\{node="node-a"[^}]*\} 13/);
    expect(metrics).toMatch(/awscni_aws_api_latency_ms_count\{api="AttachNetworkInterface",error="false",status="200"[^}]*\} 2/);
    const env = (await (await fetch(`${d.introspection}/v1/env-settings`)).json()) as Record<string, unknown>;
    expect(env).toMatchObject({ WARM_ENI_TARGET: 1, WARM_IP_TARGET: 0, ENABLE_PREFIX_DELEGATION: false, AWS_VPC_K8S_CNI_EXTERNALSNAT: false });
  }, 30_000);

  it('ipamd — SIGKILL mid-burst: after restart every acknowledged assignment is still there and no address is handed out twice', async () => {
    const acked = new Map<string, string>();
    const burst = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    const inflight = burst.map((pod) => add(d, 'node-a', pod).then((r) => {
      if (r.success) acked.set(pod, r.ipAddresses[0]!.ipv4Addr);
    }, () => undefined));
    await waitFor(() => acked.size >= 4, { description: 'part of the burst to be acknowledged', timeoutMs: 10_000, intervalMs: 1 });
    d.proc.signal('SIGKILL');
    await Promise.all(inflight);
    expect(await d.proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    d.close();
    const checkpoint = JSON.parse(readFileSync(join(checkpointDir, 'node-a', 'ipam.json'), 'utf8')) as { version: string; allocations: Array<{ ipv4: string; containerID: string }> };
    expect(checkpoint.version).toBe('vpc-cni-ipam/1');

    d = await startIpamd(checkpointDir);
    await ensure(d, 'node-a', instance.instanceId);
    const pods = await podsView(d, 'node-a');
    for (const [pod, ip] of acked) expect(pods[`${pod}_default_sandbox-${pod}`]?.IP).toBe(ip);
    // A retried AddNetwork for an acknowledged pod gets the same address; the rest of the burst new ones.
    const all = new Map<string, string>();
    for (const pod of burst) {
      const r = await add(d, 'node-a', pod);
      expect(r.success).toBe(true);
      all.set(pod, r.ipAddresses[0]!.ipv4Addr);
    }
    for (const [pod, ip] of acked) expect(all.get(pod)).toBe(ip);
    const held = Object.values(await podsView(d, 'node-a')).map((p) => p.IP);
    expect(new Set(held).size).toBe(held.length);
    // Every held address is really on one of the instance's ENIs in the cloud.
    const cloudIps = new Set((await enisOf(instance.instanceId)).flatMap((e) => e.privateIpAddresses));
    for (const ip of held) expect(cloudIps.has(ip)).toBe(true);
  }, 60_000);

  it('ipamd — a tiny subnet: AddNetwork fails with ipamd\'s wording, then succeeds once an address is freed', async () => {
    const { subnet: tiny } = await call<CreateSubnetResponse>((md, cb) => ec2.createSubnet({ vpcId: subnet.vpcId, availabilityZone: 'us-east-1a', cidrBlock: '10.0.250.0/28', ipv4NetmaskLength: 0, public: false, tags: {} }, md, cb));
    const inst = await launch(tiny!.subnetId);
    await ensure(d, 'node-tiny', inst.instanceId);
    const got: string[] = [];
    let failure: (AddNetworkReply & { trailer?: string }) | undefined;
    for (let i = 0; i < 20 && !failure; i++) {
      const r = await waitFor(async () => {
        const res = await add(d, 'node-tiny', `tiny-${i}`);
        // While the pool may still grow, a failure is retried (the kubelet retries sandboxes too).
        if (!res.success && !(await fetch(`${d.introspection}/v1/nodes?node=node-tiny`).then(async (x) => ((await x.json()) as { insufficientCidrCooldown: boolean }).insufficientCidrCooldown))) return undefined;
        return res;
      }, { description: `AddNetwork tiny-${i}`, timeoutMs: 10_000 });
      if (r.success) got.push(r.ipAddresses[0]!.ipv4Addr);
      else failure = r;
    }
    expect(failure).toMatchObject({ success: false, trailer: 'AssignPodIPAddress: no available IP/Prefix addresses' });
    expect(got.length).toBeGreaterThan(0);
    for (const ip of got) expect(inCidr(ip, '10.0.250.0/28')).toBe(true);
    expect(d.proc.logs.some((r) => String(r['msg']).startsWith('Unable to attach IPs/Prefixes for the ENI, subnet doesn\'t seem to have enough IPs/Prefixes'))).toBe(true);
    // Free one address: after its 1 s cooldown the next AddNetwork gets it.
    await del(d, 'node-tiny', 'tiny-0');
    const r = await waitFor(async () => {
      const res = await add(d, 'node-tiny', 'tiny-late');
      return res.success && res;
    }, { description: 'AddNetwork to succeed with the freed address', timeoutMs: 10_000, intervalMs: 250 });
    expect(r.ipAddresses[0]!.ipv4Addr).toBe(got[0]);
  }, 60_000);

  it('ipamd — bench: `ekslab bench ipamd -o json` ends with one JSON document; warm-pool assignments call no EC2 API', async () => {
    const ec2Calls = async (): Promise<number> => {
      const text = await (await fetch(`${d.ops}/metrics`)).text();
      return [...text.matchAll(/^awscni_ec2api_req_count\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    // node-tiny (subnet exhausted) would try EC2 again when its cooldown ends: stop it first.
    await call((md, cb) => d.nodes.removeNode({ nodeName: 'node-tiny' }, md, cb));
    const result = await runBench(d, false, []);
    expect(result.params.prefixDelegation).toBe(false);
    // Outside any bench: an assignment from the warm pool makes no EC2 call. node-a has all 3 of its ENIs
    // full, so no reconcile pass can grow the pool meanwhile either.
    await waitFor(async () => (await enisView(d, 'node-a')).TotalIPs - (await enisView(d, 'node-a')).AssignedIPs >= 2, { description: 'free addresses on node-a', timeoutMs: 10_000 });
    const before = await ec2Calls();
    const r = await add(d, 'node-a', 'no-ec2');
    expect(r.success).toBe(true);
    expect(await ec2Calls()).toBe(before);
  }, 120_000);

  it('ipamd — RemoveNode forgets the node: CNI calls for it fail NOT_FOUND, its checkpoint is gone', async () => {
    await call((md, cb) => d.nodes.removeNode({ nodeName: 'node-tiny' }, md, cb));
    const err = await add(d, 'node-tiny', 'x').then(() => undefined, (e: unknown) => e as ServiceError);
    expect(err?.code).toBe(5);
    expect(() => readFileSync(join(checkpointDir, 'node-tiny', 'ipam.json'))).toThrow(/ENOENT/);
    d.proc.signal('SIGTERM');
    expect(await d.proc.exited).toEqual({ code: 0, signal: null });
    d.close();
  }, 30_000);

  it('ipamd — prefix delegation: /28 prefixes, max pods 110, pod addresses carved from the prefix', async () => {
    const p = await startIpamd(tempDir(), ['--enable-prefix-delegation', 'true']);
    try {
      await expect(runBench(p, true, ['--prefix-delegation'])).resolves.toBeDefined();
      await expect(runBench(p, false, [])).rejects.toThrow(/ENABLE_PREFIX_DELEGATION=true/);
      const inst = await launch(subnet.subnetId);
      expect((await ensure(p, 'node-pd', inst.instanceId)).maxPods).toBe(110);
      const view = await waitFor(async () => {
        const v = await enisView(p, 'node-pd');
        return v.TotalIPs === 16 && v;
      }, { description: 'one warm /28 prefix', timeoutMs: 15_000 });
      const [cidr, info] = Object.entries(Object.values(view.ENIs)[0]!.AvailableIPv4Cidrs)[0]!;
      expect(cidr).toMatch(/\/28$/);
      expect(info.IsPrefix).toBe(true);
      const r = await add(p, 'node-pd', 'pd-0');
      expect(inCidr(r.ipAddresses[0]!.ipv4Addr, cidr)).toBe(true);
      const primary = (await enisOf(inst.instanceId)).find((e) => e.attachment?.deviceIndex === 0)!;
      // WARM_PREFIX_TARGET=1: the used prefix is no longer free, so a second one is assigned.
      await waitFor(async () => (await enisOf(inst.instanceId)).find((e) => e.attachment?.deviceIndex === 0)!.ipv4Prefixes.length === 2, { description: 'a second prefix', timeoutMs: 15_000 });
      expect(primary.ipv4Prefixes).toContain(cidr);
    } finally {
      p.proc.signal('SIGTERM');
      await p.proc.exited;
      p.close();
    }
  }, 60_000);

  it('ipamd — custom networking: pods take addresses from the ENIConfig subnet, not the primary ENI; max pods uses ENIs − 1', async () => {
    const { subnet: secondary } = await call<CreateSubnetResponse>((md, cb) => ec2.createSubnet({ vpcId: subnet.vpcId, availabilityZone: 'us-east-1a', cidrBlock: '100.64.0.0/19', ipv4NetmaskLength: 0, public: false, tags: {} }, md, cb));
    const c = await startIpamd(tempDir(), ['--custom-network-cfg', 'true', '--eni-config', `us-east-1a=${secondary!.subnetId}`, '--external-snat', 'true']);
    try {
      const inst = await launch(subnet.subnetId);
      expect((await ensure(c, 'node-cn', inst.instanceId)).maxPods).toBe(20); // (3 − 1) × 9 + 2
      const r = await waitFor(async () => {
        const res = await add(c, 'node-cn', 'cn-0');
        return res.success && res;
      }, { description: 'an address from the secondary-CIDR ENI', timeoutMs: 15_000 });
      expect(inCidr(r.ipAddresses[0]!.ipv4Addr, '100.64.0.0/19')).toBe(true);
      expect(r.ipAddresses[0]!.deviceNumber).toBe(1);
      expect(r.useExternalSnat).toBe(true);
      const primary = (await enisOf(inst.instanceId)).find((e) => e.attachment?.deviceIndex === 0)!;
      expect(primary.privateIpAddresses).toEqual([inst.privateIpAddress]);
    } finally {
      c.proc.signal('SIGTERM');
      await c.proc.exited;
      c.close();
    }
  }, 60_000);
});
