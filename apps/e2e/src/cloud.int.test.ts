import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, credentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCloudEvents, type InstanceStateChanged } from '@ekslab/cloud-events';
import {
  AutoScalingServiceClient,
  cloudErrorFromServiceError,
  Ec2ServiceClient,
  FaultServiceClient,
  type AssignPrivateIpAddressesResponse,
  type AsgAutoScalingGroup,
  type CreateNetworkInterfaceResponse,
  type DescribeAutoScalingGroupsResponse,
  type DescribeInstancesResponse,
  type DescribeNetworkInterfacesResponse,
  type DescribeSubnetsResponse,
  type Ec2Subnet,
  type RunInstancesResponse,
} from '@ekslab/proto';
import { startEtcdCluster, startNats, waitFor, type EtcdCluster, type NatsCluster } from '@ekslab/testing';
import { repoRoot, ServiceProcess } from './process.js';

// Two built cloud replicas on one real etcd and a 3-node NATS JetStream cluster: the default VPC, EC2
// instances across replicas, Auto Scaling across AZs with an impaired AZ, events on the stream, and IP
// assignments that never collide and survive a replica dying. Build first: npx nx run cloud:build cli:build.
let etcd: EtcdCluster;
let nats: NatsCluster;
let reader: NatsConnection;
const replicas: Record<'a' | 'b', { proc: ServiceProcess; address: string; ec2: Ec2ServiceClient; asg: AutoScalingServiceClient; faults: FaultServiceClient }> = {} as never;

async function startReplica(id: 'a' | 'b'): Promise<void> {
  const proc = new ServiceProcess('cloud', [
    '--etcd-servers', etcd.endpoints.join(','), '--nats-servers', nats.urls.join(','),
    '--bind-address', '127.0.0.1', '--grpc-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0', '--replica-id', `cloud-${id}`,
    '--instance-pending-duration', '2s', '--asg-reconcile-interval', '500ms', '--asg-zone-backoff', '1s', '--elb-provisioning-duration', '2s',
  ]);
  const serving = await proc.waitForLog((r) => r['msg'] === 'serving the cloud APIs over gRPC', 60_000);
  const address = `127.0.0.1:${String(serving['port'])}`;
  const creds = credentials.createInsecure();
  replicas[id] = { proc, address, ec2: new Ec2ServiceClient(address, creds), asg: new AutoScalingServiceClient(address, creds), faults: new FaultServiceClient(address, creds) };
}

beforeAll(async () => {
  [etcd, nats] = await Promise.all([startEtcdCluster({ members: 1 }), startNats({ cluster: 3 })]);
  await Promise.all([startReplica('a'), startReplica('b')]);
  reader = await connect({ servers: nats.urls });
}, 240_000);

afterAll(async () => {
  for (const r of Object.values(replicas)) {
    r.ec2.close();
    r.asg.close();
    r.faults.close();
    r.proc.dispose();
  }
  await reader?.close();
  await Promise.all([etcd?.cleanup(), nats?.cleanup()]);
});

// grpc-js client methods are overloaded; the response type is named at each call.
function call<Res>(client: Client, method: (...args: never[]) => unknown, req: object): Promise<Res> {
  return new Promise((res, rej) => void (method as unknown as (r: object, cb: (err: ServiceError | null, out: Res) => void) => unknown).call(client, req, (err, out) => (err ? rej(err) : res(out))));
}

async function subnets(): Promise<Ec2Subnet[]> {
  const { ec2 } = replicas.b;
  return (await call<DescribeSubnetsResponse>(ec2, ec2.describeSubnets, { subnetIds: [], vpcId: '' })).subnets;
}

async function group(name: string): Promise<AsgAutoScalingGroup> {
  const { asg } = replicas.b;
  const [g] = (await call<DescribeAutoScalingGroupsResponse>(asg, asg.describeAutoScalingGroups, { autoScalingGroupNames: [name] })).autoScalingGroups;
  if (!g) throw new Error(`no group ${name}`);
  return g;
}

/** InService instances per AZ, once the group has exactly `desired` of them and nothing else in flight. */
async function settledSpread(name: string, desired: number): Promise<Record<string, number>> {
  const g = await group(name);
  const inService = g.instances.filter((i) => i.lifecycleState === 'InService');
  if (inService.length !== desired || g.instances.length !== desired) throw new Error(`${g.instances.map((i) => `${i.availabilityZone}:${i.lifecycleState}`).join(' ')} (want ${desired} InService)`);
  const spread: Record<string, number> = {};
  for (const i of inService) spread[i.availabilityZone] = (spread[i.availabilityZone] ?? 0) + 1;
  return spread;
}

