import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, status as GrpcCode } from '@grpc/grpc-js';
import { ApiError, Informer, ResourceClient, apiErrorFromGrpc, isAlreadyExists, isConflict, isGone, isNotFound } from '@ekslab/client';
import type { KubeObject, WatchEvent } from '@ekslab/client';
import { GetRequest, CreateRequest, ResourceServiceClient } from '@ekslab/proto';
import type { GroupVersionResource } from '@ekslab/proto';
import { startEtcdCluster, waitFor, type EtcdCluster } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenOf } from './kubectl.js';
import { ServiceProcess } from './process.js';

// The built apiserver on a real etcd, driven over gRPC by @ekslab/client's ResourceClient (TLS, bearer
// tokens): the same pipeline as REST — authentication, RBAC, registry, etcd, watch.
let etcd: EtcdCluster;
let apiserver: ServiceProcess;
let service: ResourceServiceClient;
let restUrl: string;
let ca: Buffer;
let adminToken: string;
let schedulerToken: string;
let certDir: string;
let grpcAddress: string;

const ns = 'grpc';
const gvr = (group: string, version: string, resource: string): GroupVersionResource => ({ group, version, resource });
const NAMESPACES = gvr('', 'v1', 'namespaces');
const CONFIGMAPS = gvr('', 'v1', 'configmaps');
const SECRETS = gvr('', 'v1', 'secrets');
const PODS = gvr('', 'v1', 'pods');
const DEPLOYMENTS = gvr('apps', 'v1', 'deployments');

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const signal = (): AbortSignal => AbortSignal.timeout(15_000);
const client = <T extends KubeObject = KubeObject>(g: GroupVersionResource, token = adminToken, namespace = ns) =>
  new ResourceClient<T>({ service, gvr: g, namespace, token });
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): ConfigMap =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data });

/** A REST request with the admin token (what kubectl sends), for changes made outside gRPC. */
function rest(method: string, path: string, body?: unknown): Promise<{ code: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${restUrl}${path}`, { method, ca, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

/** A raw unary call with the admin token, for requests ResourceClient cannot express (bad bytes). */
function rawCall<Req, Res>(method: (req: Req, md: Metadata, cb: (err: unknown, res: Res) => void) => unknown, req: Req): Promise<Res> {
  const md = new Metadata();
  md.set('authorization', `Bearer ${adminToken}`);
  return new Promise((resolve, reject) => {
    method.call(service, req, md, (err, res) => (err ? reject(apiErrorFromGrpc(err)) : resolve(res)));
  });
}

beforeAll(async () => {
  etcd = await startEtcdCluster({ members: 1 });
  certDir = mkdtempSync(join(tmpdir(), 'ekslab-pki-'));
  apiserver = new ServiceProcess('apiserver', [
    '--cert-dir', certDir,
    '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0', '--grpc-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0', '--watch-bookmark-interval', '1s',
  ]);
  const grpc = await apiserver.waitForLog((r) => r['msg'] === 'serving the resource API over gRPC', 30_000);
  const serving = await apiserver.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 10_000);
  restUrl = `https://127.0.0.1:${String(serving['port'])}`;
  ca = readFileSync(join(certDir, 'ca.crt'));
  adminToken = tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin');
  schedulerToken = tokenOf(join(certDir, 'tokens.csv'), 'system:kube-scheduler');
  grpcAddress = `127.0.0.1:${String(grpc['port'])}`;
  service = new ResourceServiceClient(grpcAddress, credentials.createSsl(ca));
  await client(NAMESPACES, adminToken, '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { signal: signal() });
}, 120_000);

afterAll(async () => {
  service?.close();
  apiserver?.dispose();
  await etcd?.cleanup();
});

