// `ekslab bench kubelet`: built kubelet agents hosting thousands of static nodes against an apiserver, for
// a while; the figures are what the agents' own /metrics say (lease renewals on time or late, RSS) and how
// many writes they sent the apiserver.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpus, freemem, totalmem } from 'node:os';
import { Agent, request } from 'node:https';
import type { ApiTarget } from './apiserver.js';

export interface KubeletBenchOptions {
  /** The built agent (`dist/apps/kubelet/main.mjs`). */
  readonly bundle: string;
  /** Nodes in all, split over `agents` processes. */
  readonly nodes: number;
  readonly agents: number;
  /** How long renewals are measured, after the warm-up. */
  readonly durationMs: number;
  /**
   * Left out of the measurement after every node registered: the registration burst leaves a backlog of
   * renewals all due at once, which a steady fleet of kubelets (registered over time) never has.
   */
  readonly warmupMs: number;
  /** `host:port` of the apiserver's gRPC resource API (what the agents talk to). */
  readonly grpcServer: string;
  /** A dir with the lab's `ca.crt` and `node-token.key` (the agents mint node tokens from it). */
  readonly certDir: string;
  /** The REST API as an admin, for the cleanup. */
  readonly api: ApiTarget;
  /** `--concurrency` of each agent (API calls in flight). */
  readonly concurrency: number;
  /** A renewal starting later than this after it was due is late (the agents' --lease-renewal-late-threshold). */
  readonly lateThresholdMs: number;
  /** How long registration of all nodes may take. */
  readonly registerTimeoutMs: number;
  readonly progress: (line: string) => void;
}

export interface KubeletBenchResult {
  readonly target: 'kubelet';
  readonly at: string;
  readonly params: { nodes: number; agents: number; durationMs: number; warmupMs: number; concurrency: number; lateThresholdMs: number; grpcServer: string };
  readonly metrics: {
    /** On-time renewals ÷ all renewals started in the measured window. */
    leaseOnTimeRatio: number;
    leaseRenewals: number;
    lateRenewals: number;
    /** Renewals per node per 10 s: 1.0 means every lease was renewed as often as the kubelet would. */
    renewalsPerNodePer10s: number;
    /** Upper bound of the histogram bucket holding the 99th percentile of renewal lateness; -1: beyond the largest bucket (10 s). */
    leaseLatenessP99Ms: number;
    /** Sum of the agents' peak RSS ÷ nodes × 1000 (each agent's fixed cost included). */
    rssBytesPer1000Nodes: number;
    /** Lease updates and status patches the agents sent per second, in the window. */
    apiserverWritesPerSecond: number;
    apiErrors: number;
    /** The agents' CPU time (user + system) per 1000 renewals in the window: the agent's own cost, less sensitive to a busy machine than lateness. */
    agentCpuSecondsPer1000Renewals: number;
    /** From spawning the agents until every node was registered. */
    registerSeconds: number;
  };
  readonly agents: ReadonlyArray<{ nodes: number; peakRssBytes: number; onTime: number; late: number }>;
  readonly machine: { cpus: number; cpuModel: string; memoryBytes: number; freeMemoryBytes: number; node: string; platform: string };
}

interface Snapshot {
  readonly registered: number;
  readonly onTime: number;
  readonly late: number;
  readonly statusPatches: number;
  readonly errors: number;
  readonly rss: number;
  readonly cpuSeconds: number;
  /** Lateness histogram: cumulative count per `le` (seconds). */
  readonly lateness: ReadonlyMap<number, number>;
}

