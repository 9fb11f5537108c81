import { credentials } from '@grpc/grpc-js';
import { CoreV1Api, KubeConfig, Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { Informer, ResourceClient } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { startEtcdCluster, waitFor, type EtcdCluster } from '@ekslab/testing';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HaLab } from './ha-lab.js';
import { GrpcTransport, RestTransport } from './ha-transports.js';
import { RetryingWriter, Workload, type ConfigMap } from './ha-writer.js';

// The acceptance of the HA apiserver: three replicas of the app image on a 3-member etcd, behind the lab's
// HAProxy (lab.cfg, with faster health checks). Each replica in turn is SIGKILLed while a retrying client
// writes through the load balancer, then started again. No logical request may fail, every acknowledged
// write must be in etcd, each restarted replica must serve again, and watchers — client-node's informer,
// a raw client-node Watch, and over gRPC @ekslab/client's Informer — must end equal to a fresh list.

/** Acknowledged writes each phase must see: while the killed replica is DOWN, and after it is back UP. */
const WRITES_PER_PHASE = 25;
const PHASE_TIMEOUT_MS = 20_000;
/**
 * HAProxy health checks: fast by default so the test is quick (a dead replica is DOWN after ~1 s);
 * EKSLAB_HA_CHECK_INTER_MS=2000 EKSLAB_HA_CHECK_FALL=2 EKSLAB_HA_CHECK_RISE=2 runs the lab's own timings.
 */
const timings = {
  interMs: Number(process.env['EKSLAB_HA_CHECK_INTER_MS'] ?? 500),
  fall: Number(process.env['EKSLAB_HA_CHECK_FALL'] ?? 2),
  rise: Number(process.env['EKSLAB_HA_CHECK_RISE'] ?? 2),
};

let etcd: EtcdCluster;
let lab: HaLab;

beforeAll(async () => {
  etcd = await startEtcdCluster({ members: 3 });
  try {
    lab = await HaLab.start({ etcd, timings, apiserverArgs: ['--watch-bookmark-interval=1s'] });
  } catch (err) {
    await etcd.cleanup();
    throw err;
  }
}, 150_000);

// Each test kills replicas; one that failed midway must not leave the next with a replica down.
afterEach(async () => {
  await lab?.restoreAll();
}, 60_000);

afterAll(async () => {
  await lab?.cleanup();
  await etcd?.cleanup();
});

async function createNamespace(name: string): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
}

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'nlb', server: lab.url, caData: Buffer.from(lab.caPem).toString('base64') }],
    users: [{ name: 'admin', token: lab.adminToken }],
    contexts: [{ name: 'nlb', cluster: 'nlb', user: 'admin' }],
    currentContext: 'nlb',
  });
  return kc;
}

/**
 * Kills each replica in turn while `workload` runs: kill → HAProxy marks it DOWN → the workload keeps
 * acknowledging writes → start → its own /readyz → HAProxy marks it UP → a direct request to it serves the
 * counter (read from etcd, so at least what was acknowledged) → the workload acknowledges more writes.
 */
async function killEachReplicaInTurn(workload: Workload, namespace: string): Promise<void> {
  const progress = (): number => workload.progress;
  const writesAfter = async (mark: number, what: string): Promise<void> => {
    await waitFor(() => progress() >= mark + WRITES_PER_PHASE || workload.writer.stats.failures.length > 0, {
      description: `${WRITES_PER_PHASE} acknowledged writes ${what}`, timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 20,
    });
    expect(workload.writer.stats.failures).toEqual([]);
  };
  for (const { index, alias } of lab.replicas) {
    await lab.kill(index);
    await lab.waitBalancerSees(index, 'DOWN', 10_000 + 5 * timings.interMs * timings.fall);
    await writesAfter(progress(), `while ${alias} is down`);

    await lab.start(index);
    await lab.waitReplicaReady(index, 30_000);
    await lab.waitBalancerSees(index, 'UP', 10_000 + 5 * timings.interMs * timings.rise);
    const ackedUpdates = workload.acked.counterUpdates;
    const direct = await lab.directGet(index, `/api/v1/namespaces/${namespace}/configmaps/counter`);
    expect(direct.status, `${alias} serves again after its restart`).toBe(200);
    expect(Number((direct.body as ConfigMap).data?.['count'])).toBeGreaterThanOrEqual(ackedUpdates);
    await writesAfter(progress(), `after ${alias} is back`);
  }
}

