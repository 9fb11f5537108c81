import { Metadata, credentials, status as GrpcCode } from '@grpc/grpc-js';
import { apiErrorFromGrpc, type ApiError } from '@ekslab/client';
import { CreateRequest, FieldValidation, GetRequest, ResourceServiceClient, fromJsonBytes, type CreateResponse, type GetResponse } from '@ekslab/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpsRequest } from 'node:https';
import { kubectl } from './kubectl.js';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';

// OpenAPI schemas and field validation: the built apiserver on a real etcd, driven by real kubectl of the
// oldest and newest supported minors (`explain`, `apply --validate=strict|warn|false`), and over gRPC.
let fx: ApiserverFixture;
let kubeconfig: string;
let server: string;
let token: string;
let grpc: ResourceServiceClient;

beforeAll(async () => {
  fx = await startApiserver();
  ({ kubeconfig, server, adminToken: token } = fx);
  grpc = new ResourceServiceClient(fx.grpcAddress, credentials.createSsl(Buffer.from(fx.ca)));
}, 120_000);

afterAll(async () => {
  grpc?.close();
  await fx?.dispose();
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One raw HTTPS request as the admin. */
function call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${server}${path}`, {
      method, ca: fx.ca,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const typo = (name: string, ns: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: 1
  replicaz: 3
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolice: Always
`;

describe('OpenAPI documents', () => {
  it('v3 group/version documents carry component schemas referenced by the paths, under their hash', async () => {
    const root = JSON.parse((await call('GET', '/openapi/v3')).body) as { paths: Record<string, { serverRelativeURL: string }> };
    const url = root.paths['apis/apps/v1']!.serverRelativeURL;
    const res = await call('GET', url);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, immutable');
    expect(res.headers['etag']).toBe(`"${url.split('hash=')[1]}"`);
    const doc = JSON.parse(res.body) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>>; components: { schemas: Record<string, { description?: string; properties?: Record<string, unknown> }> } };
    expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments']!['post']!.requestBody!.content['application/json']!.schema.$ref).toBe('#/components/schemas/io.k8s.api.apps.v1.Deployment');
    expect(doc.components.schemas['io.k8s.api.apps.v1.Deployment']!.description).toContain('Deployment enables declarative updates for Pods and ReplicaSets');
    expect(doc.components.schemas['io.k8s.api.core.v1.PodSpec']!.properties).toHaveProperty('containers');
    const stale = await call('GET', '/openapi/v3/apis/apps/v1?hash=0123');
    expect(stale.status).toBe(301);
    expect(stale.headers['location']).toBe(url);
  });

  it('v2 JSON has definitions', async () => {
    const doc = JSON.parse((await call('GET', '/openapi/v2')).body) as { definitions: Record<string, { description?: string }> };
    expect(doc.definitions['io.k8s.api.core.v1.Pod']!.description).toMatch(/^Pod is a collection of containers/);
  });
});

describe('fieldValidation over REST', () => {
  const ns = 'fv-rest';
  const cm = (name: string, extra = '') => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"a":"b"}${extra}}`;

  beforeAll(async () => {
    expect((await call('POST', '/api/v1/namespaces', `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"${ns}"}}`)).status).toBe(201);
  });

  it('Strict refuses unknown and duplicate fields with kube\'s message', async () => {
    const res = await call('POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, cm('strict', ',"bogus":1,"data":{"c":"d"}'));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ reason: 'BadRequest', code: 400, message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus", duplicate field "data"' });
    expect((await call('GET', `/api/v1/namespaces/${ns}/configmaps/strict`)).status).toBe(404);
  });

  it('Warn (the default) stores the object without the unknown field and says so', async () => {
    const res = await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('warn', ',"bogus":1'));
    expect(res.status).toBe(201);
    expect(res.headers['warning']).toBe('299 - "unknown field \\"bogus\\""');
    const stored = JSON.parse((await call('GET', `/api/v1/namespaces/${ns}/configmaps/warn`)).body) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('bogus');
    expect(stored['data']).toEqual({ a: 'b' });
  });

  it('Ignore stores silently without the field; a patch adding an unknown field is refused under Strict', async () => {
    const res = await call('POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Ignore`, cm('ignore', ',"bogus":1'));
    expect(res.status).toBe(201);
    expect(res.headers['warning']).toBeUndefined();
    expect(JSON.parse(res.body)).not.toHaveProperty('bogus');
    const patch = await call('PATCH', `/api/v1/namespaces/${ns}/configmaps/ignore?fieldValidation=Strict`, '{"metadata":{"labelz":{"a":"b"}}}', 'application/merge-patch+json');
    expect(patch.status).toBe(400);
    expect(JSON.parse(patch.body)).toMatchObject({ message: 'strict decoding error: unknown field "metadata.labelz"' });
  });

  it('an unsupported value is refused as kube refuses it', async () => {
    const res = await call('POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Loose`, cm('bad'));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body)).toMatchObject({ reason: 'Invalid', message: 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"' });
  });
});

/** A unary gRPC call as the admin. */
function grpcCall<Req, Res>(method: (req: Req, md: Metadata, cb: (err: unknown, res: Res) => void) => unknown, req: Req): Promise<Res> {
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    method.call(grpc, req, md, (err, res) => (err ? reject(apiErrorFromGrpc(err)) : resolve(res)));
  });
}