describe('cloud (two built replicas, real etcd + 3-node NATS)', () => {
  it('cloud — gRPC health answers SERVING by the proto service names (Ec2Service, AutoScalingService, ElasticLoadBalancingService), NOT_FOUND for others', async () => {
    const health = new Client(replicas.b.address, credentials.createInsecure());
    // grpc.health.v1.HealthCheckRequest{service} and HealthCheckResponse{status} by hand: field 1, one byte each.
    const check = (service: string): Promise<number> =>
      new Promise((res, rej) => {
        health.makeUnaryRequest('/grpc.health.v1.Health/Check', (s: string) => Buffer.concat([Buffer.from([0x0a, s.length]), Buffer.from(s)]), (b: Buffer) => b[1] ?? 0, service, (err, v) => (err ? rej(err) : res(v!)));
      });
    try {
      for (const name of ['ekslab.cloud.v1.Ec2Service', 'ekslab.cloud.v1.AutoScalingService', 'ekslab.cloud.v1.ElasticLoadBalancingService']) {
        expect(await waitFor(async () => ((await check(name)) === 1 ? 1 : undefined), { description: `${name} SERVING`, timeoutMs: 20_000 })).toBe(1);
      }
      const err = (await check('ekslab.cloud.v1.ElbService').catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(GrpcCode.NOT_FOUND);
    } finally {
      health.close();
    }
  }, 60_000);

  it('cloud — the default VPC: 3 private + 3 public subnets, one pair per AZ; `ekslab cloud subnets -o json` shows exact available counts', async () => {
    const list = await waitFor(async () => {
      const s = await subnets();
      if (s.length < 6) throw new Error(`${s.length} subnets`);
      return s;
    }, { description: 'the default VPC', timeoutMs: 20_000 });
    const byZone = (pub: boolean): string[] => list.filter((s) => s.public === pub).map((s) => s.availabilityZone).sort();
    expect(list).toHaveLength(6);
    expect(byZone(false)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(byZone(true)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);

    const { stdout } = await promisify(execFile)(process.execPath, [resolve(repoRoot, 'apps/cli/bin/ekslab.mjs'), 'cloud', 'subnets', '-o', 'json', '--server', replicas.a.address], { cwd: repoRoot, timeout: 60_000 });
    const shown = (JSON.parse(stdout) as Array<{ subnetId: string; availabilityZone: string; cidrBlock: string; availableIpAddressCount: number; public: boolean }>).sort((x, y) => x.cidrBlock.localeCompare(y.cidrBlock));
    // A /19 has 8192 addresses, a /22 1024; AWS reserves 5 in each subnet.
    expect(shown.map((s) => [s.cidrBlock, s.availabilityZone, s.public, s.availableIpAddressCount])).toEqual([
      ['10.0.0.0/19', 'us-east-1a', false, 8187],
      ['10.0.100.0/22', 'us-east-1b', true, 1019],
      ['10.0.104.0/22', 'us-east-1c', true, 1019],
      ['10.0.32.0/19', 'us-east-1b', false, 8187],
      ['10.0.64.0/19', 'us-east-1c', false, 8187],
      ['10.0.96.0/22', 'us-east-1a', true, 1019],
    ]);
    expect(shown.map((s) => s.subnetId).sort()).toEqual(list.map((s) => s.subnetId).sort());
  }, 90_000);

  it('cloud — RunInstances through replica A is described by replica B, pending then running; terminate puts an instance-state terminated event on the stream', async () => {
    const subnet = (await subnets()).find((s) => !s.public && s.availabilityZone === 'us-east-1b')!;
    const { ec2: a } = replicas.a;
    const { ec2: b } = replicas.b;
    const { instances } = await call<RunInstancesResponse>(a, a.runInstances, { instanceType: 'm5.large', subnetId: subnet.subnetId, count: 1, lifecycle: '', tags: { e2e: 'run' }, clientToken: '' });
    const id = instances[0]!.instanceId;
    expect(instances[0]).toMatchObject({ state: 'pending', availabilityZone: 'us-east-1b', subnetId: subnet.subnetId });
    const first = (await call<DescribeInstancesResponse>(b, b.describeInstances, { instanceIds: [id], tags: {} })).instances[0]!;
    expect(first).toMatchObject({ instanceId: id, state: 'pending', privateIpAddress: instances[0]!.privateIpAddress });
    await waitFor(async () => {
      const [i] = (await call<DescribeInstancesResponse>(b, b.describeInstances, { instanceIds: [id], tags: {} })).instances;
      if (i?.state !== 'running') throw new Error(`state ${i?.state}`);
      return true;
    }, { description: `${id} running`, timeoutMs: 20_000 });

    await call(b, b.terminateInstances, { instanceIds: [id] });
    const terminated = await waitFor(async () => {
      for await (const e of replayCloudEvents(reader, { kinds: ['instance-state'], signal: AbortSignal.timeout(5_000) })) {
        const ev = e.event as InstanceStateChanged;
        if (ev.instanceId === id && ev.state === 'terminated') return ev;
      }
      throw new Error('no terminated event yet');
    }, { description: `an instance-state terminated event for ${id}`, timeoutMs: 30_000 });
    expect(terminated).toMatchObject({ kind: 'instance-state', instanceId: id, instanceType: 'm5.large', availabilityZone: 'us-east-1b', previousState: 'shutting-down', state: 'terminated' });
  }, 90_000);

  it('cloud — an Auto Scaling group of 6 spreads 2/2/2; with us-east-1a impaired, scaling to 9 launches in b and c; healed, it rebalances to 3/3/3', async () => {
    const privates = (await subnets()).filter((s) => !s.public).sort((x, y) => x.availabilityZone.localeCompare(y.availabilityZone));
    const { asg: a } = replicas.a;
    await call(a, a.createAutoScalingGroup, {
      autoScalingGroupName: 'e2e-workers', minSize: 0, maxSize: 12, desiredCapacity: 6, vpcZoneIdentifier: privates.map((s) => s.subnetId).join(','),
      instanceTypes: ['m5.large'], capacityType: '', tags: {},
    });
    const even = await waitFor(() => settledSpread('e2e-workers', 6), { description: '6 InService instances', timeoutMs: 60_000 });
    expect(even).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 });

    const { faults } = replicas.b;
    await call(faults, faults.setAzImpaired, { availabilityZone: 'us-east-1a', impaired: true });
    // RunInstances there fails as EC2 words it, naming the instance type.
    const { ec2 } = replicas.a;
    const ice = (await call(ec2, ec2.runInstances, { instanceType: 'm5.large', subnetId: privates[0]!.subnetId, count: 1, lifecycle: '', tags: {}, clientToken: '' }).catch((e: unknown) => e)) as ServiceError;
    expect(ice.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
    expect(cloudErrorFromServiceError(ice)).toMatchObject({ code: 'InsufficientInstanceCapacity', retryable: true });
    expect(ice.details).toMatch(/^We currently do not have sufficient m5\.large capacity in the Availability Zone you requested \(us-east-1a\)\./);
    await call(a, a.setDesiredCapacity, { autoScalingGroupName: 'e2e-workers', desiredCapacity: 9, honorCooldown: false });
    const impaired = await waitFor(() => settledSpread('e2e-workers', 9), { description: '9 InService instances', timeoutMs: 60_000 });
    expect(impaired['us-east-1a']).toBe(2);
    expect((impaired['us-east-1b'] ?? 0) + (impaired['us-east-1c'] ?? 0)).toBe(7);

    await call(faults, faults.setAzImpaired, { availabilityZone: 'us-east-1a', impaired: false });
    const healed = await waitFor(async () => {
      const s = await settledSpread('e2e-workers', 9);
      if (s['us-east-1a'] !== 3) throw new Error(JSON.stringify(s));
      return s;
    }, { description: 'a rebalance to 3/3/3', timeoutMs: 90_000 });
    expect(healed).toEqual({ 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 3 });
    await call(a, a.deleteAutoScalingGroup, { autoScalingGroupName: 'e2e-workers', forceDelete: true });
  }, 240_000);

  it('cloud — concurrent AssignPrivateIpAddresses through both replicas never hand out the same address', async () => {
    const subnet = (await subnets()).find((s) => !s.public && s.availabilityZone === 'us-east-1c')!;
    const enis = await Promise.all(
      (['a', 'b'] as const).map(async (id) => {
        const { ec2 } = replicas[id];
        return (await call<CreateNetworkInterfaceResponse>(ec2, ec2.createNetworkInterface, { subnetId: subnet.subnetId, privateIpAddress: '', description: `e2e ${id}`, tags: {} })).networkInterface!.networkInterfaceId;
      }),
    );
    const assigned = await Promise.all(
      (['a', 'b'] as const).flatMap((id, n) =>
        Array.from({ length: 4 }, async () => {
          const { ec2 } = replicas[id];
          const got: string[] = [];
          for (let k = 0; k < 10; k++) {
            got.push(...(await call<AssignPrivateIpAddressesResponse>(ec2, ec2.assignPrivateIpAddresses, { networkInterfaceId: enis[n]!, secondaryPrivateIpAddressCount: 1, privateIpAddresses: [] })).assignedPrivateIpAddresses);
          }
          return got;
        }),
      ),
    );
    const all = assigned.flat();
    expect(all).toHaveLength(80);
    expect(new Set(all).size).toBe(80);
    const { ec2 } = replicas.b;
    const { networkInterfaces } = await call<DescribeNetworkInterfacesResponse>(ec2, ec2.describeNetworkInterfaces, { networkInterfaceIds: enis, instanceId: '', subnetId: '' });
    const onEnis = networkInterfaces.flatMap((e) => e.privateIpAddresses.filter((ip) => ip !== e.privateIpAddress));
    expect(onEnis.sort()).toEqual([...all].sort());
  }, 90_000);

  it('cloud — `ekslab bench cloud` measures AssignPrivateIpAddresses on its own instance and ENIs, then gives every address back', async () => {
    const free = async (): Promise<number> => (await subnets()).filter((s) => !s.public).reduce((n, s) => n + s.availableIpAddressCount, 0);
    // The baseline once no instance is between states (the Auto Scaling group deleted above shuts down).
    const { ec2 } = replicas.b;
    await waitFor(async () => {
      const moving = (await call<DescribeInstancesResponse>(ec2, ec2.describeInstances, { instanceIds: [], tags: {} })).instances.filter((i) => i.state !== 'running' && i.state !== 'terminated');
      if (moving.length) throw new Error(`${moving.length} instance(s) pending or shutting down`);
      return true;
    }, { description: 'no instance between states', timeoutMs: 30_000 });
    const before = await free();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [resolve(repoRoot, 'apps/cli/bin/ekslab.mjs'), 'bench', 'cloud', '-o', 'json', '--server', replicas.b.address, '--levels', '1,8', '--per-level', '120'],
      { cwd: repoRoot, timeout: 120_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { params: { operation: string }; metrics: { errors: number; opsPerSecond: number }; levels: Array<{ concurrency: number; ops: number; errors: number }> };
    expect(result.params.operation).toBe('AssignPrivateIpAddresses');
    expect(result.levels.map((l) => [l.concurrency, l.ops, l.errors])).toEqual([[1, 120, 0], [8, 120, 0]]);
    expect(result.metrics.opsPerSecond).toBeGreaterThan(0);
    // Its instance is terminated; once terminated, its ENIs are deleted and every address is free again.
    const after = await waitFor(async () => {
      const n = await free();
      if (n !== before) throw new Error(`${before - n} addresses still held`);
      return n;
    }, { description: 'the bench to give its addresses back', timeoutMs: 30_000 });
    expect(after).toBe(before);
  }, 180_000);

  it('cloud — killing replica A mid-stream of assignments loses nothing it acknowledged', async () => {
    const subnet = (await subnets()).find((s) => !s.public && s.availabilityZone === 'us-east-1a')!;
    const { ec2: a } = replicas.a;
    const eni = (await call<CreateNetworkInterfaceResponse>(a, a.createNetworkInterface, { subnetId: subnet.subnetId, privateIpAddress: '', description: 'e2e kill', tags: {} })).networkInterface!.networkInterfaceId;
    const acknowledged: string[] = [];
    let failures = 0;
    const streams = Array.from({ length: 4 }, async () => {
      while (failures === 0) {
        try {
          const res = await call<AssignPrivateIpAddressesResponse>(a, a.assignPrivateIpAddresses, { networkInterfaceId: eni, secondaryPrivateIpAddressCount: 1, privateIpAddresses: [] });
          acknowledged.push(...res.assignedPrivateIpAddresses);
        } catch {
          failures++;
        }
      }
    });
    await waitFor(() => {
      if (acknowledged.length < 20) throw new Error(`${acknowledged.length} acknowledged`);
      return true;
    }, { description: '20 acknowledged assignments', timeoutMs: 30_000 });
    replicas.a.proc.signal('SIGKILL');
    await Promise.all(streams);
    expect(await replicas.a.proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(failures).toBeGreaterThan(0);

    const { ec2: b } = replicas.b;
    const [after] = (await call<DescribeNetworkInterfacesResponse>(b, b.describeNetworkInterfaces, { networkInterfaceIds: [eni], instanceId: '', subnetId: '' })).networkInterfaces;
    const present = new Set(after!.privateIpAddresses);
    expect(acknowledged.filter((ip) => !present.has(ip))).toEqual([]);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    // The survivor keeps serving assignments on the same ENI.
    const next = await call<AssignPrivateIpAddressesResponse>(b, b.assignPrivateIpAddresses, { networkInterfaceId: eni, secondaryPrivateIpAddressCount: 1, privateIpAddresses: [] });
    expect(present.has(next.assignedPrivateIpAddresses[0]!)).toBe(false);
  }, 90_000);
});