/** Everything stored under the namespace's ConfigMaps, read from etcd itself: name → data. */
async function configMapsInEtcd(namespace: string): Promise<Map<string, Record<string, string>>> {
  const client = new Etcd3({ hosts: etcd.endpoints });
  try {
    const raw = await client.getAll().prefix(`/registry/core/configmaps/${namespace}/`).buffers();
    const jsonPrefix = Buffer.from('k8s\0json\0', 'latin1');
    return new Map(Object.values(raw).map((value) => {
      expect(value.subarray(0, jsonPrefix.length).equals(jsonPrefix)).toBe(true);
      const obj = JSON.parse(value.subarray(jsonPrefix.length).toString('utf8')) as ConfigMap;
      return [obj.metadata.name, obj.data ?? {}];
    }));
  } finally {
    client.close();
  }
}

/** Asserts that etcd holds exactly the acknowledged writes: every create with its data, the counter at its count. */
async function expectAcknowledgedWritesInEtcd(workload: Workload, namespace: string): Promise<void> {
  const stored = await configMapsInEtcd(namespace);
  const missing = [...workload.acked.creates].filter(([name, i]) => stored.get(name)?.['i'] !== i).map(([name]) => name);
  expect(missing, 'acknowledged creates missing or different in etcd').toEqual([]);
  expect(stored.get('counter')).toEqual({ count: String(workload.acked.counterUpdates) });
  // Every name the workload tried was acknowledged, so nothing else may exist (no phantom or double write).
  expect(stored.size).toBe(workload.acked.creates.size + 1);
}

async function report(label: string, writer: RetryingWriter, workload: Workload, startedAt: number, extra: Record<string, unknown>): Promise<void> {
  const summary = {
    durationMs: Date.now() - startedAt,
    acknowledgedCreates: workload.acked.creates.size,
    acknowledgedCounterUpdates: workload.acked.counterUpdates,
    rawAttempts: writer.stats.attempts,
    attemptsRetried: writer.retriedAttempts,
    retriedByReason: Object.fromEntries(writer.stats.retried),
    resolvedByReadBack: writer.stats.resolvedByReadBack,
    // Cumulative over the file's tests: connections HAProxy retried on another replica itself.
    haproxy: await lab.balancerRetries(),
    ...extra,
  };
  console.log(`[ha] ${label}: ${JSON.stringify(summary)}`);
}

const versions = (items: ReadonlyArray<{ metadata?: { name?: string; resourceVersion?: string } }>): string[] =>
  items.map((o) => `${o.metadata?.name ?? '?'}@${o.metadata?.resourceVersion ?? '?'}`).sort();

/**
 * A raw client-node Watch that resumes from the last resourceVersion it saw after every disconnect, the
 * way a reflector does, and keeps its own name → resourceVersion cache from the events.
 */
class ResumingWatch {
  readonly cache = new Map<string, string>();
  readonly problems: string[] = [];
  reconnects = 0;
  private lastRv = '';
  private lastEventRv = 0;
  private request: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly path: string,
  ) {}

  start(items: V1ConfigMap[], resourceVersion: string): Promise<void> {
    for (const cm of items) this.cache.set(cm.metadata!.name!, cm.metadata!.resourceVersion!);
    this.lastRv = resourceVersion;
    this.lastEventRv = Number(resourceVersion);
    return this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.request = await new Watch(this.kc).watch(this.path, { resourceVersion: this.lastRv, allowWatchBookmarks: true }, (type: string, obj: V1ConfigMap & { code?: number; message?: string }) => {
      if (type === 'ERROR') {
        this.problems.push(`ERROR event: ${obj.code ?? '?'} ${obj.message ?? ''}`);
        return;
      }
      const rv = obj.metadata?.resourceVersion ?? '';
      if (type !== 'BOOKMARK') {
        // Across reconnects the stream must continue exactly: no event twice, none out of order.
        if (Number(rv) <= this.lastEventRv) this.problems.push(`${type} ${obj.metadata?.name ?? '?'}@${rv} after ${this.lastEventRv}`);
        this.lastEventRv = Number(rv);
        if (type === 'DELETED') this.cache.delete(obj.metadata!.name!);
        else this.cache.set(obj.metadata!.name!, rv);
      }
      this.lastRv = rv;
    }, (err: unknown) => {
      if (this.stopped) return;
      if ((err as { statusCode?: number } | null)?.statusCode === 410) this.problems.push('410 Gone on resume');
      this.reconnects++;
      setTimeout(() => void this.connect().catch((e: unknown) => this.problems.push(`reconnect: ${String(e)}`)), 100);
    });
  }
}

