import { Agent, request } from 'node:https';
import { cpus, freemem, totalmem } from 'node:os';
import type { ApiTarget } from './apiserver.js';
import { percentile } from './stats.js';

export interface SchedulerBenchOptions {
  readonly target: ApiTarget;
  /** Bench nodes to create (m5.large-like allocatable, three zones). */
  readonly nodes: number;
  /** Pods to create once the nodes exist. */
  readonly pods: number;
  /** Creates in flight at once (nodes and pods). */
  readonly concurrency: number;
  /** Give up waiting for bindings after this long, ms. */
  readonly timeoutMs: number;
  readonly namespace: string;
  readonly progress: (line: string) => void;
}

export interface SchedulerBenchResult {
  readonly target: 'scheduler';
  readonly at: string;
  readonly params: { server: string; nodes: number; pods: number; concurrency: number; namespace: string; podRequests: { cpu: string; memory: string } };
  readonly metrics: {
    /** pods ÷ (last binding seen − first pod create sent): scheduler_perf's SchedulingBasic throughput. */
    podsPerSecond: number;
    /** Pods bound within the timeout (equals params.pods on success). */
    podsBound: number;
    /** Seconds from the first pod create to the last binding seen. */
    seconds: number;
    /** Rate at which this client created the pods (the ceiling on podsPerSecond). */
    createsPerSecond: number;
    /** Create acknowledged → binding seen, per pod. */
    p50BindMs: number;
    p99BindMs: number;
    /** Creating the nodes (not measured in podsPerSecond). */
    nodeSetupSeconds: number;
  };
  readonly machine: { cpus: number; cpuModel: string; memoryBytes: number; freeMemoryBytes: number; node: string; platform: string };
}

/** scheduler_perf's pod-default.yaml requests. */
const podRequests = { cpu: '100m', memory: '500Mi' };
const benchLabel = 'ekslab.io/bench';

