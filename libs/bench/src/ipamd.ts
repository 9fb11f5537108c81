import { cpus, freemem, totalmem } from 'node:os';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  CNIBackendClient,
  cloudErrorFromServiceError,
  Ec2ServiceClient,
  IPAMD_NODE_METADATA_KEY,
  NodeServiceClient,
  type AddNetworkReply,
  type DelNetworkReply,
  type DescribeInstanceTypesResponse,
  type DescribeSubnetsResponse,
  type EnsureNodeResponse,
  type RunInstancesResponse,
} from '@ekslab/proto';
import { knee, runLevel, type LevelResult } from './stats.js';

export interface IpamdBenchOptions {
  /** `host:port` of ipamd's gRPC API (CNIBackend + NodeService; the lab publishes it on 127.0.0.1:50071). */
  readonly address: string;
  /** `host:port` of the cloud's gRPC APIs, to launch the bench instances. */
  readonly cloudAddress: string;
  /** ipamd's introspection base URL, to read its settings (/v1/env-settings); optional. */
  readonly introspectionUrl?: string;
  /** Whether the ipamd is expected to run with ENABLE_PREFIX_DELEGATION; checked against /v1/env-settings when readable. */
  readonly prefixDelegation: boolean;
  /** Nodes (instances) the assignments spread over. */
  readonly nodes: number;
  /**
   * Pods per node assigned in a round. Default: the warm pool ipamd always keeps (WARM_IP_TARGET, else
   * WARM_ENI_TARGET × the type's secondary IPs per ENI, or WARM_PREFIX_TARGET × 16 with prefix
   * delegation), so every measured AddNetwork is a warm-pool hit however the pool shrinks between rounds.
   */
  readonly podsPerNode?: number;
  readonly instanceType: string;
  /** AZ of the bench instances (the ipamd's own AZ; the lab's ipamd-a serves us-east-1a); empty: any AZ. */
  readonly availabilityZone?: string;
  /** Concurrency levels, rising: one round (assign every pod, then release every pod) per level. */
  readonly levels: readonly number[];
  /** IP_COOLDOWN_PERIOD of the ipamd in ms, when /v1/env-settings cannot be read (default 30 s). */
  readonly ipCooldownMs?: number;
  readonly progress: (line: string) => void;
}

export interface IpamdBenchResult {
  readonly target: 'ipamd';
  readonly at: string;
  readonly params: { address: string; prefixDelegation: boolean; nodes: number; podsPerNode: number; instanceType: string; levels: readonly number[] };
  readonly metrics: { assignsPerSecond: number; p50Ms: number; p99Ms: number; releaseP99Ms: number; kneeConcurrency: number; errors: number };
  readonly machine: { cpus: number; cpuModel: string; memoryBytes: number; freeMemoryBytes: number; node: string; platform: string };
  readonly levels: ReadonlyArray<LevelResult & { releaseP99Ms: number }>;
}

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

