import { credentials } from '@grpc/grpc-js';
import { ApiError, ResourceClient, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { kubectl, tokenOf } from './kubectl.js';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';

// Server-side apply and managedFields on the built apiserver over a real etcd, driven by real kubectl of the
// oldest and newest supported minors.
let fx: ApiserverFixture;
let kubeconfig: string;
let server: string;
let grpcAddress: string;
let certDir: string;

beforeAll(async () => {
  fx = await startApiserver();
  ({ kubeconfig, server, grpcAddress, certDir } = fx);
}, 120_000);

afterAll(async () => {
  await fx?.dispose();
});

const deployment = (ns: string, replicas: number, labels: Record<string, string>) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: ${JSON.stringify(labels)}
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{ containerPort: 80 }]
`;

interface Entry { manager: string; operation: string; apiVersion: string; subresource?: string; fieldsV1: Record<string, unknown> }
interface Deployment { metadata: { resourceVersion: string; labels: Record<string, string>; managedFields?: Entry[] }; spec: { replicas: number } }

describe.each(['1.27', '1.33'])('server-side apply with kubectl %s', (version) => {
  const ns = `ssa-${version.replace('.', '-')}`;
  const k = (args: string[], input?: string) => kubectl(version, kubeconfig, args, input);
  const get = async (): Promise<Deployment> => {
    const res = await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'json', '--show-managed-fields']);
    expect(res.stderr).toBe('');
    return JSON.parse(res.stdout) as Deployment;
  };
  const ssa = (replicas: number, labels: Record<string, string>, ...flags: string[]) => k(['apply', '--server-side', ...flags, '-f', '-'], deployment(ns, replicas, labels));

  it('apply --server-side creates the object and records the applier', async () => {
    expect((await k(['create', 'namespace', ns])).code).toBe(0);
    const res = await ssa(2, { app: 'web', tier: 'front' });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    const d = await get();
    expect(d.spec.replicas).toBe(2);
    expect(d.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' })]);
    expect(d.metadata.managedFields![0]!.fieldsV1).toMatchObject({
      'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
      'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } } } },
    });
  });

  it('re-applying the same configuration changes nothing', async () => {
    const before = await get();
    const res = await ssa(2, { app: 'web', tier: 'front' });
    expect(res.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    expect((await get()).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('a field another manager changed is a conflict naming that manager and field; --force-conflicts takes it over', async () => {
    expect((await k(['-n', ns, 'scale', 'deploy', 'web', '--replicas=5'])).code).toBe(0);
    const scaled = await get();
    expect(scaled.spec.replicas).toBe(5);
    const scaler = scaled.metadata.managedFields!.find((e) => e.manager !== 'kubectl')!;
    expect(scaler).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    // The applier keeps owning what it applied; the scaler now shares nothing with it but replicas.
    const who = `"${scaler.manager}"${scaler.subresource ? ` with subresource "${scaler.subresource}"` : ''} using apps/v1`;

    const conflict = await ssa(3, { app: 'web', tier: 'front' });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(`Apply failed with 1 conflict: conflict with ${who}: .spec.replicas`);
    expect((await get()).spec.replicas).toBe(5);

    const forced = await ssa(3, { app: 'web', tier: 'front' }, '--force-conflicts');
    expect(forced.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    const d = await get();
    expect(d.spec.replicas).toBe(3);
    // The scaler owned nothing else, so its entry is gone.
    expect(d.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl']);
  });

  it('a label dropped from the applied file is removed; one set by kubectl label survives', async () => {
    expect((await k(['-n', ns, 'label', 'deploy', 'web', 'extra=yes'])).code).toBe(0);
    const res = await ssa(3, { app: 'web' });
    expect(res.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    expect((await get()).metadata.labels).toEqual({ app: 'web', extra: 'yes' });
  });

  it('get -o yaml --show-managed-fields lists the managers; plain -o yaml leaves them out (kubectl strips them)', async () => {
    const shown = (await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields'])).stdout;
    expect(shown).toMatch(/manager: kubectl\n\s+operation: Apply/);
    expect(shown).toMatch(/manager: kubectl-label\n\s+operation: Update/);
    expect(shown).toContain('f:extra: {}');
    expect((await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'yaml'])).stdout).not.toContain('managedFields');
  });

  it('a deployment made by client-side apply conflicts on a changed field, then moves to server-side apply', async () => {
    const csa = (replicas: number) => deployment(ns, replicas, { app: 'web' }).replace('name: web\n', 'name: legacy\n');
    const managers = async () => (JSON.parse((await k(['-n', ns, 'get', 'deploy', 'legacy', '-o', 'json', '--show-managed-fields'])).stdout) as Deployment)
      .metadata.managedFields!.map((e) => `${e.manager}/${e.operation}`);
    expect((await k(['apply', '-f', '-'], csa(2))).stdout.trim()).toBe('deployment.apps/legacy created');
    expect(await managers()).toEqual(['kubectl-client-side-apply/Update']);
    const conflict = await k(['apply', '--server-side', '-f', '-'], csa(4));
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    // The same values are shared, not a conflict; after a successful apply kubectl hands the client-side fields to "kubectl"
    // and applies the last-applied annotation as "kubectl-last-applied", which keeps owning it.
    expect((await k(['apply', '--server-side', '-f', '-'], csa(2))).stdout.trim()).toBe('deployment.apps/legacy serverside-applied');
    expect(await managers()).toEqual(['kubectl/Apply', 'kubectl-last-applied/Apply']);
    expect((await k(['apply', '--server-side', '-f', '-'], csa(4))).stdout.trim()).toBe('deployment.apps/legacy serverside-applied');
    expect((await k(['-n', ns, 'get', 'deploy', 'legacy', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('4');
    // The client-side apply annotation follows kubectl's server-side applies, so a later client-side apply diffs against them.
    const annotation = (await k(['-n', ns, 'get', 'deploy', 'legacy', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}'])).stdout;
    expect(JSON.parse(annotation)).toMatchObject({ kind: 'Deployment', spec: { replicas: 4 } });
  });

  it('client-side writes record their managers (create, edit-like patch, replace)', async () => {
    expect((await k(['-n', ns, 'create', 'configmap', 'cfg', '--from-literal=a=1'])).code).toBe(0);
    expect((await k(['-n', ns, 'patch', 'configmap', 'cfg', '-p', '{"data":{"b":"2"}}'])).code).toBe(0);
    const cm = JSON.parse((await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'json', '--show-managed-fields'])).stdout) as { metadata: { managedFields: Entry[] } };
    expect(cm.metadata.managedFields.map((e) => [e.manager, e.operation, e.fieldsV1])).toEqual([
      ['kubectl-create', 'Update', { 'f:data': { '.': {}, 'f:a': {} } }],
      ['kubectl-patch', 'Update', { 'f:data': { 'f:b': {} } }],
    ]);
  });
});

describe('apply options and conflicts over HTTP', () => {
  const call = (method: string, path: string, body: string, contentType: string) => {
    const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
    const token = tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin');
    return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const req = httpsRequest(new URL(path, server), { method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'user-agent': 'e2e-client/1.0 (test)' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const cm = (data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned' }, data });
  const path = '/api/v1/namespaces/default/configmaps/owned';
  const apply = 'application/apply-patch+yaml';

  it.each([
    ['apply without fieldManager', path, apply, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    ['force on a merge patch', `${path}?force=true`, 'application/merge-patch+json', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
  ])('%s is 422 Invalid', async (_what, url, type, message) => {
    const res = await call('PATCH', url, cm({ a: '1' }), type);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: 'Status', code: 422, reason: 'Invalid', message });
  });

  it('apply creates (201), another manager\'s value is a 409 with FieldManagerConflict causes, the User-Agent names a default manager', async () => {
    const created = await call('PATCH', `${path}?fieldManager=alice`, cm({ a: '1', b: '1' }), apply);
    expect(created.status).toBe(201);
    const merged = await call('PATCH', path, JSON.stringify({ data: { a: '2' } }), 'application/merge-patch+json');
    expect(merged.status).toBe(200);
    const managers = ((merged.json['metadata'] as { managedFields: Entry[] }).managedFields).map((e) => `${e.manager}/${e.operation}`);
    expect(managers).toEqual(['alice/Apply', 'e2e-client/Update']);
    const res = await call('PATCH', `${path}?fieldManager=alice`, cm({ a: '3', b: '1' }), apply);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "e2e-client" using v1: .data.a',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "e2e-client" using v1', field: '.data.a' }] },
    });
  });

  it('apply through /status owns and changes only status; /status never creates', async () => {
    const base = '/apis/apps/v1/namespaces/default/deployments/st';
    const d = (extra: Record<string, unknown>) => JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'st' }, ...extra });
    const spec = { replicas: 1, selector: { matchLabels: { app: 'st' } }, template: { metadata: { labels: { app: 'st' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } };
    expect((await call('PATCH', `${base}/status?fieldManager=ctrl`, d({ status: { observedGeneration: 1 } }), apply)).status).toBe(404);
    expect((await call('PATCH', `${base}?fieldManager=alice`, d({ spec }), apply)).status).toBe(201);
    const res = await call('PATCH', `${base}/status?fieldManager=ctrl`, d({ spec: { ...spec, replicas: 9 }, status: { observedGeneration: 1 } }), apply);
    expect(res.status).toBe(200);
    const obj = res.json as { spec: { replicas: number }; status: { observedGeneration: number }; metadata: { managedFields: Entry[] } };
    expect(obj.spec.replicas).toBe(1);
    expect(obj.status.observedGeneration).toBe(1);
    expect(obj.metadata.managedFields.find((e) => e.manager === 'ctrl')).toMatchObject({ operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:observedGeneration': {} } } });
    expect(JSON.stringify(obj.metadata.managedFields.find((e) => e.manager === 'ctrl')!.fieldsV1)).not.toContain('f:spec');
  });
});

describe('server-side apply over gRPC', () => {
  interface ConfigMap extends KubeObject { data?: Record<string, string> }
  const signal = () => AbortSignal.timeout(15_000);
  let service: ResourceServiceClient;
  beforeAll(() => {
    service = new ResourceServiceClient(grpcAddress, credentials.createSsl(readFileSync(join(certDir, 'ca.crt'))));
  });
  afterAll(() => service?.close());
  const cms = () => new ResourceClient<ConfigMap>({
    service,
    gvr: { group: '', version: 'v1', resource: 'configmaps' }, namespace: 'default', token: tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin'),
  });
  const cfg = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rpc' }, data });
  const failed = async (p: Promise<unknown>): Promise<ApiError> => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  };

  it('apply creates, updates record their manager, a changed field owned by another manager is 409 unless forced', async () => {
    const c = cms();
    const created = await c.patch('rpc', 'apply', cfg({ a: '1', b: '1' }), { signal: signal(), options: { fieldManager: 'ctl' } });
    expect(created.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'ctl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } })]);
    const merged = await c.patch('rpc', 'merge', { data: { a: '2' } }, { signal: signal(), options: { fieldManager: 'other' } });
    // The merge patch took .data.a over: ctl keeps only .data.b.
    expect((merged.metadata.managedFields as Array<{ manager: string; fieldsV1: unknown }>).map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['ctl', { 'f:data': { 'f:b': {} } }], ['other', { 'f:data': { 'f:a': {} } }],
    ]);
    const conflict = await failed(c.patch('rpc', 'apply', cfg({ a: '3', b: '1' }), { signal: signal(), options: { fieldManager: 'ctl' } }));
    expect([conflict.code, conflict.reason, conflict.message]).toEqual([409, 'Conflict', 'Apply failed with 1 conflict: conflict with "other" using v1: .data.a']);
    const forced = await c.patch('rpc', 'apply', cfg({ a: '3', b: '1' }), { signal: signal(), options: { fieldManager: 'ctl', force: true } });
    expect(forced.data).toEqual({ a: '3', b: '1' });
    expect((forced.metadata.managedFields as Array<{ manager: string }>).map((e) => e.manager)).toEqual(['ctl']);
    const missing = await failed(c.patch('rpc', 'apply', cfg({ a: '3' }), { signal: signal() }));
    expect([missing.code, missing.message]).toEqual([422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch']);
  });
});
