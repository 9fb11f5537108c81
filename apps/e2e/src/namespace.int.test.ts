import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { ResourceClient, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { startEtcdCluster, waitFor, type EtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, tokenOf, writeKubeconfig } from './kubectl.js';
import { ServiceProcess, runToExit } from './process.js';

// `kubectl delete ns` against the built apiserver and two built controller-manager replicas on a real
// etcd: the leader's namespace controller empties the namespace (configmaps, a deployment, a pod in its
// grace period), reports conditions, finalizes it, and kubectl's wait returns. A "kubelet" in this test
// does what a node's kubelet does for a pod being deleted: the final delete with grace 0.
let etcd: EtcdCluster;
let apiserver: ServiceProcess;
let certDir: string;
let restUrl: string;
let grpcAddress: string;
let ca: Buffer;
let adminToken: string;
let kubeconfig: string;
let service: ResourceServiceClient;
const managers: ServiceProcess[] = [];

interface Condition { type: string; status: string; reason: string; message: string }
interface Namespace extends KubeObject { spec?: { finalizers?: string[] }; status?: { phase?: string; conditions?: Condition[] } }

const PODS = { group: '', version: 'v1', resource: 'pods' };
const signal = (): AbortSignal => AbortSignal.timeout(15_000);

function rest(method: string, path: string, body?: unknown): Promise<{ code: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${restUrl}${path}`, { method, ca, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function startManager(): ServiceProcess {
  const proc = new ServiceProcess('controller-manager', [
    '--cert-dir', certDir, '--master', restUrl, '--grpc-server', grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0', '--controllers', 'namespace-controller',
    // Short leases so a takeover happens within the test's time.
    '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms',
  ]);
  managers.push(proc);
  return proc;
}

async function opsPort(proc: ServiceProcess): Promise<number> {
  return Number((await proc.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)'))['port']);
}

const manifest = (ns: string, podGrace: number): string => JSON.stringify({
  apiVersion: 'v1', kind: 'List', items: [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: ns }, data: { a: '1' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two', namespace: ns }, data: { b: '2' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound', namespace: ns },
      spec: { nodeName: 'node-a', terminationGracePeriodSeconds: podGrace, containers: [{ name: 'c', image: 'busybox:1.36' }] },
    },
  ],
});

async function getNamespace(name: string): Promise<Namespace | undefined> {
  const res = await rest('GET', `/api/v1/namespaces/${name}`);
  return res.code === 404 ? undefined : (res.body as unknown as Namespace);
}

const condition = (ns: Namespace | undefined, type: string): Condition | undefined => ns?.status?.conditions?.find((c) => c.type === type);

/** The kubelet's part of a pod deletion: once the pod is marked, remove it for good (grace 0). */
async function kubeletFinishes(ns: string, pod: string): Promise<void> {
  const pods = new ResourceClient({ service, gvr: PODS, namespace: ns, token: adminToken });
  const marked = await pods.get(pod, { signal: signal() });
  expect(marked.metadata.deletionTimestamp).toBeTruthy();
  await pods.delete(pod, { signal: signal(), options: { gracePeriodSeconds: 0 } });
}

async function contentLeft(ns: string): Promise<number> {
  let n = 0;
  for (const path of [`/api/v1/namespaces/${ns}/configmaps`, `/api/v1/namespaces/${ns}/pods`, `/apis/apps/v1/namespaces/${ns}/deployments`]) {
    n += ((await rest('GET', path)).body['items'] as unknown[]).length;
  }
  return n;
}

beforeAll(async () => {
  etcd = await startEtcdCluster({ members: 1 });
  certDir = mkdtempSync(join(tmpdir(), 'ekslab-pki-'));
  apiserver = new ServiceProcess('apiserver', [
    '--cert-dir', certDir, '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0', '--grpc-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0',
  ]);
  const grpc = await apiserver.waitForLog((r) => r['msg'] === 'serving the resource API over gRPC', 30_000);
  const serving = await apiserver.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 10_000);
  restUrl = `https://127.0.0.1:${String(serving['port'])}`;
  grpcAddress = `127.0.0.1:${String(grpc['port'])}`;
  ca = readFileSync(join(certDir, 'ca.crt'));
  adminToken = tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin');
  kubeconfig = writeKubeconfig(restUrl, ca.toString(), adminToken);
  service = new ResourceServiceClient(grpcAddress, credentials.createSsl(ca));
}, 120_000);

