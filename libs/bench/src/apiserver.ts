import { Agent, request } from 'node:https';
import { Etcd3 } from 'etcd3';
import { knee, runLevel, type LevelResult } from './stats.js';

export interface ApiTarget {
  /** `https://host:port` of an apiserver or of the load balancer in front of them. */
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
}

export interface ApiserverBenchOptions {
  /** Through one replica (its own port). */
  readonly oneReplica: ApiTarget;
  /** Through the load balancer in front of all replicas. */
  readonly allReplicas: ApiTarget;
  readonly etcdEndpoints: readonly string[];
  /** Concurrency levels, rising. */
  readonly levels: readonly number[];
  /** Operations per level. */
  readonly perLevel: number;
  readonly namespace: string;
  readonly progress: (line: string) => void;
}

export interface ApiserverBenchResult {
  readonly bench: 'apiserver';
  readonly at: string;
  /** Size of the request body of one create. */
  readonly objectBytes: number;
  /** Size of what the apiserver stores for it (defaults, managedFields; the size of each raw etcd put). */
  readonly storedBytes: number;
  readonly oneReplica: LevelResult[];
  readonly allReplicas: LevelResult[];
  readonly etcd: LevelResult[];
  readonly metrics: { createsPerSecond: number; etcdPutsPerSecond: number; ratioToEtcd: number; p99Ms: number; kneeConcurrency: number };
}

/** A pod as a client would create it (the body size matches what etcd is asked to store raw). */
function pod(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'ekslab-bench' } },
    // A scheduler name nobody serves: the lab's scheduler and kubelets leave bench pods alone (this measures creates).
    spec: { schedulerName: 'ekslab-bench', containers: [{ name: 'app', image: 'public.ecr.aws/docker/library/nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
}

/** One HTTPS call with a keep-alive agent; the response body, or a rejection for any status ≥ 300 with the server's message. */
function call(t: ApiTarget, agent: Agent, method: string, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.server), { method, agent, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`${method} ${path}: ${res.statusCode ?? '?'} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One level of pod creates through `t`, on connections opened (TLS handshakes) before the clock starts. */
async function createLevel(t: ApiTarget, o: ApiserverBenchOptions, concurrency: number, run: string, label: string): Promise<LevelResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: t.caPem });
  const path = `/api/v1/namespaces/${o.namespace}/pods`;
  try {
    await Promise.all(Array.from({ length: concurrency }, () => call(t, agent, 'GET', '/version')));
    const r = await runLevel(concurrency, o.perLevel, async (i) => {
      await call(t, agent, 'POST', path, pod(`bench-${run}-${label.replace(/ /g, '-')}-c${concurrency}-${i}`));
    });
    o.progress(`  ${label.padEnd(12)} concurrency ${String(concurrency).padStart(3)}: ${r.perSecond.toFixed(0).padStart(6)} creates/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ''}`);
    await call(t, agent, 'DELETE', `${path}?labelSelector=app%3Dekslab-bench`);
    return r;
  } finally {
    agent.destroy();
  }
}

/** One level of raw puts of `value` (a fresh key each), on channels the client has already opened. */
async function putLevel(client: Etcd3, o: ApiserverBenchOptions, concurrency: number, prefix: string, value: string): Promise<LevelResult> {
  const r = await runLevel(concurrency, o.perLevel, async (i) => {
    await client.put(`${prefix}c${concurrency}-${i}`).value(value);
  });
  o.progress(`  ${'raw etcd'.padEnd(12)} concurrency ${String(concurrency).padStart(3)}: ${r.perSecond.toFixed(0).padStart(6)} puts/s     p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}`);
  return r;
}

/**
 * Creates pods at rising concurrency through one replica and through the load balancer, and in the same
 * run puts values of the same size straight into etcd: the apiserver's write path measured against the
 * ceiling under it, on the same machine at the same moment.
 */
export async function benchApiserver(o: ApiserverBenchOptions): Promise<ApiserverBenchResult> {
  const run = Date.now().toString(36);
  const bytes = Buffer.byteLength(pod(`bench-${run}-xxxxxxxxxxxx-c000-00000`));
  const setup = new Agent({ ca: o.allReplicas.caPem });
  await call(o.allReplicas, setup, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: o.namespace } })).catch((err: Error) => {
    if (!err.message.includes(' 409 ')) throw err;
  });
  // What etcd is asked to store for one such pod (defaults and managedFields added; a dry run answers with
  // the object as it would be stored): the raw puts write as many bytes.
  const storedBytes = Buffer.byteLength(await call(o.allReplicas, setup, 'POST', `/api/v1/namespaces/${o.namespace}/pods?dryRun=All`, pod(`bench-${run}-xxxxxxxxxxxx-c000-00000`)));
  setup.destroy();
  const client = new Etcd3({ hosts: [...o.etcdEndpoints] });
  const prefix = `/ekslab-bench/${run}/`;
  const oneReplica: LevelResult[] = [];
  const allReplicas: LevelResult[] = [];
  const etcd: LevelResult[] = [];
  try {
    // Channels to every member are opened before the clock starts, as the apiserver's connections are.
    await Promise.all(o.etcdEndpoints.flatMap(() => [client.get(`${prefix}warm-up`).string(), client.get(`${prefix}warm-up`).string()]));
    // Level by level, the three measurements back to back: compared at the same moment of the machine's load.
    o.progress(`pod creates (${bytes}-byte bodies, ${storedBytes} bytes stored) through one replica (${o.oneReplica.server}) and the load balancer (${o.allReplicas.server}), raw etcd puts of ${storedBytes} bytes; ${o.perLevel} per level`);
    for (const concurrency of o.levels) {
      oneReplica.push(await createLevel(o.oneReplica, o, concurrency, run, 'one replica'));
      allReplicas.push(await createLevel(o.allReplicas, o, concurrency, run, 'all replicas'));
      etcd.push(await putLevel(client, o, concurrency, prefix, 'x'.repeat(storedBytes)));
    }
    await client.delete().prefix(prefix);
  } finally {
    client.close();
  }
  const best = knee(allReplicas);
  const etcdAtKnee = etcd.find((e) => e.concurrency === best?.concurrency);
  const createsPerSecond = best?.perSecond ?? 0;
  const etcdPutsPerSecond = etcdAtKnee?.perSecond ?? 0;
  return {
    bench: 'apiserver', at: new Date().toISOString(), objectBytes: bytes, storedBytes, oneReplica, allReplicas, etcd,
    metrics: {
      createsPerSecond, etcdPutsPerSecond, ratioToEtcd: etcdPutsPerSecond ? Math.round((createsPerSecond / etcdPutsPerSecond) * 1000) / 1000 : 0,
      p99Ms: best?.p99Ms ?? 0, kneeConcurrency: best?.concurrency ?? 0,
    },
  };
}
