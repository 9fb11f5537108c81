import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, waitFor, HARNESS_LABEL, type EtcdCluster } from '@ekslab/testing';
import { appImage, docker, requireImage } from './docker.js';
import { repoRoot } from './process.js';

// The compose lab's HA control plane, rebuilt in containers for a test: N apiserver replicas of the app
// image sharing one PKI volume, behind ekslab/haproxy running the lab's own lab.cfg (re-targeted at the
// replicas), all on the etcd cluster's user-defined network. Every host port is a fresh random one, so the
// compose lab (fixed ports 6443, 50051, 8404, 6443x, 1808x) may run at the same time.

export const haproxyImage = `${process.env['EKSLAB_HAPROXY_IMAGE'] ?? 'ekslab/haproxy'}:${process.env['EKSLAB_IMAGE_TAG'] ?? 'dev'}`;
export const labCfgPath = join(repoRoot, 'infra/images/haproxy/lab.cfg');
const PKI_DIR = '/var/lib/ekslab/pki';
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** HAProxy health-check timings of every server line (`inter`, `fall`, `rise`); lab.cfg has 2s / 2 / 2. */
export interface HealthCheckTimings {
  interMs: number;
  fall: number;
  rise: number;
}

/**
 * lab.cfg re-targeted at `servers` (names that resolve on the test network) with the given check timings.
 * Everything else (timeouts, retries, redispatch, /readyz checks, resolvers, session shutdown) stays as
 * the lab runs it. Throws if lab.cfg no longer has the shape this rewrite expects, rather than testing a
 * config that silently differs from the lab's.
 */
export function haproxyConfigFor(labCfg: string, servers: readonly string[], timings: HealthCheckTimings): string {
  let backends = 0;
  let checks = 0;
  const cfg = labCfg
    .replace(/^( *)server apiserver-a apiserver-a:(\d+)\n *server apiserver-b apiserver-b:\2\n *server apiserver-c apiserver-c:\2$/gm, (_m, indent: string, port: string) => {
      backends++;
      return servers.map((s) => `${indent}server ${s} ${s}:${port}`).join('\n');
    })
    .replace(/ inter 2s fall 2 rise 2 /g, () => {
      checks++;
      return ` inter ${timings.interMs}ms fall ${timings.fall} rise ${timings.rise} `;
    });
  if (backends !== 2 || checks !== 2) {
    throw new Error(`lab.cfg changed shape: expected 2 backends of apiserver-a|b|c and 2 'inter 2s fall 2 rise 2' lines, found ${backends} and ${checks}`);
  }
  return cfg;
}

export interface HaLabOptions {
  etcd: EtcdCluster;
  replicas?: number;
  /** Default inter 500 ms, fall 2, rise 2: a dead replica is DOWN within about a second. */
  timings?: HealthCheckTimings;
  /** More apiserver flags, appended last. */
  apiserverArgs?: string[];
}

export interface Replica {
  index: number;
  /** Container name; also its DNS alias `apiserver-<index>` on the network. */
  container: string;
  alias: string;
  /** Host ports (127.0.0.1) of 6443, 8080 (ops) and 50051 (gRPC); fixed for the container's life. */
  apiPort: number;
  opsPort: number;
  grpcPort: number;
}

/** One HAProxy server state from `/stats;csv` (UP, DOWN, "UP 1/2", "DOWN 1/2", MAINT, no check…). */
export type ServerStates = Map<string, string>;

export class HaLab {
  private constructor(
    readonly replicas: readonly Replica[],
    readonly haproxy: { container: string; apiPort: number; grpcPort: number; statsPort: number },
    readonly volume: string,
    /** PEM of the lab CA the replicas created in the shared volume. */
    readonly caPem: string,
    /** Token of `kubernetes-admin` from the shared tokens.csv. */
    readonly adminToken: string,
  ) {}

  /** The Kubernetes API through the load balancer. */
  get url(): string {
    return `https://127.0.0.1:${this.haproxy.apiPort}`;
  }

  /** The gRPC resource API through the load balancer (host:port). */
  get grpcAddress(): string {
    return `127.0.0.1:${this.haproxy.grpcPort}`;
  }

  replica(i: number): Replica {
    const r = this.replicas[i];
    if (!r) throw new RangeError(`no replica ${i}`);
    return r;
  }

  replicaUrl(i: number): string {
    return `https://127.0.0.1:${this.replica(i).apiPort}`;
  }

  /** SIGKILL, as a crash: no graceful shutdown, open connections die with the process. */
  async kill(i: number): Promise<void> {
    await docker('kill', '--signal', 'KILL', this.replica(i).container);
  }

  /** Starts a killed replica again (same container, volume and host ports; its network address may change). */
  async start(i: number): Promise<void> {
    await docker('start', this.replica(i).container);
  }