describe('fieldValidation over gRPC', () => {
  const configmaps = { group: '', version: 'v1', resource: 'configmaps' };
  const object = (name: string) => Buffer.from(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"a":"b"},"bogus":1}`);

  it('STRICT refuses an unknown field (INVALID_ARGUMENT, kube\'s message)', async () => {
    const err = await grpcCall(grpc.create, CreateRequest.create({ gvr: configmaps, namespace: 'default', object: object('grpc-strict'), options: { fieldValidation: FieldValidation.STRICT } }))
      .then(() => undefined, (e: unknown) => e as ApiError);
    expect([err?.code, err?.grpcCode, err?.message]).toEqual([400, GrpcCode.INVALID_ARGUMENT, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"']);
  });

  it('unset (Warn) stores without the field and answers with a warning', async () => {
    const res = await grpcCall<CreateRequest, CreateResponse>(grpc.create, CreateRequest.create({ gvr: configmaps, namespace: 'default', object: object('grpc-warn') }));
    expect(res.warnings).toEqual(['unknown field "bogus"']);
    const got = await grpcCall<GetRequest, GetResponse>(grpc.get, GetRequest.create({ gvr: configmaps, namespace: 'default', name: 'grpc-warn' }));
    const stored = fromJsonBytes(got.object!.json) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('bogus');
    expect(stored['data']).toEqual({ a: 'b' });
  });
});

describe.each(['1.27', '1.33'])('kubectl %s', (version) => {
  const ns = `openapi-${version.replace('.', '-')}`;
  const k = (args: string[], input?: string) => kubectl(version, kubeconfig, args, input);

  beforeAll(async () => {
    expect((await k(['create', 'namespace', ns])).code).toBe(0);
  });

  it('explain pods prints the kind and field descriptions', async () => {
    const res = await k(['explain', 'pods']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('KIND:');
    expect(res.stdout).toContain('Pod is a collection of containers that can run on a host');
    expect(res.stdout).toMatch(/apiVersion\s+<string>/);
  });

  it('explain from the v2 protobuf document (--output plaintext-openapiv2)', async () => {
    const res = await k(['explain', 'deployment.spec.template.spec.containers.ports', '--output', 'plaintext-openapiv2']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('ContainerPort represents a network port in a single container.');
    expect(res.stdout).toMatch(/containerPort\s+<integer> -required-/);
  });

  it('explain deployment.spec.template', async () => {
    const res = await k(['explain', 'deployment.spec.template']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('PodTemplateSpec');
    expect(res.stdout).toContain('FIELDS:');
  });

  it('explain pods.spec.containers --recursive lists nested fields', async () => {
    const res = await k(['explain', 'pods.spec.containers', '--recursive']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('A single application container that you want to run within a pod.');
    expect(res.stdout).toMatch(/imagePullPolicy\s+<string>/);
    expect(res.stdout).toMatch(/containerPort\s+<integer>/);
  });

  it('apply of a manifest with typos fails under the default strict validation, naming the fields', async () => {
    const res = await k(['apply', '-f', '-'], typo('strict', ns));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown field "spec.replicaz"');
    expect(res.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullPolice"');
    expect((await k(['-n', ns, 'get', 'deployment', 'strict'])).code).not.toBe(0);
  });

  it('--validate=warn creates the object without the fields and warns', async () => {
    const res = await k(['apply', '--validate=warn', '-f', '-'], typo('warned', ns));
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('Warning: unknown field "spec.replicaz"');
    const got = JSON.parse((await k(['-n', ns, 'get', 'deployment', 'warned', '-o', 'json'])).stdout) as { spec: Record<string, unknown> & { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    expect(got.spec).not.toHaveProperty('replicaz');
    expect(got.spec.template.spec.containers[0]).not.toHaveProperty('imagePullPolice');
    expect(got.spec['replicas']).toBe(1);
  });

  it('--validate=false accepts the manifest silently', async () => {
    const res = await k(['apply', '--validate=false', '-f', '-'], typo('unvalidated', ns));
    expect(res.code).toBe(0);
    expect(res.stderr).not.toContain('unknown field');
    expect((await k(['-n', ns, 'get', 'deployment', 'unvalidated'])).code).toBe(0);
  });

  it('apply --server-side refuses an undeclared field as the field manager does', async () => {
    const res = await k(['apply', '--server-side', '-f', '-'], typo('ssa', ns));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`failed to create typed patch object (${ns}/ssa; apps/v1, Kind=Deployment): `);
    expect(res.stderr).toContain('.spec.replicaz: field not declared in schema');
    expect((await k(['-n', ns, 'get', 'deployment', 'ssa'])).code).not.toBe(0);
  });

  it('client-side apply merges containers by name (the patch strategy the documents publish)', async () => {
    const deploy = (image: string) => typo('merged', ns).replace('  replicaz: 3\n', '').replace('          imagePullPolice: Always\n', '').replace('image: nginx', `image: ${image}`);
    expect((await k(['apply', '-f', '-'], deploy('nginx:1.27'))).code).toBe(0);
    // A container the manifest never had: a list replaced whole would lose it on the next apply.
    const sidecar = await k(['-n', ns, 'patch', 'deployment', 'merged', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
    expect(sidecar.code).toBe(0);
    const again = await k(['apply', '-f', '-'], deploy('nginx:1.28'));
    expect(again.stdout).toContain('deployment.apps/merged configured');
    const got = JSON.parse((await k(['-n', ns, 'get', 'deployment', 'merged', '-o', 'json'])).stdout) as { spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } } };
    expect(got.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`).sort()).toEqual(['sidecar=busybox', 'web=nginx:1.28']);
  });
});
