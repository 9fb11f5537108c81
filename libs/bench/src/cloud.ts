import { cpus, freemem, totalmem } from 'node:os';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  cloudErrorFromServiceError,
  Ec2ServiceClient,
  ProbeServiceClient,
  type AssignPrivateIpAddressesResponse,
  type AttachNetworkInterfaceResponse,
  type CreateNetworkInterfaceResponse,
  type DescribeInstancesResponse,
  type DescribeNetworkInterfacesResponse,
  type DescribeSubnetsResponse,
  type ProbeResponse,
  type RunInstancesResponse,
} from '@ekslab/proto';
import { knee, runLevel, type LevelResult } from './stats.js';

export interface CloudBenchOptions {
  /** `host:port` of the cloud's gRPC APIs (the lab's load balancer: 127.0.0.1:50061). */
  readonly address: string;
  /** Concurrency levels, rising. */
  readonly levels: readonly number[];
  /** Operations per level. */
  readonly perLevel: number;
  /**
   * What is measured: `assign` (default) AssignPrivateIpAddresses of one address on ENIs of a bench
   * instance, every call contending on one subnet as a node's IPAM does; `probe` ProbeService.Probe,
   * the fault gate plus one etcd CAS without resources, the floor any mutating call pays.
   */
  readonly operation?: 'assign' | 'probe';
  /** probe only: keys the calls spread over (1: all contend on one etcd key). */
  readonly keys: number;
  readonly progress: (line: string) => void;
}

export interface CloudBenchResult {
  readonly target: 'cloud';
  readonly at: string;
  readonly params: { address: string; operation: string; levels: readonly number[]; perLevel: number; keys: number };
  readonly metrics: { opsPerSecond: number; p50Ms: number; p99Ms: number; kneeConcurrency: number; errors: number };
  readonly machine: { cpus: number; cpuModel: string; memoryBytes: number; freeMemoryBytes: number; node: string; platform: string };
  readonly levels: LevelResult[];
}

type Operation = { readonly name: string; op: (i: number) => Promise<void>; afterLevel: () => Promise<void>; close: () => Promise<void> };

const deadline = (): { deadline: number } => ({ deadline: Date.now() + 30_000 });

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

/** A grpc-js unary call (`start` issues it with a 30 s deadline) as a promise; AWS errors read `Code: message`. */
function unary<Res>(start: (md: Metadata, options: { deadline: number }, cb: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start(new Metadata(), deadline(), (err, res) => {
      if (!err) return resolve(res);
      const aws = cloudErrorFromServiceError(err);
      reject(new Error(aws ? `${aws.code}: ${aws.message}` : `gRPC ${err.code}: ${err.details}`));
    });
  });
}

function probeOperation(address: string, run: string, keys: number): Operation {
  const client = new ProbeServiceClient(address, credentials.createInsecure());
  return {
    name: 'Probe',
    op: async (i) => {
      await unary<ProbeResponse>((md, o, cb) => client.probe({ key: `bench-${run}-${i % keys}` }, md, o, cb));
    },
    afterLevel: () => Promise.resolve(),
    close: () => Promise.resolve(client.close()),
  };
}

/** The bench instance: its ENIs carry at most this many secondary addresses each (m5.24xlarge: 50 per ENI). */
const BENCH_TYPE = 'm5.24xlarge';
const SECONDARIES_PER_ENI = 49;
const ENIS_PER_INSTANCE = 15;

/**
 * AssignPrivateIpAddresses, one address per call, spread over enough ENIs (attached to m5.24xlarge bench
 * instances in the private subnet with the most free addresses) to hold a whole level; after each level
 * every ENI gets one UnassignPrivateIpAddresses. Teardown terminates the instances (their ENIs are
 * deleted on termination, the addresses return to the subnet).
 */