/** Sums every sample of `name` whose labels contain `match` in a Prometheus text exposition. */
function sample(text: string, name: string, match = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (match && !rest.includes(match)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function parseSnapshot(text: string): Snapshot {
  const lateness = new Map<number, number>();
  for (const m of text.matchAll(/^ekslab_kubelet_lease_renewal_lateness_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)$/gm)) {
    lateness.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  }
  return {
    registered: sample(text, 'ekslab_kubelet_nodes_registered_total'),
    onTime: sample(text, 'ekslab_kubelet_lease_renewals_total', 'timeliness="on_time"'),
    late: sample(text, 'ekslab_kubelet_lease_renewals_total', 'timeliness="late"'),
    statusPatches: sample(text, 'ekslab_kubelet_node_status_patches_total'),
    errors: sample(text, 'ekslab_kubelet_api_errors_total'),
    rss: sample(text, 'process_resident_memory_bytes'),
    cpuSeconds: sample(text, 'process_cpu_seconds_total'),
    lateness,
  };
}

/** One spawned agent: its ops port once it logged it; stdout is drained (thousands of log lines). */
class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  opsPort: Promise<number>;
  peakRss = 0;
  stderr = '';

  constructor(bundle: string, args: readonly string[], readonly nodes: number) {
    this.child = spawn(process.execPath, [bundle, ...args], { stdio: 'pipe' });
    this.exited = new Promise((res) => this.child.once('exit', (code) => res(code)));
    this.child.stderr.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-4000)));
    this.opsPort = new Promise((resolve, reject) => {
      let pending = '';
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.includes('ops endpoint listening')) continue;
          this.child.stdout.off('data', onData);
          this.child.stdout.resume();
          resolve((JSON.parse(line) as { port: number }).port);
          return;
        }
      };
      this.child.stdout.on('data', onData);
      void this.exited.then((code) => reject(new Error(`kubelet agent exited (${String(code)}) before serving /metrics: ${this.stderr}`)));
    });
  }

  async snapshot(): Promise<Snapshot> {
    const res = await fetch(`http://127.0.0.1:${await this.opsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const s = parseSnapshot(await res.text());
    this.peakRss = Math.max(this.peakRss, s.rss);
    return s;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function call(t: ApiTarget, agent: Agent, method: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.server), { method, agent, headers: { authorization: `Bearer ${t.token}`, accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ((res.statusCode ?? 500) < 300 || res.statusCode === 404 ? resolve(text) : reject(new Error(`${method} ${path}: ${res.statusCode ?? '?'} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The 99th percentile's bucket bound (ms) from before/after cumulative histograms. */
function p99Ms(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return 0;
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= 0.99 * total) return le === Number.POSITIVE_INFINITY ? -1 : le * 1000;
  }
  return -1;
}

const sum = (xs: readonly Snapshot[], f: (s: Snapshot) => number): number => xs.reduce((n, s) => n + f(s), 0);

/**
 * Spawns `agents` built agents with `--node-source static` (nodes split evenly, names
 * `bench-kubelet-<run>-<i>`, node group `bench-<run>`), waits until every node is registered, measures
 * `durationMs` of lease renewals, stops the agents and deletes the bench Nodes and Leases.
 */