/** One HTTPS call; the response body, or a rejection for any status ≥ 300 with the server's message. */
function call(t: ApiTarget, agent: Agent, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.server), { method, agent, headers: { authorization: `Bearer ${t.token}`, 'content-type': contentType, accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`${method} ${path}: ${res.statusCode ?? '?'} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Runs `op(i)` for i < count with `concurrency` workers; the first failure rejects. */
async function pool(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await op(next++);
  }));
}

function node(run: string, i: number): object {
  const name = `bench-${run}-node-${i}`;
  const zone = `us-east-1${'abc'[i % 3]}`;
  const allocatable = { cpu: '1930m', memory: '7518Mi', pods: '29', 'ephemeral-storage': '18242267924' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { [benchLabel]: run, 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, 'node.kubernetes.io/instance-type': 'm5.large', 'kubernetes.io/os': 'linux' } },
    spec: { taints: [{ key: benchLabel, value: run, effect: 'NoSchedule' }] },
    status: { allocatable, capacity: { cpu: '2', memory: '7936Mi', pods: '29', 'ephemeral-storage': '20959212Ki' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

function pod(run: string, i: number): object {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `bench-${run}-pod-${i}`, labels: { [benchLabel]: run } },
    spec: {
      nodeSelector: { [benchLabel]: run },
      tolerations: [{ key: benchLabel, operator: 'Equal', value: run, effect: 'NoSchedule' }],
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: podRequests } }],
    },
  };
}

/**
 * Watches the run's pods from `resourceVersion` and calls `onBound(name)` the first time each shows a nodeName.
 * Resolves when `done()` says so; rejects on a watch error.
 */
function watchBindings(t: ApiTarget, path: string, onBound: (name: string) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.server), { method: 'GET', ca: t.caPem, headers: { authorization: `Bearer ${t.token}`, accept: 'application/json' }, signal }, (res) => {
      if ((res.statusCode ?? 500) >= 300) {
        reject(new Error(`watch ${path}: ${res.statusCode ?? '?'}`));
        return;
      }
      let pending = '';
      res.on('data', (c: Buffer) => {
        pending += c.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string }; spec?: { nodeName?: string }; message?: string } };
          if (ev.type === 'ERROR') {
            reject(new Error(`watch error: ${ev.object.message ?? line}`));
            return;
          }
          if (ev.object.spec?.nodeName && ev.object.metadata?.name) onBound(ev.object.metadata.name);
        }
      });
      res.on('end', () => resolve());
      res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
    });
    req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
    req.end();
  });
}

/**
 * scheduler_perf's SchedulingBasic against a running apiserver and scheduler: creates `nodes` bench nodes
 * (labelled and tainted `ekslab.io/bench=<run>` so no other pod lands on them), then `pods` pods that select and
 * tolerate only them, and measures from the first pod create to the last binding seen on a watch. Deletes its
 * pods and nodes afterwards, also when it fails.
 */
export async function benchScheduler(o: SchedulerBenchOptions): Promise<SchedulerBenchResult> {
  const run = Date.now().toString(36);
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency, ca: o.target.caPem });
  const podsPath = `/api/v1/namespaces/${o.namespace}/pods`;
  const selector = `labelSelector=${encodeURIComponent(`${benchLabel}=${run}`)}`;
  const watchAbort = new AbortController();
  try {
    await call(o.target, agent, 'POST', '/api/v1/namespaces', { metadata: { name: o.namespace } }).catch((err: Error) => {
      if (!err.message.includes(' 409 ')) throw err;
    });
    o.progress(`run ${run}: creating ${o.nodes} nodes (m5.large allocatable, 3 zones, tainted ${benchLabel}=${run}:NoSchedule)`);
    const setupStart = performance.now();
    await pool(o.nodes, o.concurrency, async (i) => {
      const n = node(run, i) as { metadata: { name: string }; status: unknown };
      await call(o.target, agent, 'POST', '/api/v1/nodes', n);
      await call(o.target, agent, 'PATCH', `/api/v1/nodes/${n.metadata.name}/status`, { status: n.status }, 'application/merge-patch+json');
    });
    const nodeSetupSeconds = (performance.now() - setupStart) / 1000;
    o.progress(`  nodes ready in ${nodeSetupSeconds.toFixed(1)} s`);

    const list = JSON.parse(await call(o.target, agent, 'GET', `${podsPath}?${selector}&limit=1`)) as { metadata: { resourceVersion: string } };
    const createdAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    let allBound: () => void = () => undefined;
    const everyPodBound = new Promise<void>((resolve) => (allBound = resolve));
    const watch = watchBindings(o.target, `${podsPath}?watch=1&${selector}&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=${Math.ceil(o.timeoutMs / 1000) + 60}`, (name) => {
      if (boundAt.has(name)) return;
      boundAt.set(name, performance.now());
      if (boundAt.size === o.pods) allBound();
    }, watchAbort.signal);
    watch.catch(() => undefined);

    o.progress(`  creating ${o.pods} pods (requests cpu ${podRequests.cpu}, memory ${podRequests.memory}), ${o.concurrency} in flight`);
    const first = performance.now();
    await pool(o.pods, o.concurrency, async (i) => {
      const p = pod(run, i) as { metadata: { name: string } };
      await call(o.target, agent, 'POST', podsPath, p);
      createdAt.set(p.metadata.name, performance.now());
    });
    const createsPerSecond = o.pods / ((performance.now() - first) / 1000);
    o.progress(`  created in ${((performance.now() - first) / 1000).toFixed(1)} s (${createsPerSecond.toFixed(0)}/s); ${boundAt.size} bound so far`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      everyPodBound,
      watch.then(() => { throw new Error('the watch ended before every pod was bound'); }),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, o.timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    const last = Math.max(first, ...boundAt.values());
    const seconds = (last - first) / 1000;
    const latencies = [...boundAt].flatMap(([name, t]) => (createdAt.has(name) ? [Math.max(0, t - createdAt.get(name)!)] : []));
    const cpu = cpus();
    return {
      target: 'scheduler', at: new Date().toISOString(),
      params: { server: o.target.server, nodes: o.nodes, pods: o.pods, concurrency: o.concurrency, namespace: o.namespace, podRequests },
      metrics: {
        podsPerSecond: boundAt.size === o.pods && seconds > 0 ? Math.round((o.pods / seconds) * 10) / 10 : 0,
        podsBound: boundAt.size, seconds: Math.round(seconds * 1000) / 1000, createsPerSecond: Math.round(createsPerSecond * 10) / 10,
        p50BindMs: Math.round(percentile(latencies, 50)), p99BindMs: Math.round(percentile(latencies, 99)),
        nodeSetupSeconds: Math.round(nodeSetupSeconds * 1000) / 1000,
      },
      machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryBytes: totalmem(), freeMemoryBytes: freemem(), node: process.version, platform: `${process.platform}/${process.arch}` },
    };
  } finally {
    watchAbort.abort();
    o.progress(`  cleaning up run ${run}`);
    // One delete per object: a deletecollection over thousands of pods makes the apiserver read them from etcd in one
    // response, beyond gRPC's 4 MiB message limit.
    let failures = 0;
    const del = (path: string) => call(o.target, agent, 'DELETE', path).then(() => undefined, (err: Error) => {
      if (!err.message.includes(' 404 ') && failures++ === 0) o.progress(`  cleanup: ${err.message}`);
    });
    await pool(o.pods, o.concurrency, (i) => del(`${podsPath}/bench-${run}-pod-${i}?gracePeriodSeconds=0`));
    await pool(o.nodes, o.concurrency, (i) => del(`/api/v1/nodes/bench-${run}-node-${i}`));
    if (failures > 0) o.progress(`  cleanup: ${failures} deletes failed; remove the rest with kubectl delete nodes,pods -A -l ${benchLabel}=${run}`);
    agent.destroy();
  }
}