afterAll(async () => {
  for (const m of managers) m.dispose();
  service?.close();
  apiserver?.dispose();
  await etcd?.cleanup();
});

describe('namespace deletion', () => {
  it('the apiserver alone: a namespace stays Terminating (spec.finalizers [kubernetes]); a second delete is 409; finalize with no finalizers deletes it', async () => {
    expect((await kubectl('1.33', kubeconfig, ['create', 'namespace', 'manual'])).code).toBe(0);
    const first = await rest('DELETE', '/api/v1/namespaces/manual');
    expect(first.code).toBe(200);
    expect(first.body).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } });
    expect((first.body['metadata'] as { deletionTimestamp?: string }).deletionTimestamp).toBeTruthy();
    const again = await rest('DELETE', '/api/v1/namespaces/manual');
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on namespaces "manual": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
    });
    // A status update does not finish it (spec.finalizers still holds it); nor does a main-resource update that drops them.
    const ns = (await getNamespace('manual'))!;
    expect((await rest('PUT', '/api/v1/namespaces/manual', { ...ns, spec: { finalizers: [] } })).code).toBe(200);
    expect((await getNamespace('manual'))?.spec?.finalizers).toEqual(['kubernetes']);
    // finalize: only spec.finalizers changes; empty → deleted for real.
    const current = (await getNamespace('manual'))!;
    const fin = await rest('PUT', '/api/v1/namespaces/manual/finalize', { ...current, spec: { finalizers: [] }, metadata: { ...current.metadata, labels: { ignored: 'yes' } } });
    expect(fin.code).toBe(200);
    expect(fin.body['spec']).toEqual({});
    expect(await getNamespace('manual')).toBeUndefined();
    // A namespace created without finalizers is deleted at once.
    expect((await rest('POST', '/api/v1/namespaces', { metadata: { name: 'bare' }, spec: { finalizers: [] } })).code).toBe(201);
    expect((await rest('DELETE', '/api/v1/namespaces/bare')).code).toBe(200);
    expect(await getNamespace('bare')).toBeUndefined();
  });

  it('--help lists the controller-manager flags', async () => {
    const res = await runToExit('controller-manager', ['--help']);
    expect(res.code).toBe(0);
    for (const flag of ['--master <url>', '--grpc-server <host:port>', '--cert-dir <dir>', '--leader-elect <choice>', '--leader-elect-lease-duration <duration>',
      '--leader-elect-renew-deadline <duration>', '--leader-elect-retry-period <duration>', '--concurrent-namespace-syncs <int>', '--namespace-sync-period <duration>']) {
      expect(res.stdout).toContain(flag);
    }
  });

  it('kubectl 1.33: `kubectl delete ns` returns once the leader emptied and finalized it; conditions report the pod in its grace period', async () => {
    const a = startManager();
    const port = await opsPort(a);
    await a.waitForLog((r) => r['msg'] === 'leading: starting controllers', 20_000);
    await a.waitForLog((r) => r['msg'] === 'caches synced; starting workers', 20_000);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('leader_election_master_status{name="kube-controller-manager",service="controller-manager"} 1');
    expect(metrics).toMatch(/workqueue_depth\{name="namespace",service="controller-manager"\} \d+/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    expect((await kubectl('1.33', kubeconfig, ['create', 'namespace', 'doomed'])).code).toBe(0);
    const applied = await kubectl('1.33', kubeconfig, ['apply', '-f', '-'], manifest('doomed', 10));
    expect(applied.stderr).toBe('');
    expect(await contentLeft('doomed')).toBe(4);

    const deleting = kubectl('1.33', kubeconfig, ['delete', 'namespace', 'doomed', '--timeout=60s']);
    // The pod (on a node, 10 s grace) holds the namespace: the controller says so in its conditions.
    const held = await waitFor(async () => {
      const ns = await getNamespace('doomed');
      return condition(ns, 'NamespaceContentRemaining')?.status === 'True' ? ns : undefined;
    }, { timeoutMs: 20_000, description: 'NamespaceContentRemaining=True' });
    expect(condition(held, 'NamespaceContentRemaining')).toMatchObject({ reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods. has 1 resource instances' });
    expect(condition(held, 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'False', reason: 'ContentHasNoFinalizers' });
    expect(condition(held, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered' });
    expect(held?.spec?.finalizers).toEqual(['kubernetes']);
    expect(await contentLeft('doomed')).toBe(1); // configmaps and the deployment are gone; the pod terminates
    // A second `kubectl delete` while it terminates is the apiserver's 409.
    const second = await kubectl('1.33', kubeconfig, ['delete', 'namespace', 'doomed', '--wait=false']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('The system is ensuring all content is removed from this namespace.');

    await kubeletFinishes('doomed', 'bound');
    const res = await deleting;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('namespace "doomed" deleted');
    expect(await getNamespace('doomed')).toBeUndefined();
    expect(await contentLeft('doomed')).toBe(0);
    const get = await kubectl('1.33', kubeconfig, ['get', 'namespace', 'doomed']);
    expect(get.stderr).toContain('namespaces "doomed" not found');
  }, 90_000);

  it('kubectl 1.27: `kubectl delete ns` of a namespace with configmaps and a deployment returns', async () => {
    expect((await kubectl('1.27', kubeconfig, ['create', 'namespace', 'old-kubectl'])).code).toBe(0);
    expect((await kubectl('1.27', kubeconfig, ['create', 'configmap', 'c', '-n', 'old-kubectl', '--from-literal=a=b'])).code).toBe(0);
    expect((await kubectl('1.27', kubeconfig, ['create', 'deployment', 'd', '-n', 'old-kubectl', '--image=nginx:1.27'])).code).toBe(0);
    const res = await kubectl('1.27', kubeconfig, ['delete', 'namespace', 'old-kubectl', '--timeout=30s']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('namespace "old-kubectl" deleted');
    expect(await getNamespace('old-kubectl')).toBeUndefined();
    expect(await contentLeft('old-kubectl')).toBe(0);
  }, 60_000);

  it('failover: the second replica takes the Lease when the leader is killed and finishes a deletion the leader began', async () => {
    const a = managers[0]!;
    const b = startManager();
    const bPort = await opsPort(b);
    await b.waitForLog((r) => r['msg'] === 'new leader', 20_000);
    expect((await fetch(`http://127.0.0.1:${bPort}/metrics`)).ok).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${bPort}/metrics`)).text()).toContain('leader_election_master_status{name="kube-controller-manager",service="controller-manager"} 0');

    expect((await kubectl('1.33', kubeconfig, ['create', 'namespace', 'handover'])).code).toBe(0);
    expect((await kubectl('1.33', kubeconfig, ['apply', '-f', '-'], manifest('handover', 30))).code).toBe(0);
    expect((await kubectl('1.33', kubeconfig, ['delete', 'namespace', 'handover', '--wait=false'])).code).toBe(0);
    // The leader has begun: everything but the terminating pod is gone.
    await waitFor(async () => condition(await getNamespace('handover'), 'NamespaceContentRemaining')?.status === 'True', { timeoutMs: 20_000, description: 'leader began the deletion' });
    expect(await contentLeft('handover')).toBe(1);

    a.signal('SIGKILL');
    await a.exited;
    await kubeletFinishes('handover', 'bound');
    await b.waitForLog((r) => r['msg'] === 'leading: starting controllers', 20_000);
    await waitFor(async () => (await getNamespace('handover')) === undefined, { timeoutMs: 30_000, description: 'namespace handover deleted by replica b' });
    expect(await contentLeft('handover')).toBe(0);
    const lease = await rest('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager');
    const holder = (lease.body['spec'] as { holderIdentity?: string }).holderIdentity;
    const bIdentity = (await b.waitForLog((r) => r['msg'] === 'leading: starting controllers'))['identity'];
    expect(holder).toBe(bIdentity);
    expect(await (await fetch(`http://127.0.0.1:${bPort}/metrics`)).text()).toContain('leader_election_master_status{name="kube-controller-manager",service="controller-manager"} 1');
  }, 90_000);
});