function unary<Res>(start: (md: Metadata, options: { deadline: number }, cb: Callback<Res>) => unknown, node?: string): Promise<Res> {
  const md = new Metadata();
  if (node) md.set(IPAMD_NODE_METADATA_KEY, node);
  return new Promise((resolve, reject) => {
    start(md, { deadline: Date.now() + 30_000 }, (err, res) => {
      if (!err) return resolve(res);
      const aws = cloudErrorFromServiceError(err);
      reject(new Error(aws ? `${aws.code}: ${aws.message}` : `gRPC ${err.code}: ${err.details}`));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * AddNetwork/DelNetwork through ipamd's CNIBackend, as the CNI plugin calls it. Setup launches `nodes`
 * instances through the cloud, EnsureNode's them and warms each pool by holding `podsPerNode` pods
 * (ipamd attaches ENIs as they fill), then releases them and waits out IP_COOLDOWN_PERIOD, so every
 * measured AddNetwork is served from the warm pool (no EC2 call on that path). Each level assigns
 * every pod at that concurrency (measured), then releases them (measured) and waits out the cooldown
 * again. Teardown removes the nodes and terminates the instances.
 */
export async function benchIpamd(options: IpamdBenchOptions): Promise<IpamdBenchResult> {
  const run = Date.now().toString(36);
  const progress = options.progress;
  const cni = new CNIBackendClient(options.address, credentials.createInsecure());
  const nodeApi = new NodeServiceClient(options.address, credentials.createInsecure());
  const ec2 = new Ec2ServiceClient(options.cloudAddress, credentials.createInsecure());
  const instanceIds: string[] = [];
  const nodeNames: string[] = [];
  try {
    let cooldownMs = options.ipCooldownMs ?? 30_000;
    let env: Record<string, unknown> | undefined;
    if (options.introspectionUrl) {
      env = await fetch(`${options.introspectionUrl}/v1/env-settings`, { signal: AbortSignal.timeout(5_000) })
        .then(async (r) => (r.ok ? ((await r.json()) as Record<string, unknown>) : undefined))
        .catch(() => undefined);
      if (env) {
        if (env['ENABLE_PREFIX_DELEGATION'] !== options.prefixDelegation) {
          throw new Error(`the ipamd at ${options.address} runs with ENABLE_PREFIX_DELEGATION=${String(env['ENABLE_PREFIX_DELEGATION'])}; start it with --enable-prefix-delegation ${String(options.prefixDelegation)} (or pass the matching bench flag)`);
        }
        if (typeof env['IP_COOLDOWN_PERIOD'] === 'number') cooldownMs = env['IP_COOLDOWN_PERIOD'] * 1000;
      } else {
        progress(`cannot read ${options.introspectionUrl}/v1/env-settings; assuming prefix delegation ${options.prefixDelegation ? 'on' : 'off'} and a ${cooldownMs / 1000} s IP cooldown`);
      }
    }

    const { subnets } = await unary<DescribeSubnetsResponse>((md, o, cb) => ec2.describeSubnets({ subnetIds: [], vpcId: '' }, md, o, cb));
    const az = options.availabilityZone ?? '';
    const subnet = subnets.filter((s) => !s.public && (az === '' || s.availabilityZone === az)).sort((a, b) => b.availableIpAddressCount - a.availableIpAddressCount)[0];
    if (!subnet) throw new Error(`the cloud has no private subnet${az ? ` in ${az}` : ''} (is the default VPC there?)`);
    
    const { instanceTypes } = await unary<DescribeInstanceTypesResponse>((md, o, cb) => ec2.describeInstanceTypes({ instanceTypes: [options.instanceType] }, md, o, cb));
    const type = instanceTypes[0];
    if (!type) throw new Error(`the cloud has no instance type ${options.instanceType}`);
    const num = (key: string, fallback: number): number => (typeof env?.[key] === 'number' ? env[key] : fallback);
    const warm = options.prefixDelegation
      ? Math.max(1, num('WARM_PREFIX_TARGET', 1)) * 16
      : num('WARM_IP_TARGET', 0) > 0 ? num('WARM_IP_TARGET', 0) : Math.max(1, num('WARM_ENI_TARGET', 1)) * (type.ipv4AddressesPerInterface - 1);
    const podsPerNode = options.podsPerNode ?? warm;
    const { instances } = await unary<RunInstancesResponse>((md, o, cb) => ec2.runInstances({ instanceType: options.instanceType, subnetId: subnet.subnetId, count: options.nodes, lifecycle: '', tags: { 'ekslab:bench': `ipamd-${run}` }, clientToken: `bench-ipamd-${run}` }, md, o, cb));
    instanceIds.push(...instances.map((i) => i.instanceId));
    progress(`setting up: ${options.nodes} ${options.instanceType} node(s) in ${subnet.subnetId} (${subnet.availabilityZone}), ${podsPerNode} pods each (warm pool ${warm})`);
    for (const [i, inst] of instances.entries()) {
      const name = `bench-ipamd-${run}-${i}`;
      const reply = await unary<EnsureNodeResponse>((md, o, cb) => nodeApi.ensureNode({ nodeName: name, instanceId: inst.instanceId }, md, o, cb));
      nodeNames.push(name);
      if (podsPerNode > reply.maxPods - 2) throw new Error(`--pods ${podsPerNode} is more than ${inst.instanceType}'s max pods ${reply.maxPods} − 2 (host-network pods)`);
    }

    const pods = nodeNames.flatMap((node) => Array.from({ length: podsPerNode }, (_, i) => ({ node, name: `pod-${i}` })));
    const add = (p: { node: string; name: string }, round: number): Promise<AddNetworkReply> => {
      const container = `${run}-${round}-${p.name}`;
      return unary<AddNetworkReply>((md, o, cb) => cni.addNetwork({ k8sPodName: p.name, k8sPodNamespace: 'bench', k8sPodInfraContainerId: container, netns: '', ifName: 'eth0', networkName: 'aws-cni', containerId: container, clientVersion: 'bench', requiresMultiNicAttachment: false }, md, o, cb), p.node);
    };
    const del = (p: { node: string; name: string }, round: number): Promise<DelNetworkReply> => {
      const container = `${run}-${round}-${p.name}`;
      return unary<DelNetworkReply>((md, o, cb) => cni.delNetwork({ k8sPodName: p.name, k8sPodNamespace: 'bench', k8sPodInfraContainerId: container, reason: 'PodDeleted', ifName: 'eth0', networkName: 'aws-cni', containerId: container, clientVersion: 'bench' }, md, o, cb), p.node);
    };

    // Warm-up: hold every pod (retrying while ipamd grows the pool through EC2), then release them.
    const warmStart = performance.now();
    for (const p of pods) {
      for (let attempt = 0; ; attempt++) {
        if ((await add(p, 0)).success) break;
        if (attempt > 600) throw new Error(`warm-up: no address for ${p.node}/${p.name} after 60 s (subnet exhausted?)`);
        await sleep(100);
      }
    }
    await Promise.all(pods.map((p) => del(p, 0)));
    progress(`warm pools ready in ${((performance.now() - warmStart) / 1000).toFixed(1)} s; waiting out the ${cooldownMs / 1000} s IP cooldown`);
    await sleep(cooldownMs + 500);

    const levels: Array<LevelResult & { releaseP99Ms: number }> = [];
    for (const [i, concurrency] of options.levels.entries()) {
      const round = i + 1;
      const assigned = await runLevel(concurrency, pods.length, async (k) => {
        const r = await add(pods[k]!, round);
        if (!r.success) throw new Error('AssignPodIPAddress: no available IP/Prefix addresses');
      });
      const released = await runLevel(concurrency, pods.length, async (k) => {
        await del(pods[k]!, round);
      });
      levels.push({ ...assigned, releaseP99Ms: released.p99Ms });
      progress(`concurrency ${String(concurrency).padStart(3)}: ${String(assigned.perSecond).padStart(9)} assigns/s  p50 ${String(assigned.p50Ms).padStart(6)} ms  p99 ${String(assigned.p99Ms).padStart(6)} ms  release p99 ${String(released.p99Ms).padStart(6)} ms  errors ${assigned.errors}${assigned.firstError ? ` (${assigned.firstError})` : ''}`);
      if (i < options.levels.length - 1) await sleep(cooldownMs + 500);
    }
    const best = knee(levels, 5);
    const cpu = cpus();
    return {
      target: 'ipamd',
      at: new Date().toISOString(),
      params: { address: options.address, prefixDelegation: options.prefixDelegation, nodes: options.nodes, podsPerNode, instanceType: options.instanceType, levels: options.levels },
      metrics: {
        assignsPerSecond: best?.perSecond ?? 0, p50Ms: best?.p50Ms ?? 0, p99Ms: best?.p99Ms ?? 0,
        releaseP99Ms: levels.find((l) => l.concurrency === best?.concurrency)?.releaseP99Ms ?? 0,
        kneeConcurrency: best?.concurrency ?? 0, errors: levels.reduce((n, l) => n + l.errors, 0),
      },
      machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryBytes: totalmem(), freeMemoryBytes: freemem(), node: process.version, platform: `${process.platform}/${process.arch}` },
      levels,
    };
  } finally {
    for (const name of nodeNames) await unary((md, o, cb) => nodeApi.removeNode({ nodeName: name }, md, o, cb)).catch(() => undefined);
    if (instanceIds.length) await unary((md, o, cb) => ec2.terminateInstances({ instanceIds }, md, o, cb)).catch(() => undefined);
    cni.close();
    nodeApi.close();
    ec2.close();
  }
}
