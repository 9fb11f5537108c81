import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { benchApiserver, benchCloud, benchIpamd, benchKubelet, benchScheduler, type ApiTarget } from '@ekslab/bench';
import { parseDuration } from '@ekslab/runtime';
import { kubeconfigPath, KubeconfigMissingError } from './kubeconfig.js';

interface Kubeconfig {
  clusters?: Array<{ cluster?: { server?: string; 'certificate-authority-data'?: string } }>;
  users?: Array<{ user?: { token?: string } }>;
}

/** The load balancer's address, CA and admin token from the lab's kubeconfig (or the kubeconfig at `path`). */
export function labTarget(root: string, path = kubeconfigPath(root)): ApiTarget {
  return kubeconfigTarget(path);
}

/** The first cluster's server and CA and the first user's token of the kubeconfig at `path`. */
export function kubeconfigTarget(path: string): ApiTarget {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new KubeconfigMissingError(path);
  }
  const kc = parse(text) as Kubeconfig;
  const cluster = kc.clusters?.[0]?.cluster;
  const token = kc.users?.[0]?.user?.token;
  if (!cluster?.server || !cluster['certificate-authority-data'] || !token) throw new Error(`${path} has no server, CA or token`);
  return { server: cluster.server, caPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), token };
}

export interface BenchApiserverFlags {
  readonly output?: string;
  readonly levels: string;
  readonly perLevel: string;
  readonly replica: string;
  readonly etcd: string;
}

/**
 * `ekslab bench apiserver`: pod creates at rising concurrency through one replica and through the lab's
 * load balancer, and raw etcd puts of the same size in the same run. Prints a table, writes
 * bench-results/apiserver-<time>.json, and always ends with one JSON line (only that line with `-o json`).
 */