  /**
   * Undoes what a failed test left behind: starts every replica that is not running and waits until all
   * are ready and UP in HAProxy, so the next test starts from three serving replicas.
   */
  async restoreAll(): Promise<void> {
    for (const r of this.replicas) {
      if ((await docker('inspect', '--format', '{{.State.Running}}', r.container)) !== 'true') await this.start(r.index);
    }
    await Promise.all(this.replicas.map((r) => this.waitReplicaReady(r.index)));
    await Promise.all(this.replicas.map((r) => this.waitBalancerSees(r.index, 'UP', 30_000)));
  }

  /** Waits until replica i answers `/readyz` 200 on its own ops port. */
  async waitReplicaReady(i: number, timeoutMs = 30_000): Promise<void> {
    const r = this.replica(i);
    await waitFor(
      async (signal) => (await fetch(`http://127.0.0.1:${r.opsPort}/readyz`, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) })).status === 200,
      { description: `${r.alias} /readyz on its ops port`, timeoutMs, intervalMs: 100 },
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; logs:\n${await docker('logs', '--tail', '30', r.container).catch(() => '')}`, { cause: err });
    });
  }

  /** Server states by `<backend>/<server>` from HAProxy's `/stats;csv`. */
  async serverStates(signal?: AbortSignal): Promise<ServerStates> {
    const states: ServerStates = new Map();
    for (const row of await this.stats(signal)) {
      if (row['svname'] === 'FRONTEND' || row['svname'] === 'BACKEND') continue;
      states.set(`${row['pxname']}/${row['svname']}`, row['status'] ?? '');
    }
    return states;
  }

  /**
   * Per backend, how many connections HAProxy itself retried (`wretr`: a connect to a server failed) and
   * redispatched to another server (`wredis`) — failures the client never saw.
   */
  async balancerRetries(): Promise<Record<string, { retries: number; redispatches: number }>> {
    const out: Record<string, { retries: number; redispatches: number }> = {};
    for (const row of await this.stats()) {
      if (row['svname'] === 'BACKEND') out[row['pxname'] ?? '?'] = { retries: Number(row['wretr'] || 0), redispatches: Number(row['wredis'] || 0) };
    }
    return out;
  }

  /** HAProxy's `/stats;csv`, one record per line keyed by the header's column names. */
  private async stats(signal?: AbortSignal): Promise<Array<Record<string, string>>> {
    const res = await fetch(`http://127.0.0.1:${this.haproxy.statsPort}/stats;csv`, { signal: signal ?? AbortSignal.timeout(2_000) });
    const [header, ...rows] = (await res.text()).trim().split('\n');
    const columns = (header ?? '').replace(/^# /, '').split(',');
    return rows.map((row) => {
      const cells = row.split(',');
      return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
    });
  }

  /** Waits until HAProxy reports replica i `state` (UP or DOWN, exactly) in both backends (REST and gRPC). */
  async waitBalancerSees(i: number, state: 'UP' | 'DOWN', timeoutMs = 20_000): Promise<void> {
    const alias = this.replica(i).alias;
    await waitFor(
      async (signal) => {
        const states = await this.serverStates(AbortSignal.any([signal, AbortSignal.timeout(2_000)]));
        return states.get(`kube-apiserver/${alias}`) === state && states.get(`kube-apiserver-grpc/${alias}`) === state;
      },
      { description: `HAProxy to report ${alias} ${state}`, timeoutMs, intervalMs: 100 },
    );
  }