async function assignOperation(address: string, run: string, perLevel: number, progress: (line: string) => void): Promise<Operation> {
  const ec2 = new Ec2ServiceClient(address, credentials.createInsecure());
  const instanceIds: string[] = [];
  const enis: string[] = [];
  const close = async (): Promise<void> => {
    try {
      if (instanceIds.length) await unary((md, o, cb) => ec2.terminateInstances({ instanceIds }, md, o, cb));
    } finally {
      ec2.close();
    }
  };
  try {
    const { subnets } = await unary<DescribeSubnetsResponse>((md, o, cb) => ec2.describeSubnets({ subnetIds: [], vpcId: '' }, md, o, cb));
    const subnet = subnets.filter((s) => !s.public).sort((a, b) => b.availableIpAddressCount - a.availableIpAddressCount)[0];
    if (!subnet) throw new Error('the cloud has no private subnet (is the default VPC there?)');
    const eniCount = Math.max(1, Math.ceil(perLevel / SECONDARIES_PER_ENI));
    const instanceCount = Math.ceil(eniCount / ENIS_PER_INSTANCE);
    progress(`setting up: ${instanceCount} ${BENCH_TYPE} instance(s) with ${eniCount} ENI(s) in ${subnet.subnetId} (${subnet.availabilityZone}, ${subnet.availableIpAddressCount} free)`);
    const { instances } = await unary<RunInstancesResponse>((md, o, cb) => ec2.runInstances({ instanceType: BENCH_TYPE, subnetId: subnet.subnetId, count: instanceCount, lifecycle: '', tags: { 'ekslab:bench': run }, clientToken: `bench-${run}` }, md, o, cb));
    instanceIds.push(...instances.map((i) => i.instanceId));
    for (let waited = 0; ; waited += 500) {
      const { instances: now } = await unary<DescribeInstancesResponse>((md, o, cb) => ec2.describeInstances({ instanceIds, tags: {} }, md, o, cb));
      if (now.every((i) => i.state === 'running')) break;
      if (waited > 120_000) throw new Error(`bench instances not running after 2 min: ${now.map((i) => `${i.instanceId} ${i.state}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (let k = 0; k < eniCount; k++) {
      const instanceId = instanceIds[Math.floor(k / ENIS_PER_INSTANCE)]!;
      const deviceIndex = k % ENIS_PER_INSTANCE;
      if (deviceIndex === 0) {
        // The primary ENI (device 0) came with the instance.
        const { networkInterfaces } = await unary<DescribeNetworkInterfacesResponse>((md, o, cb) => ec2.describeNetworkInterfaces({ networkInterfaceIds: [], instanceId, subnetId: '' }, md, o, cb));
        const primary = networkInterfaces.find((e) => e.attachment?.deviceIndex === 0);
        if (!primary) throw new Error(`bench instance ${instanceId} has no primary network interface`);
        enis.push(primary.networkInterfaceId);
        continue;
      }
      const { networkInterface } = await unary<CreateNetworkInterfaceResponse>((md, o, cb) => ec2.createNetworkInterface({ subnetId: subnet.subnetId, privateIpAddress: '', description: `ekslab bench ${run}`, tags: { 'ekslab:bench': run } }, md, o, cb));
      await unary<AttachNetworkInterfaceResponse>((md, o, cb) => ec2.attachNetworkInterface({ networkInterfaceId: networkInterface!.networkInterfaceId, instanceId, deviceIndex, deleteOnTermination: true }, md, o, cb));
      enis.push(networkInterface!.networkInterfaceId);
    }
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const assigned = new Map<string, string[]>(enis.map((id) => [id, []]));
  return {
    name: 'AssignPrivateIpAddresses',
    op: async (i) => {
      const eni = enis[i % enis.length]!;
      const res = await unary<AssignPrivateIpAddressesResponse>((md, o, cb) => ec2.assignPrivateIpAddresses({ networkInterfaceId: eni, secondaryPrivateIpAddressCount: 1, privateIpAddresses: [] }, md, o, cb));
      assigned.get(eni)!.push(...res.assignedPrivateIpAddresses);
    },
    afterLevel: async () => {
      await Promise.all(
        [...assigned].map(async ([eni, ips]) => {
          if (!ips.length) return;
          await unary((md, o, cb) => ec2.unassignPrivateIpAddresses({ networkInterfaceId: eni, privateIpAddresses: ips }, md, o, cb));
          assigned.set(eni, []);
        }),
      );
    },
    close,
  };
}

/** Calls the cloud at rising concurrency and reports throughput and latency per level and at the knee. */
export async function benchCloud(o: CloudBenchOptions): Promise<CloudBenchResult> {
  const run = Date.now().toString(36);
  const measured = o.operation === 'probe' ? probeOperation(o.address, run, Math.max(1, o.keys)) : await assignOperation(o.address, run, o.perLevel, o.progress);
  const operation = measured.name;
  const levels: LevelResult[] = [];
  try {
    o.progress(`${operation} through ${o.address}, ${o.perLevel} per level${o.operation === 'probe' ? `, over ${o.keys} key(s)` : ', one address per call'}`);
    for (const concurrency of o.levels) {
      const r = await runLevel(concurrency, o.perLevel, measured.op);
      await measured.afterLevel();
      o.progress(`  concurrency ${String(concurrency).padStart(3)}: ${r.perSecond.toFixed(0).padStart(6)} calls/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ''}`);
      levels.push(r);
    }
  } finally {
    await measured.close();
  }
  const best = knee(levels);
  const cpu = cpus();
  return {
    target: 'cloud', at: new Date().toISOString(),
    params: { address: o.address, operation, levels: o.levels, perLevel: o.perLevel, keys: o.keys },
    metrics: { opsPerSecond: best?.perSecond ?? 0, p50Ms: best?.p50Ms ?? 0, p99Ms: best?.p99Ms ?? 0, kneeConcurrency: best?.concurrency ?? 0, errors: levels.reduce((n, l) => n + l.errors, 0) },
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryBytes: totalmem(), freeMemoryBytes: freemem(), node: process.version, platform: `${process.platform}/${process.arch}` },
    levels,
  };
}