export async function benchKubelet(o: KubeletBenchOptions): Promise<KubeletBenchResult> {
  const run = Date.now().toString(36);
  const nodegroup = `bench-${run}`;
  const prefix = `bench-kubelet-${run}-`;
  const per = Math.ceil(o.nodes / o.agents);
  const agents: AgentProcess[] = [];
  const started = Date.now();
  for (let offset = 0; offset < o.nodes; offset += per) {
    const n = Math.min(per, o.nodes - offset);
    agents.push(new AgentProcess(o.bundle, [
      '--node-source', 'static', '--nodes', String(n), '--node-index-offset', String(offset), '--node-name-prefix', prefix,
      '--nodegroup', nodegroup, '--cert-dir', o.certDir, '--grpc-server', o.grpcServer, '--concurrency', String(o.concurrency),
      '--ops-address', '127.0.0.1', '--ops-port', '0', '--lease-renewal-late-threshold', `${o.lateThresholdMs}ms`, '--log-level', 'info',
    ], n));
  }
  o.progress(`${o.nodes} static nodes over ${agents.length} agent(s) (${per} each), --concurrency ${o.concurrency}, against ${o.grpcServer}`);
  try {
    let snaps: Snapshot[] = [];
    const deadline = Date.now() + o.registerTimeoutMs;
    for (;;) {
      snaps = await Promise.all(agents.map((a) => a.snapshot()));
      const registered = sum(snaps, (s) => s.registered);
      if (registered >= o.nodes) break;
      if (Date.now() > deadline) throw new Error(`only ${registered} of ${o.nodes} nodes registered within ${o.registerTimeoutMs} ms`);
      await sleep(1_000);
    }
    const registerSeconds = (Date.now() - started) / 1000;
    o.progress(`  all ${o.nodes} nodes registered in ${registerSeconds.toFixed(1)} s; warm-up ${Math.round(o.warmupMs / 1000)} s, then measuring ${Math.round(o.durationMs / 1000)} s`);
    await sleep(o.warmupMs);
    const before = await Promise.all(agents.map((a) => a.snapshot()));
    const t0 = Date.now();
    while (Date.now() - t0 < o.durationMs) {
      await sleep(Math.min(5_000, o.durationMs - (Date.now() - t0)));
      const now = await Promise.all(agents.map((a) => a.snapshot()));
      const onTime = sum(now, (s) => s.onTime) - sum(before, (s) => s.onTime);
      const late = sum(now, (s) => s.late) - sum(before, (s) => s.late);
      o.progress(`  ${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s: renewals ${onTime + late} (late ${late}), RSS ${(sum(now, (s) => s.rss) / 2 ** 20).toFixed(0)} MiB`);
    }
    const after = await Promise.all(agents.map((a) => a.snapshot()));
    const seconds = (Date.now() - t0) / 1000;
    const onTime = sum(after, (s) => s.onTime) - sum(before, (s) => s.onTime);
    const late = sum(after, (s) => s.late) - sum(before, (s) => s.late);
    const writes = onTime + late + sum(after, (s) => s.statusPatches) - sum(before, (s) => s.statusPatches);
    const mergedHist = (xs: readonly Snapshot[]): Map<number, number> => {
      const m = new Map<number, number>();
      for (const s of xs) for (const [le, c] of s.lateness) m.set(le, (m.get(le) ?? 0) + c);
      return m;
    };
    const peak = agents.reduce((n, a) => n + a.peakRss, 0);
    const cpu = cpus();
    return {
      target: 'kubelet',
      at: new Date().toISOString(),
      params: { nodes: o.nodes, agents: agents.length, durationMs: o.durationMs, warmupMs: o.warmupMs, concurrency: o.concurrency, lateThresholdMs: o.lateThresholdMs, grpcServer: o.grpcServer },
      metrics: {
        leaseOnTimeRatio: onTime + late > 0 ? Math.floor((onTime / (onTime + late)) * 100_000) / 100_000 : 0,
        leaseRenewals: onTime + late,
        lateRenewals: late,
        renewalsPerNodePer10s: Math.round(((onTime + late) / o.nodes / (seconds / 10)) * 1000) / 1000,
        leaseLatenessP99Ms: p99Ms(mergedHist(before), mergedHist(after)),
        rssBytesPer1000Nodes: Math.round((peak / o.nodes) * 1000),
        apiserverWritesPerSecond: Math.round((writes / seconds) * 10) / 10,
        apiErrors: sum(after, (s) => s.errors),
        agentCpuSecondsPer1000Renewals: onTime + late > 0 ? Math.round(((sum(after, (s) => s.cpuSeconds) - sum(before, (s) => s.cpuSeconds)) / (onTime + late)) * 1000 * 1000) / 1000 : 0,
        registerSeconds: Math.round(registerSeconds * 10) / 10,
      },
      agents: agents.map((a, i) => ({ nodes: a.nodes, peakRssBytes: a.peakRss, onTime: after[i]!.onTime - before[i]!.onTime, late: after[i]!.late - before[i]!.late })),
      machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryBytes: totalmem(), freeMemoryBytes: freemem(), node: process.version, platform: `${process.platform}/${process.arch}` },
    };
  } finally {
    for (const a of agents) a.child.kill('SIGTERM');
    await Promise.all(agents.map((a) => Promise.race([a.exited, sleep(20_000).then(() => a.child.kill('SIGKILL'))])));
    await cleanup(o, prefix);
  }
}

/**
 * Deletes the bench Nodes and their Leases by name (`<prefix><index>`, as the agents named them): no list of
 * every Node (a list of thousands of Nodes is large) and Leases carry no labels to select them by.
 */
async function cleanup(o: KubeletBenchOptions, prefix: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: o.api.caPem });
  try {
    const paths = Array.from({ length: o.nodes }, (_, i) => [`/api/v1/nodes/${prefix}${i}`, `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${prefix}${i}`]).flat();
    let next = 0;
    let failed = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < paths.length) await call(o.api, agent, 'DELETE', paths[next++]!).catch(() => failed++);
    }));
    o.progress(`  deleted the ${o.nodes} bench nodes and their leases${failed ? ` (${failed} deletes failed)` : ''}`);
  } finally {
    agent.destroy();
  }
}