export async function benchApiserverCommand(root: string, flags: BenchApiserverFlags): Promise<number> {
  const all = labTarget(root);
  const json = flags.output === 'json';
  const result = await benchApiserver({
    oneReplica: { ...all, server: flags.replica },
    allReplicas: all,
    etcdEndpoints: flags.etcd.split(','),
    levels: flags.levels.split(',').map(Number),
    perLevel: Number(flags.perLevel),
    namespace: 'ekslab-bench',
    progress: (line) => {
      if (!json) process.stdout.write(`${line}\n`);
    },
  });
  const dir = resolve(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `apiserver-${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!json) {
    const m = result.metrics;
    process.stdout.write(`knee at concurrency ${m.kneeConcurrency}: ${m.createsPerSecond} creates/s (p99 ${m.p99Ms} ms) vs ${m.etcdPutsPerSecond} raw etcd puts/s → ratio ${m.ratioToEtcd}\nwrote ${file}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

export interface BenchCloudFlags {
  readonly output?: string;
  readonly levels: string;
  readonly perLevel: string;
  readonly server: string;
  readonly keys: string;
  readonly operation: string;
}

/**
 * `ekslab bench cloud`: cloud API calls at rising concurrency through the lab's load balancer (see
 * benchCloud for the operation). Prints a table, writes bench-results/cloud-<time>.json, and always ends
 * with one JSON line `{target, params, metrics, machine, …}` (only that line with `-o json`).
 */
export async function benchCloudCommand(root: string, flags: BenchCloudFlags): Promise<number> {
  const json = flags.output === 'json';
  const result = await benchCloud({
    address: flags.server,
    levels: flags.levels.split(',').map(Number),
    perLevel: Number(flags.perLevel),
    keys: Number(flags.keys),
    operation: flags.operation === 'probe' ? 'probe' : 'assign',
    progress: (line) => {
      if (!json) process.stdout.write(`${line}\n`);
    },
  });
  const dir = resolve(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `cloud-${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!json) {
    const m = result.metrics;
    process.stdout.write(`knee at concurrency ${m.kneeConcurrency}: ${m.opsPerSecond} ${result.params.operation} calls/s (p99 ${m.p99Ms} ms), ${m.errors} errors in all\nwrote ${file}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.metrics.errors > 0 && result.metrics.opsPerSecond === 0 ? 1 : 0;
}

export interface BenchSchedulerFlags {
  readonly output?: string;
  readonly nodes: string;
  readonly pods: string;
  readonly concurrency: string;
  readonly timeout: string;
  readonly kubeconfig?: string;
}

/**
 * `ekslab bench scheduler`: scheduler_perf's SchedulingBasic against the running apiserver and scheduler (bench
 * nodes, then pods, first create → last binding). Prints a table, writes bench-results/scheduler-<time>.json, and
 * always ends with one JSON line (only that line with `-o json`). Exit 1 when not every pod was bound in time.
 */
export async function benchSchedulerCommand(root: string, flags: BenchSchedulerFlags): Promise<number> {
  const json = flags.output === 'json';
  const target = labTarget(root, flags.kubeconfig ? resolve(flags.kubeconfig) : undefined);
  const result = await benchScheduler({
    target, nodes: Number(flags.nodes), pods: Number(flags.pods), concurrency: Number(flags.concurrency), timeoutMs: Number(flags.timeout) * 1000,
    namespace: 'ekslab-bench',
    progress: (line) => {
      if (!json) process.stdout.write(`${line}\n`);
    },
  });
  const dir = resolve(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `scheduler-${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!json) {
    const m = result.metrics;
    const rows: [string, string][] = [
      ['nodes / pods', `${result.params.nodes} / ${result.params.pods}`],
      ['node setup', `${m.nodeSetupSeconds} s`],
      ['pod creates', `${m.createsPerSecond} /s`],
      ['pods bound', `${m.podsBound} of ${result.params.pods}`],
      ['first create → last bind', `${m.seconds} s`],
      ['throughput', `${m.podsPerSecond} pods/s (kube-scheduler's SchedulingBasic threshold: 680)`],
      ['create → bind p50 / p99', `${m.p50BindMs} / ${m.p99BindMs} ms`],
    ];
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(26)} ${v}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.metrics.podsBound === result.params.pods ? 0 : 1;
}

export interface BenchIpamdFlags {
  readonly output?: string;
  readonly server: string;
  readonly cloud: string;
  readonly introspection: string;
  readonly prefixDelegation?: boolean;
  readonly nodes: string;
  readonly pods?: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly levels: string;
  readonly ipCooldown: string;
}

/**
 * `ekslab bench ipamd`: AddNetwork/DelNetwork through an ipamd's CNIBackend on warm pools (see benchIpamd).
 * Prints a table, writes bench-results/ipamd-<time>.json, and always ends with one JSON line
 * `{target, params, metrics, machine, …}` (only that line with `-o json`).
 */
export async function benchIpamdCommand(root: string, flags: BenchIpamdFlags): Promise<number> {
  const json = flags.output === 'json';
  const result = await benchIpamd({
    address: flags.server,
    cloudAddress: flags.cloud,
    ...(flags.introspection ? { introspectionUrl: flags.introspection } : {}),
    prefixDelegation: flags.prefixDelegation === true,
    nodes: Number(flags.nodes),
    ...(flags.pods ? { podsPerNode: Number(flags.pods) } : {}),
    instanceType: flags.instanceType,
    availabilityZone: flags.availabilityZone,
    levels: flags.levels.split(',').map(Number),
    ipCooldownMs: Number(flags.ipCooldown) * 1000,
    progress: (line) => {
      if (!json) process.stdout.write(`${line}\n`);
    },
  });
  const dir = resolve(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `ipamd-${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!json) {
    const m = result.metrics;
    process.stdout.write(`knee at concurrency ${m.kneeConcurrency}: ${m.assignsPerSecond} assigns/s (p99 ${m.p99Ms} ms, release p99 ${m.releaseP99Ms} ms), ${m.errors} errors; prefix delegation ${result.params.prefixDelegation ? 'on' : 'off'}\nwrote ${file}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.metrics.errors > 0 && result.metrics.assignsPerSecond === 0 ? 1 : 0;
}

export interface BenchKubeletFlags {
  readonly output?: string;
  readonly nodes: string;
  readonly agents?: string;
  readonly duration: string;
  readonly warmup: string;
  readonly concurrency: string;
  readonly lateThreshold: string;
  readonly grpcServer: string;
  readonly kubeconfig?: string;
  readonly certDir?: string;
  readonly pkiContainer: string;
  readonly bundle?: string;
}

/**
 * The lab's ca.crt and node-token.key, copied out of an apiserver container: they live in the `pki` volume
 * (uid 10001, mode 0750), which the host cannot read. Into a fresh 0700 temp dir the caller removes.
 */
function copyLabPki(container: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ekslab-bench-pki-'));
  try {
    for (const f of ['ca.crt', 'node-token.key']) execFileSync('docker', ['cp', `${container}:/var/lib/ekslab/pki/${f}`, join(dir, f)], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot copy the lab PKI out of ${container} (is the lab up? or pass --cert-dir): ${(err as Error).message}`, { cause: err });
  }
  return dir;
}

/**
 * `ekslab bench kubelet`: built kubelet agents hosting `--nodes` static nodes (split over `--agents`)
 * against the apiserver for `--duration`; lease renewals on time, RSS per 1000 nodes, apiserver writes per
 * second. Prints progress, writes bench-results/kubelet-<time>.json, and always ends with one JSON line
 * (only that line with `-o json`). Deletes its Nodes and Leases at the end.
 */
export async function benchKubeletCommand(root: string, flags: BenchKubeletFlags): Promise<number> {
  const json = flags.output === 'json';
  const nodes = Number(flags.nodes);
  const agents = flags.agents ? Number(flags.agents) : Math.max(1, Math.ceil(nodes / 2000));
  if (!Number.isInteger(nodes) || nodes < 1 || !Number.isInteger(agents) || agents < 1) throw new Error('--nodes and --agents must be positive integers');
  const bundle = flags.bundle ?? resolve(root, 'dist/apps/kubelet/main.mjs');
  if (!existsSync(bundle)) throw new Error(`no kubelet bundle at ${bundle}: build it with \`npx nx run kubelet:build\``);
  const api = flags.kubeconfig ? kubeconfigTarget(flags.kubeconfig) : labTarget(root);
  const certDir = flags.certDir ?? copyLabPki(flags.pkiContainer);
  try {
    const result = await benchKubelet({
      bundle, nodes, agents, api, certDir,
      durationMs: parseDuration(flags.duration),
      warmupMs: parseDuration(flags.warmup),
      grpcServer: flags.grpcServer,
      concurrency: Number(flags.concurrency),
      lateThresholdMs: parseDuration(flags.lateThreshold),
      registerTimeoutMs: Math.max(120_000, nodes * 100),
      progress: (line) => {
        if (!json) process.stdout.write(`${line}\n`);
      },
    });
    const dir = resolve(root, 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = resolve(dir, `kubelet-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    if (!json) {
      const m = result.metrics;
      process.stdout.write(`${result.params.nodes} nodes / ${result.params.agents} agents: ${(m.leaseOnTimeRatio * 100).toFixed(3)} % of ${m.leaseRenewals} renewals on time (p99 lateness ≤ ${m.leaseLatenessP99Ms} ms), ${(m.rssBytesPer1000Nodes / 2 ** 20).toFixed(1)} MiB RSS per 1000 nodes, ${m.agentCpuSecondsPer1000Renewals} agent CPU s per 1000 renewals, ${m.apiserverWritesPerSecond} writes/s, ${m.apiErrors} API errors\nwrote ${file}\n`);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    if (!flags.certDir) rmSync(certDir, { recursive: true, force: true });
  }
}
