import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { benchApiserver, benchCloud, benchKubelet, type ApiTarget } from '@ekslab/bench';
import { parseDuration } from '@ekslab/runtime';
import { kubeconfigPath, KubeconfigMissingError } from './kubeconfig.js';

interface Kubeconfig {
  clusters?: Array<{ cluster?: { server?: string; 'certificate-authority-data'?: string } }>;
  users?: Array<{ user?: { token?: string } }>;
}

/** The load balancer's address, CA and admin token from the lab's kubeconfig. */
export function labTarget(root: string): ApiTarget {
  return kubeconfigTarget(kubeconfigPath(root));
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