describe('ResourceService over gRPC', () => {
  it('create, get and list with label and field selectors', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const created = await cms.create(cm('web', { app: 'web' }, { k: 'v' }), { signal: signal() });
    expect(created.metadata).toMatchObject({ name: 'web', namespace: ns });
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.resourceVersion).toBeTruthy();
    await cms.create(cm('db', { app: 'db' }), { signal: signal() });
    const got = await cms.get('web', { signal: signal() });
    expect(got.data).toEqual({ k: 'v' });
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const byLabel = await cms.list({ labelSelector: 'app=web' }, signal());
    expect(byLabel.items.map((o) => o.metadata.name)).toEqual(['web']);
    expect(byLabel.resourceVersion).toBeTruthy();
    const byField = await cms.list({ fieldSelector: 'metadata.name=db' }, signal());
    expect(byField.items.map((o) => o.metadata.name)).toEqual(['db']);
    const bad = await apiError(cms.list({ labelSelector: 'app in (' }, signal()));
    expect([bad.code, bad.reason, bad.grpcCode]).toEqual([400, 'BadRequest', GrpcCode.INVALID_ARGUMENT]);
  });

  it('create of an existing name is 409 AlreadyExists; a stale update is 409 Conflict (ABORTED)', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const exists = await apiError(cms.create(cm('web'), { signal: signal() }));
    expect(isAlreadyExists(exists)).toBe(true);
    expect(exists.grpcCode).toBe(GrpcCode.ALREADY_EXISTS);
    const current = await cms.get('web', { signal: signal() });
    const updated = await cms.update({ ...current, data: { k: 'v2' } }, { signal: signal() });
    expect(updated.data).toEqual({ k: 'v2' });
    expect(updated.metadata.resourceVersion).not.toBe(current.metadata.resourceVersion);
    const stale = await apiError(cms.update({ ...current, data: { k: 'lost' } }, { signal: signal() }));
    expect(isConflict(stale)).toBe(true);
    expect([stale.code, stale.reason, stale.grpcCode]).toEqual([409, 'Conflict', GrpcCode.ABORTED]);
    expect(stale.message).toContain('the object has been modified');
  });

  it('merge and strategic merge patches', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const merged = await cms.patch('web', 'merge', { data: { extra: '1' } }, { signal: signal() });
    expect(merged.data).toEqual({ k: 'v2', extra: '1' });
    const deploys = client<KubeObject & { spec: { template: { spec: { containers: Array<{ name: string; image: string; env?: unknown[] }> } } } }>(DEPLOYMENTS);
    await deploys.create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'MODE', value: 'prod' }] }] } },
      },
    } as never, { signal: signal() });
    // Containers merge by name: the image changes, env stays.
    const smp = await deploys.patch('web', 'strategic-merge', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.29' }] } } } }, { signal: signal() });
    expect(smp.spec.template.spec.containers).toEqual([expect.objectContaining({ name: 'web', image: 'nginx:1.29', env: [{ name: 'MODE', value: 'prod' }] })]);
    const json = await cms.patch('web', 'json', [{ op: 'remove', path: '/data/extra' }], { signal: signal() });
    expect(json.data).toEqual({ k: 'v2' });
  });

  it('delete removes the object; the next get is 404 NotFound (NOT_FOUND)', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const { object, deleted } = await cms.delete('db', { signal: signal() });
    expect(deleted).toBe(true);
    expect(object.metadata.name).toBe('db');
    const gone = await apiError(cms.get('db', { signal: signal() }));
    expect(isNotFound(gone)).toBe(true);
    expect(gone.grpcCode).toBe(GrpcCode.NOT_FOUND);
    expect(gone.message).toBe('configmaps "db" not found');
  });

  it('a watch sees ADDED, MODIFIED, DELETED in order, and bookmarks', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const { resourceVersion } = await cms.list({ labelSelector: 'watch=me' }, signal());
    const ac = new AbortController();
    const events: WatchEvent<ConfigMap>[] = [];
    const done = (async () => {
      for await (const e of cms.watch({ resourceVersion, labelSelector: 'watch=me', allowWatchBookmarks: true }, ac.signal)) events.push(e);
    })();
    await cms.create(cm('watched', { watch: 'me' }), { signal: signal() });
    await cms.create(cm('ignored', { watch: 'not-me' }), { signal: signal() });
    await cms.patch('watched', 'merge', { data: { a: '1' } }, { signal: signal() });
    await cms.delete('watched', { signal: signal() });
    await waitFor(() => events.some((e) => e.type === 'DELETED') && events.some((e) => e.type === 'BOOKMARK'), { description: 'DELETED and a BOOKMARK', timeoutMs: 10_000 });
    ac.abort();
    await done;
    const changes = events.filter((e) => e.type !== 'BOOKMARK');
    expect(changes.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'watched'], ['MODIFIED', 'watched'], ['DELETED', 'watched']]);
    expect(changes[1]!.object.data).toEqual({ a: '1' });
    const rvs = changes.map((e) => Number(e.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    const bookmark = events.find((e) => e.type === 'BOOKMARK')!;
    expect(bookmark.resourceVersion).toBeTruthy();
    expect(bookmark.object.kind).toBe('ConfigMap');
  });

  it('a watch without resourceVersion lists first: the current state arrives as ADDED', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const ac = new AbortController();
    const first: WatchEvent<ConfigMap>[] = [];
    for await (const e of cms.watch({ fieldSelector: 'metadata.name=web' }, ac.signal)) {
      first.push(e);
      ac.abort();
    }
    expect(first.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'web']]);
  });

  it('a watch from a compacted revision gets an ERROR event: 410 Expired', async () => {
    const cms = client<ConfigMap>(CONFIGMAPS);
    const old = (await cms.list({}, signal())).resourceVersion;
    await cms.create(cm('compact-me'), { signal: signal() });
    // Compacting at revision C keeps C: a watch starting after `old` must need old + 1 < C.
    const latest = (await cms.patch('compact-me', 'merge', { data: { a: '1' } }, { signal: signal() })).metadata.resourceVersion!;
    await etcd.etcdctl(0, ['compact', latest]);
    const err = await (async () => {
      try {
        for await (const e of cms.watch({ resourceVersion: old }, signal())) void e;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isGone(err)).toBe(true);
    expect((err as ApiError).reason).toBe('Expired');
  });

  it('RBAC: the scheduler may list pods but not secrets (403 Forbidden, PERMISSION_DENIED)', async () => {
    await expect(client(PODS, schedulerToken).list({}, signal())).resolves.toMatchObject({ items: [] });
    const denied = await apiError(client(SECRETS, schedulerToken).list({}, signal()));
    expect([denied.code, denied.reason, denied.grpcCode]).toEqual([403, 'Forbidden', GrpcCode.PERMISSION_DENIED]);
    expect(denied.message).toBe('secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" in the namespace "grpc"');
    const named = await apiError(client(SECRETS, schedulerToken).get('x', { signal: signal() }));
    expect(named.message).toContain('secrets "x" is forbidden: User "system:kube-scheduler" cannot get resource "secrets"');
    // Watch is authorized before the stream starts: the call itself fails.
    const watchErr = await (async () => {
      try {
        for await (const e of client(SECRETS, schedulerToken).watch({}, signal())) void e;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect((watchErr as ApiError).grpcCode).toBe(GrpcCode.PERMISSION_DENIED);
  });

  it('a client certificate signed by the lab CA authenticates the call (no token)', async () => {
    // openssl stands in for a component's kubeconfig client certificate: CN = user, O = group.
    const dir = mkdtempSync(join(tmpdir(), 'ekslab-client-cert-'));
    const caPem = readFileSync(join(certDir, 'ca.pem'), 'utf8');
    writeFileSync(join(dir, 'ca.pem'), caPem);
    writeFileSync(join(dir, 'ext.cnf'), 'extendedKeyUsage = clientAuth\n');
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=system:masters/CN=cert-admin');
    openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.pem', '-CAcreateserial', '-days', '1', '-out', 'client.crt', '-extfile', 'ext.cnf');
    const withCert = new ResourceServiceClient(grpcAddress, credentials.createSsl(ca, readFileSync(join(dir, 'client.key')), readFileSync(join(dir, 'client.crt'))));
    try {
      const secrets = new ResourceClient({ service: withCert, gvr: SECRETS, namespace: ns });
      await expect(secrets.list({}, signal())).resolves.toMatchObject({ items: [] });
      // Without a certificate or token the same call is anonymous, and anonymous may not list secrets.
      const anonymous = await apiError(client(SECRETS, '').list({}, signal()));
      expect(anonymous.message).toContain('User "system:anonymous" cannot list resource "secrets"');
    } finally {
      withCert.close();
    }
  });

  it('an unknown token is 401 Unauthorized (UNAUTHENTICATED)', async () => {
    const err = await apiError(client(CONFIGMAPS, 'not-a-token').get('web', { signal: signal() }));
    expect([err.code, err.reason, err.grpcCode]).toEqual([401, 'Unauthorized', GrpcCode.UNAUTHENTICATED]);
  });

  it('bad input is INVALID_ARGUMENT / NOT_FOUND with a Status, and the server keeps serving', async () => {
    const undecodable = await apiError(rawCall(service.create, CreateRequest.create({ gvr: CONFIGMAPS, namespace: ns, object: Buffer.from('{not json') })));
    expect([undecodable.code, undecodable.reason, undecodable.grpcCode]).toEqual([400, 'BadRequest', GrpcCode.INVALID_ARGUMENT]);
    const noName = await apiError(rawCall(service.get, GetRequest.create({ gvr: CONFIGMAPS, namespace: ns })));
    expect([noName.code, noName.grpcCode]).toEqual([400, GrpcCode.INVALID_ARGUMENT]);
    const unknown = await apiError(client(gvr('example.com', 'v1', 'widgets')).get('x', { signal: signal() }));
    expect([unknown.code, unknown.reason, unknown.grpcCode]).toEqual([404, 'NotFound', GrpcCode.NOT_FOUND]);
    const invalid = await apiError(client(CONFIGMAPS).create(cm('Not_A_Name'), { signal: signal() }));
    expect([invalid.code, invalid.reason, invalid.grpcCode]).toEqual([422, 'Invalid', GrpcCode.INVALID_ARGUMENT]);
    const otherNs = await apiError(client(CONFIGMAPS).create(cm('x'), { signal: signal(), namespace: 'elsewhere' }));
    expect(otherNs.code).toBe(400); // the object's namespace differs from the request's
    await expect(client<ConfigMap>(CONFIGMAPS).get('web', { signal: signal() })).resolves.toMatchObject({ data: { k: 'v2' } });
  });

  it('an Informer over the gRPC client syncs and sees a change made over REST', async () => {
    const informer = new Informer<ConfigMap>(client<ConfigMap>(CONFIGMAPS), { minWatchTimeoutSeconds: 60 });
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name ?? ''}`),
      onUpdate: (_old, o) => seen.push(`update ${o.metadata.name ?? ''} ${o.data?.['k'] ?? ''}`),
    });
    const ac = new AbortController();
    const running = informer.start(ac.signal);
    try {
      await informer.waitForSync(signal());
      expect(informer.store.list().map((o) => o.metadata.name)).toContain('web');
      const created = await rest('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('from-rest'));
      expect(created.code).toBe(201);
      const current = (await rest('GET', `/api/v1/namespaces/${ns}/configmaps/web`)).body as ConfigMap;
      expect((await rest('PUT', `/api/v1/namespaces/${ns}/configmaps/web`, { ...current, data: { k: 'rest' } })).code).toBe(200);
      await waitFor(() => seen.includes('add from-rest') && seen.includes('update web rest'), { description: 'the informer to see the REST changes', timeoutMs: 10_000 });
      expect(informer.store.list().find((o) => o.metadata.name === 'web')?.data).toEqual({ k: 'rest' });
    } finally {
      ac.abort();
      await running.catch(() => undefined);
    }
  });
});