describe('killing any apiserver replica behind the load balancer', () => {
  it('REST: a retrying client loses no write; client-node informer and watch stay in sync; each replica serves again', async () => {
    const startedAt = Date.now();
    const ns = 'ha-rest';
    await createNamespace(ns);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const teardown = new AbortController();
    const opts = { baseUrl: lab.url, caPem: lab.caPem, token: lab.adminToken, namespace: ns };
    // Creates open a new connection per request (so round robin spreads them over every replica and some
    // meet a dead one before HAProxy marks it DOWN); counter updates reuse one kept-alive connection (as
    // client-go does), which dies with whichever replica it is pinned to.
    const createsTransport = new RestTransport({ ...opts, keepAlive: false });
    const updatesTransport = new RestTransport({ ...opts, keepAlive: true });
    const writer = new RetryingWriter({
      create: (cm, s) => createsTransport.create(cm, s),
      get: (name, s) => updatesTransport.get(name, s),
      update: (cm, s) => updatesTransport.update(cm, s),
      classify: (err) => createsTransport.classify(err),
    });
    const workload = new Workload(writer, ns, teardown.signal);

    const kc = kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: ns }));
    let informerErrors = 0;
    informer.on('error', () => {
      // client-node's ListWatch stops on an error; restarting it resumes from its last resourceVersion.
      informerErrors++;
      setTimeout(() => {
        if (!teardown.signal.aborted) void informer.start();
      }, 200);
    });
    const watch = new ResumingWatch(kc, path);
    try {
      await workload.start();
      await informer.start();
      const initial = await core.listNamespacedConfigMap({ namespace: ns });
      await watch.start(initial.items, initial.metadata!.resourceVersion!);

      await killEachReplicaInTurn(workload, ns);
      await workload.stop();

      expect(writer.stats.failures).toEqual([]);
      await expectAcknowledgedWritesInEtcd(workload, ns);

      const fresh = await updatesTransport.list(AbortSignal.timeout(10_000));
      const want = versions(fresh.items);
      await waitFor(() => JSON.stringify(versions(informer.list())) === JSON.stringify(want), { description: 'the informer cache to equal a fresh list', timeoutMs: 20_000 })
        .catch(() => undefined);
      expect(versions(informer.list()), 'informer cache vs fresh list').toEqual(want);
      const watched = (): string[] => [...watch.cache].map(([n, rv]) => `${n}@${rv}`).sort();
      await waitFor(() => JSON.stringify(watched()) === JSON.stringify(want), { description: 'the raw watch to equal a fresh list', timeoutMs: 20_000 })
        .catch(() => undefined);
      expect(watched(), 'raw watch state vs fresh list').toEqual(want);
      expect(watch.problems).toEqual([]);
      // Its connection was pinned to one replica and every replica died once, so it resumed at least once.
      expect(watch.reconnects).toBeGreaterThanOrEqual(1);
      await report('REST', writer, workload, startedAt, { timings, informerErrors, watchReconnects: watch.reconnects });
    } finally {
      teardown.abort();
      await workload.stop();
      watch.stop();
      await informer.stop();
      createsTransport.close();
      updatesTransport.close();
    }
  }, 150_000);

  it('gRPC: ResourceClient with retries loses no write; an @ekslab/client Informer stays in sync', async () => {
    const startedAt = Date.now();
    const ns = 'ha-grpc';
    await createNamespace(ns);
    const teardown = new AbortController();
    const service = new ResourceServiceClient(lab.grpcAddress, credentials.createSsl(Buffer.from(lab.caPem)));
    const configMaps = new ResourceClient<ConfigMap>({ service, gvr: { group: '', version: 'v1', resource: 'configmaps' }, namespace: ns, token: lab.adminToken });
    const writer = new RetryingWriter(new GrpcTransport(configMaps));
    const workload = new Workload(writer, ns, teardown.signal);
    const informer = new Informer<ConfigMap>(configMaps, { backoff: { initialMs: 100, maxMs: 1_000 } });
    const informerRun = informer.start(teardown.signal).catch((err: unknown) => {
      if (!teardown.signal.aborted) throw err;
    });
    try {
      await workload.start();
      await informer.waitForSync(AbortSignal.timeout(20_000));

      await killEachReplicaInTurn(workload, ns);
      await workload.stop();

      expect(writer.stats.failures).toEqual([]);
      await expectAcknowledgedWritesInEtcd(workload, ns);

      const fresh = await configMaps.listAll({}, AbortSignal.timeout(10_000));
      const want = versions(fresh.items);
      await waitFor(() => JSON.stringify(versions(informer.store.list())) === JSON.stringify(want), { description: 'the gRPC informer cache to equal a fresh list', timeoutMs: 20_000 })
        .catch(() => undefined);
      expect(versions(informer.store.list()), 'gRPC informer cache vs fresh list').toEqual(want);
      await report('gRPC', writer, workload, startedAt, { timings });
    } finally {
      teardown.abort();
      await workload.stop();
      await informerRun;
      service.close();
    }
  }, 150_000);
});
