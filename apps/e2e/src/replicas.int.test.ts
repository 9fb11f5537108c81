import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { startEtcdCluster, waitFor, type EtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenOf } from './kubectl.js';
import { ServiceProcess } from './process.js';

// Two apiserver replicas on one etcd, sharing a PKI directory (as the lab's replicas share a volume),
// driven by @kubernetes/client-node: writes through one are seen by watchers and informers on the other,
// in resourceVersion order, and a replica that dies does not disturb the other.
let etcd: EtcdCluster;
let certDir: string;
const replicas: ServiceProcess[] = [];

async function startReplica(name: string): Promise<{ proc: ServiceProcess; kc: KubeConfig }> {
  const proc = new ServiceProcess('apiserver', [
    '--etcd-servers', etcd.endpoints.join(','), '--cert-dir', certDir, '--bind-address', '127.0.0.1', '--secure-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0', '--grpc-port', '0', '--watch-bookmark-interval', '1s',
  ]);
  replicas.push(proc);
  const serving = await proc.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 30_000);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name, server: `https://127.0.0.1:${String(serving['port'])}`, caData: readFileSync(join(certDir, 'ca.crt')).toString('base64') }],
    users: [{ name: 'admin', token: tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin') }],
    contexts: [{ name, cluster: name, user: 'admin' }],
    currentContext: name,
  });
  return { proc, kc };
}

let a: { proc: ServiceProcess; kc: KubeConfig };
let b: { proc: ServiceProcess; kc: KubeConfig };
const ns = 'replicas';

beforeAll(async () => {
  etcd = await startEtcdCluster({ members: 1 });
  certDir = mkdtempSync(join(tmpdir(), 'ekslab-pki-'));
  [a, b] = await Promise.all([startReplica('a'), startReplica('b')]);
  await a.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
}, 120_000);

afterAll(async () => {
  for (const p of replicas) p.dispose();
  await etcd?.cleanup();
});

describe('apiserver replicas on one etcd', () => {
  it('share one CA: both serve certificates from the same lab CA', () => {
    // Both kubeconfigs trust only ca.crt; the namespace creation above went through replica a, and the
    // tests below read through b, so both handshakes succeeded against the one CA.
    expect(readFileSync(join(certDir, 'ca.crt'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('a write through replica a reaches a watcher on replica b in resourceVersion order', async () => {
    const apiA = a.kc.makeApiClient(CoreV1Api);
    const seen: Array<{ type: string; name: string; rv: number }> = [];
    const listed = await b.kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns });
    const req = await new Watch(b.kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: listed.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: V1ConfigMap) => {
        if (type !== 'BOOKMARK') seen.push({ type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion) });
      }, () => undefined);
    try {
      for (let i = 0; i < 10; i++) {
        await apiA.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } } });
        await apiA.patchNamespacedConfigMap({ namespace: ns, name: `cm-${i}`, body: [{ op: 'replace', path: '/data/i', value: `${i}-changed` }] });
      }
      await apiA.deleteNamespacedConfigMap({ namespace: ns, name: 'cm-0' });
      await waitFor(() => seen.length === 21, { description: '21 events on replica b', timeoutMs: 20_000 });
      expect(seen.map((e) => e.type)).toEqual([...Array.from({ length: 10 }, () => ['ADDED', 'MODIFIED']).flat(), 'DELETED']);
      expect(seen.map((e) => e.rv)).toEqual([...seen.map((e) => e.rv)].sort((x, y) => x - y));
    } finally {
      req.abort();
    }
  }, 60_000);

  it('an informer on replica b stays in sync while replica a is killed and comes back', async () => {
    const apiB = b.kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(b.kc, `/api/v1/namespaces/${ns}/configmaps`, () => apiB.listNamespacedConfigMap({ namespace: ns }));
    await informer.start();
    try {
      await waitFor(() => informer.list().length === 9, { description: 'the informer lists 9 configmaps', timeoutMs: 20_000 });
      a.proc.signal('SIGKILL');
      await a.proc.exited;
      await apiB.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after-kill' } } });
      await waitFor(() => informer.get('after-kill', ns), { description: 'the informer sees a write made after replica a died', timeoutMs: 20_000 });
      const back = await startReplica('a2');
      const listedThroughA2 = await back.kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns });
      expect(listedThroughA2.items.map((c) => c.metadata!.name).sort()).toEqual(informer.list().map((c) => c.metadata!.name).sort());
    } finally {
      await informer.stop();
    }
  }, 90_000);
});
