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
  readonly objectBytes: number;
  readonly oneReplica: LevelResult[];
  readonly allReplicas: LevelResult[];
  readonly etcd: LevelResult[];
  readonly metrics: { createsPerSecond: number; etcdPutsPerSecond: number; ratioToEtcd: number; p99Ms: number; kneeConcurrency: number };
}

/** A pod as a client would create it (the body size matches what etcd is asked to store raw). */
function pod(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'ekslab-bench' } },
    spec: { containers: [{ name: 'app', image: 'public.ecr.aws/docker/library/nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
}

/** One HTTPS call with a keep-alive agent; rejects on any status ≥ 300 with the server's message. */
function call(t: ApiTarget, agent: Agent, method: string, path: string, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.server), { method, agent, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode ?? '?'} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function createPods(t: ApiTarget, o: ApiserverBenchOptions, run: string, label: string): Promise<LevelResult[]> {
  const results: LevelResult[] = [];
  for (const concurrency of o.levels) {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: t.caPem });
    const path = `/api/v1/namespaces/${o.namespace}/pods`;
    // Connections are opened (TLS handshakes) before the clock starts, as the raw etcd client's already is.
    await Promise.all(Array.from({ length: concurrency }, () => call(t, agent, 'GET', '/version')));
    const r = await runLevel(concurrency, o.perLevel, (i) => call(t, agent, 'POST', path, pod(`bench-${run}-${label.replace(/ /g, '-')}-c${concurrency}-${i}`)));
    o.progress(`  ${label.padEnd(12)} concurrency ${String(concurrency).padStart(3)}: ${r.perSecond.toFixed(0).padStart(6)} creates/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ''}`);
    results.push(r);
    await call(t, agent, 'DELETE', `${path}?labelSelector=app%3Dekslab-bench`);
    agent.destroy();
  }
  return results;
}

async function etcdPuts(o: ApiserverBenchOptions, run: string, bytes: number): Promise<LevelResult[]> {
  const client = new Etcd3({ hosts: [...o.etcdEndpoints] });
  const value = 'x'.repeat(bytes);
  const prefix = `/ekslab-bench/${run}/`;
  try {
    // Channels to every member are opened before the clock starts, as the apiserver's are.
    await Promise.all(o.etcdEndpoints.flatMap(() => [client.get(`${prefix}warm-up`).string(), client.get(`${prefix}warm-up`).string()]));
    const results: LevelResult[] = [];
    for (const concurrency of o.levels) {
      const r = await runLevel(concurrency, o.perLevel, async (i) => {
        await client.put(`${prefix}c${concurrency}-${i}`).value(value);
      });
      o.progress(`  ${'raw etcd'.padEnd(12)} concurrency ${String(concurrency).padStart(3)}: ${r.perSecond.toFixed(0).padStart(6)} puts/s     p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}`);
      results.push(r);
    }
    await client.delete().prefix(prefix);
    return results;
  } finally {
    client.close();
  }
}

/**
 * Creates pods at rising concurrency through one replica and through the load balancer, and in the same
 * run puts values of the same size straight into etcd: the apiserver's write path measured against the
 * ceiling under it, on the same machine at the same moment.
 */
export async function benchApiserver(o: ApiserverBenchOptions): Promise<ApiserverBenchResult> {
  const run = Date.now().toString(36);
  const bytes = Buffer.byteLength(pod(`bench-${run}-xxxxxxxxxxxx-c000-00000`));
  await call(o.allReplicas, new Agent({ ca: o.allReplicas.caPem }), 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: o.namespace } })).catch((err: Error) => {
    if (!err.message.includes(' 409 ')) throw err;
  });
  o.progress(`pod creates through one replica (${o.oneReplica.server}), ${o.perLevel} per level`);
  const oneReplica = await createPods(o.oneReplica, o, run, 'one replica');
  o.progress(`pod creates through the load balancer (${o.allReplicas.server})`);
  const allReplicas = await createPods(o.allReplicas, o, run, 'all replicas');
  o.progress(`raw etcd puts of ${bytes} bytes (${o.etcdEndpoints.join(', ')})`);
  const etcd = await etcdPuts(o, run, bytes);
  const best = knee(allReplicas);
  const etcdAtKnee = etcd.find((e) => e.concurrency === best?.concurrency);
  const createsPerSecond = best?.perSecond ?? 0;
  const etcdPutsPerSecond = etcdAtKnee?.perSecond ?? 0;
  return {
    bench: 'apiserver', at: new Date().toISOString(), objectBytes: bytes, oneReplica, allReplicas, etcd,
    metrics: {
      createsPerSecond, etcdPutsPerSecond, ratioToEtcd: etcdPutsPerSecond ? Math.round((createsPerSecond / etcdPutsPerSecond) * 1000) / 1000 : 0,
      p99Ms: best?.p99Ms ?? 0, kneeConcurrency: best?.concurrency ?? 0,
    },
  };
}