  /** One GET straight to replica i's own API port (not through HAProxy), with the admin token. */
  directGet(i: number, path: string, timeoutMs = 5_000): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${this.replicaUrl(i)}${path}`, {
        ca: this.caPem, headers: { authorization: `Bearer ${this.adminToken}` }, agent: false, signal: AbortSignal.timeout(timeoutMs),
      }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Removes the containers and the PKI volume (not the network: it belongs to the etcd cluster). */
  async cleanup(): Promise<void> {
    const containers = [this.haproxy.container, ...this.replicas.map((r) => r.container)];
    await docker('rm', '-f', '-v', ...containers).catch(() => undefined);
    await docker('volume', 'rm', '-f', this.volume).catch(() => undefined);
  }

  /**
   * Starts the replicas (the first alone, since it creates the shared PKI; the others once it is ready)
   * and HAProxy, and waits until HAProxy reports every replica UP. On failure removes what it started.
   */
  static async start(options: HaLabOptions): Promise<HaLab> {
    await Promise.all([requireImage(appImage), requireImage(haproxyImage)]);
    const count = options.replicas ?? 3;
    const timings = options.timings ?? { interMs: 500, fall: 2, rise: 2 };
    const network = options.etcd.network.getName();
    const suffix = network.slice(-8);
    const etcdServers = options.etcd.members.map((m) => `http://${m.name}:2379`).join(',');
    const aliases = Array.from({ length: count }, (_, i) => `apiserver-${i}`);
    const volume = `ekslab-ha-pki-${suffix}`;
    const started: string[] = [];
    const created = { volume: false };
    try {
      await docker('volume', 'create', '--label', `${HARNESS_LABEL}=true`, volume);
      created.volume = true;
      // As the lab's pki-init: the app user (uid 10001) must own the shared volume before a replica writes it.
      await docker('run', '--rm', '--user', '0:0', '--entrypoint', '/bin/sh', '-v', `${volume}:${PKI_DIR}`, appImage,
        '-c', `chown -R 10001:10001 ${PKI_DIR} && chmod 0750 ${PKI_DIR}`);

      const replicas: Replica[] = [];
      for (const [index, alias] of aliases.entries()) {
        const [apiPort, opsPort, grpcPort] = (await freePorts(3)) as [number, number, number];
        replicas.push({ index, alias, container: `ekslab-ha-${alias}-${suffix}`, apiPort, opsPort, grpcPort });
      }
      const run = async (r: Replica): Promise<void> => {
        started.push(r.container);
        await docker('run', '-d', '--name', r.container, '--hostname', r.alias, '--network', network, '--network-alias', r.alias,
          '--label', `${HARNESS_LABEL}=true`, '-e', `EKSLAB_AZ=${AZS[r.index % AZS.length]!}`, '-v', `${volume}:${PKI_DIR}`,
          '-p', `127.0.0.1:${r.apiPort}:6443`, '-p', `127.0.0.1:${r.opsPort}:8080`, '-p', `127.0.0.1:${r.grpcPort}:50051`,
          appImage, 'apiserver', `--etcd-servers=${etcdServers}`, '--bind-address=0.0.0.0', '--secure-port=6443', '--ops-port=8080',
          '--grpc-port=50051', `--cert-dir=${PKI_DIR}`, `--tls-san=localhost,127.0.0.1,haproxy,${aliases.join(',')}`,
          ...(options.apiserverArgs ?? []));
      };
      const lab0 = new HaLab(replicas, { container: '', apiPort: 0, grpcPort: 0, statsPort: 0 }, volume, '', '');
      await run(replicas[0]!);
      await lab0.waitReplicaReady(0, 60_000);
      await Promise.all(replicas.slice(1).map(run));
      await Promise.all(replicas.slice(1).map((r) => lab0.waitReplicaReady(r.index, 60_000)));

      const caPem = await docker('exec', replicas[0]!.container, 'cat', `${PKI_DIR}/ca.crt`);
      const tokens = await docker('exec', replicas[0]!.container, 'cat', `${PKI_DIR}/tokens.csv`);
      const adminLine = tokens.split('\n').find((l) => l.split(',')[1] === 'kubernetes-admin');
      if (!adminLine) throw new Error('kubernetes-admin has no token in the shared tokens.csv');

      const [apiPort, grpcPort, statsPort] = (await freePorts(3)) as [number, number, number];
      const haproxy = { container: `ekslab-ha-haproxy-${suffix}`, apiPort, grpcPort, statsPort };
      const cfgDir = mkdtempSync(join(tmpdir(), 'ekslab-ha-'));
      try {
        const cfgFile = join(cfgDir, 'ha.cfg');
        writeFileSync(cfgFile, haproxyConfigFor(readFileSync(labCfgPath, 'utf8'), aliases, timings), { mode: 0o644 });
        started.push(haproxy.container);
        await docker('create', '--name', haproxy.container, '--hostname', 'haproxy', '--network', network, '--network-alias', 'haproxy',
          '--label', `${HARNESS_LABEL}=true`, '-p', `127.0.0.1:${apiPort}:6443`, '-p', `127.0.0.1:${grpcPort}:50051`, '-p', `127.0.0.1:${statsPort}:8404`,
          haproxyImage, '-f', '/usr/local/etc/haproxy/ha-test.cfg');
        // docker cp rather than a bind mount: works with a remote Docker daemon too.
        await docker('cp', cfgFile, `${haproxy.container}:/usr/local/etc/haproxy/ha-test.cfg`);
        await docker('start', haproxy.container);
      } finally {
        rmSync(cfgDir, { recursive: true, force: true });
      }
      const lab = new HaLab(replicas, haproxy, volume, caPem.trim() + '\n', adminLine.split(',')[0]!);
      await Promise.all(replicas.map((r) => lab.waitBalancerSees(r.index, 'UP', 30_000))).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; haproxy logs:\n${await docker('logs', '--tail', '40', haproxy.container).catch(() => '')}`, { cause: err });
      });
      return lab;
    } catch (err) {
      if (started.length) await docker('rm', '-f', '-v', ...started).catch(() => undefined);
      if (created.volume) await docker('volume', 'rm', '-f', volume).catch(() => undefined);
      throw err;
    }
  }
}
