import { startEtcdCluster, startNats, waitFor, type EtcdCluster, type NatsCluster } from '@ekslab/testing';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlWatch, tokenOf, writeKubeconfig } from './kubectl.js';
import { ServiceProcess } from './process.js';

// The built apiserver on a real etcd, driven by real kubectl of the oldest and newest supported minors.
let etcd: EtcdCluster;
let nats: NatsCluster;
let audit: NatsConnection;
const auditEvents: Array<Record<string, unknown>> = [];
let apiserver: ServiceProcess;
let kubeconfig: string;
let certDir: string;
let server: string;

beforeAll(async () => {
  [etcd, nats] = await Promise.all([startEtcdCluster({ members: 1 }), startNats({ cluster: 3 })]);
  audit = await connect({ servers: nats.urls });
  const sub = audit.subscribe('ekslab.audit.>');
  void (async () => {
    for await (const m of sub) auditEvents.push(JSON.parse(m.string()) as Record<string, unknown>);
  })();
  certDir = mkdtempSync(join(tmpdir(), 'ekslab-pki-'));
  apiserver = new ServiceProcess('apiserver', [
    '--cert-dir', certDir, '--nats-servers', nats.urls.join(','),
    '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0', '--grpc-port', '0', '--watch-bookmark-interval', '1s',
  ]);
  const serving = await apiserver.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 20_000);
  server = `https://127.0.0.1:${String(serving['port'])}`;
  kubeconfig = writeKubeconfig(server, readFileSync(join(certDir, 'ca.crt'), 'utf8'), tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin'));
}, 120_000);

afterAll(async () => {
  apiserver?.dispose();
  await audit?.close();
  await Promise.all([etcd?.cleanup(), nats?.cleanup()]);
});

const manifest = (ns: string, image: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: ${ns} }
data: { greeting: hello }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns}, labels: { app: web } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${image}
          ports: [{ containerPort: 80 }]
          env: [{ name: MODE, value: prod }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${ns} }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80 }]
`;

describe.each(['1.27', '1.33'])('kubectl %s against the apiserver', (version) => {
  const ns = `kubectl-${version.replace('.', '-')}`;
  const k = (args: string[], input?: string, env?: NodeJS.ProcessEnv) => kubectl(version, kubeconfig, args, input, env);

  it('version shows an EKS-style server version', async () => {
    const res = await k(['version', '-o', 'json']);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion).toMatch(/^v1\.33\.\d+-eks-/);
  });

  it('the kubernetes Service has the first service IP and the apiserver as its endpoint', async () => {
    expect((await k(['-n', 'default', 'get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}'])).stdout).toBe('10.100.0.1 443');
    await waitFor(async () => (await k(['-n', 'default', 'get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[*].ip}'])).stdout.trim().length > 0, {
      description: 'the kubernetes Endpoints list a replica', timeoutMs: 20_000,
    });
  });

  it('api-resources lists the groups with short names', async () => {
    const res = await k(['api-resources']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(res.stdout).toMatch(/leases\s+coordination.k8s.io\/v1\s+true\s+Lease/);
  });

  it('apply creates, then reports unchanged, then configured after an edit', async () => {
    expect((await k(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`)).stdout).toContain(`namespace/${ns} created`);
    const first = await k(['apply', '-f', '-'], manifest(ns, 'nginx:1.27'));
    expect(first.stderr).toBe('');
    expect(first.stdout.split('\n').filter(Boolean)).toEqual([`configmap/cfg created`, `deployment.apps/web created`, `service/web created`]);
    const again = await k(['apply', '-f', '-'], manifest(ns, 'nginx:1.27'));
    expect(again.stdout.split('\n').filter(Boolean)).toEqual([`configmap/cfg unchanged`, `deployment.apps/web unchanged`, `service/web unchanged`]);
    const edited = await k(['apply', '-f', '-'], manifest(ns, 'nginx:1.28'));
    expect(edited.stdout).toContain('deployment.apps/web configured');
    const image = await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}']);
    expect(image.stdout).toBe('nginx:1.28 2');
  });

  it('get shows kubectl columns, -o wide adds the wide ones, and yaml/json/jsonpath render the object', async () => {
    const ns1 = await k(['get', 'ns', ns]);
    expect(ns1.stdout).toMatch(new RegExp(`NAME\\s+STATUS\\s+AGE\\n${ns}\\s+Active\\s+\\d+s`));
    const wide = await k(['-n', ns, 'get', 'deploy', '-o', 'wide']);
    expect(wide.stdout).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(wide.stdout).toMatch(/web\s+0\/2\s+0\s+0\s+\d+s\s+web\s+nginx:1.28\s+app=web/);
    expect((await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'yaml'])).stdout).toContain('greeting: hello');
    const json = JSON.parse((await k(['-n', ns, 'get', 'svc', 'web', '-o', 'json'])).stdout) as { spec: { ports: Array<{ protocol: string; targetPort: number }> } };
    expect(json.spec.ports[0]).toMatchObject({ protocol: 'TCP', targetPort: 80 });
  });

  it('label, annotate and label selectors', async () => {
    expect((await k(['-n', ns, 'label', 'cm', 'cfg', 'tier=web'])).stdout).toContain('configmap/cfg labeled');
    // kubectl 1.27 itself prints "annotate" here; later versions "annotated".
    expect((await k(['-n', ns, 'annotate', 'cm', 'cfg', 'owner=team-a'])).stdout).toMatch(/configmap\/cfg annotated?\n/);
    expect((await k(['-n', ns, 'get', 'cm', '-l', 'tier in (web,api)', '-o', 'name'])).stdout.trim()).toBe('configmap/cfg');
    expect((await k(['-n', ns, 'get', 'cm', '-l', 'tier!=web', '-o', 'name'])).stdout.trim()).toBe('');
    expect((await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'jsonpath={.metadata.annotations.owner}'])).stdout).toBe('team-a');
  });

  it('patch with strategic, merge and json patches', async () => {
    // Strategic: the container list merges by name, so the image changes and env stays.
    const smp = await k(['-n', ns, 'patch', 'deploy', 'web', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.29"}]}}}}']);
    expect(smp.stdout).toContain('deployment.apps/web patched');
    const c = await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}']);
    expect(c.stdout).toBe('nginx:1.29 prod');
    await k(['-n', ns, 'patch', 'cm', 'cfg', '--type', 'merge', '-p', '{"data":{"extra":"1"}}']);
    await k(['-n', ns, 'patch', 'cm', 'cfg', '--type', 'json', '-p', '[{"op":"remove","path":"/data/greeting"}]']);
    expect((await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'jsonpath={.data}'])).stdout).toBe('{"extra":"1"}');
  });

  it('scale goes through the scale subresource', async () => {
    expect((await k(['-n', ns, 'scale', 'deploy', 'web', '--replicas', '5'])).stdout).toContain('deployment.apps/web scaled');
    expect((await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('5');
  });

  it('edit through KUBE_EDITOR', async () => {
    const res = await k(['-n', ns, 'edit', 'cm', 'cfg'], undefined, { KUBE_EDITOR: `sed -i -e 's/extra: "1"/extra: "2"/'` });
    expect(res.stdout).toContain('configmap/cfg edited');
    expect((await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'jsonpath={.data.extra}'])).stdout).toBe('2');
  });

  it('replace with a stale resourceVersion is a Conflict', async () => {
    const current = JSON.parse((await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'json'])).stdout) as { metadata: { resourceVersion: string } };
    await k(['-n', ns, 'label', 'cm', 'cfg', 'bump=1']);
    const res = await k(['replace', '-f', '-'], JSON.stringify(current));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('Error from server (Conflict)');
    expect(res.stderr).toContain('the object has been modified; please apply your changes to the latest version and try again');
  });

  it('--dry-run=server validates and stores nothing', async () => {
    const res = await k(['-n', ns, 'apply', '--dry-run=server', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: dry }\ndata: { a: b }\n`);
    expect(res.stdout).toContain('configmap/dry created (server dry run)');
    expect((await k(['-n', ns, 'get', 'cm', 'dry'])).stderr).toContain('configmaps "dry" not found');
  });

  it('apply --server-side creates and updates', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ssa, namespace: ${ns} }\ndata: { v: "${v}" }\n`;
    expect((await k(['apply', '--server-side', '-f', '-'], cm('1'))).stdout).toContain('configmap/ssa serverside-applied');
    expect((await k(['apply', '--server-side', '-f', '-'], cm('2'))).stdout).toContain('configmap/ssa serverside-applied');
    expect((await k(['-n', ns, 'get', 'cm', 'ssa', '-o', 'jsonpath={.data.v}'])).stdout).toBe('2');
  });

  it('get -w streams changes as they happen', async () => {
    const watch = kubectlWatch(version, kubeconfig, ['-n', ns, 'get', 'cm', '-w', '--output-watch-events']);
    try {
      await waitFor(() => watch.lines.some((l) => /^ADDED\s+cfg\s/.test(l)), { description: 'the initial ADDED line', timeoutMs: 15_000 });
      await k(['-n', ns, 'create', 'configmap', 'watched', '--from-literal=x=y', '--dry-run=client', '-o', 'yaml']).then((r) => k(['apply', '-f', '-'], r.stdout));
      await waitFor(() => watch.lines.some((l) => /^ADDED\s+watched\s/.test(l)), { description: 'ADDED watched', timeoutMs: 15_000 });
      await k(['-n', ns, 'delete', 'cm', 'watched']);
      await waitFor(() => watch.lines.some((l) => /^DELETED\s+watched\s/.test(l)), { description: 'DELETED watched', timeoutMs: 15_000 });
    } finally {
      watch.stop();
    }
  });

  it('unknown resources and bad selectors get clear errors', async () => {
    expect((await k(['get', 'flurbs'])).stderr).toContain(`the server doesn't have a resource type "flurbs"`);
    const bad = await k(['-n', ns, 'get', 'pods', '--field-selector', 'spec.color=blue']);
    expect(bad.stderr).toContain('field label not supported: spec.color');
  });

  it('authentication and RBAC: bad tokens are 401, component identities get what the bootstrap roles give', async () => {
    const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
    const bad = await kubectl(version, writeKubeconfig(server, ca, 'not-a-token'), ['get', 'ns']);
    expect(bad.stderr).toContain('Unauthorized');
    const scheduler = writeKubeconfig(server, ca, tokenOf(join(certDir, 'tokens.csv'), 'system:kube-scheduler'));
    const as = (args: string[]) => kubectl(version, scheduler, args);
    expect((await as(['auth', 'can-i', 'create', 'pods', '--subresource=binding'])).stdout.trim()).toBe('yes');
    expect((await as(['auth', 'can-i', 'delete', 'secrets'])).stdout.trim()).toBe('no');
    const denied = await as(['-n', ns, 'get', 'secrets']);
    expect(denied.stderr).toContain(`Error from server (Forbidden): secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" in the namespace "${ns}"`);
    expect((await k(['auth', 'can-i', '*', '*'])).stdout.trim()).toBe('yes');
  });

  it('every request leaves an audit.k8s.io/v1 event on NATS, with who, what and the outcome', async () => {
    await k(['-n', ns, 'create', 'configmap', 'audited', '--from-literal=a=b']);
    const event = await waitFor(() => auditEvents.find((e) => e['verb'] === 'create' && (e['objectRef'] as { name?: string } | undefined)?.name === undefined
      && (e['objectRef'] as { resource?: string; namespace?: string } | undefined)?.namespace === ns && (e['requestURI'] as string).includes('/configmaps')), {
      description: 'the audit event of the create', timeoutMs: 10_000,
    });
    expect(event).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete',
      user: { username: 'kubernetes-admin', groups: expect.arrayContaining(['system:masters', 'system:authenticated']) as unknown },
      objectRef: { resource: 'configmaps', namespace: ns, apiVersion: 'v1' }, responseStatus: { code: 201 },
    });
  });

  it('objects in a namespace that does not exist are refused', async () => {
    const res = await k(['-n', 'no-such-ns', 'apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n`);
    expect(res.stderr).toContain('namespaces "no-such-ns" not found');
  });

  it('create subcommands work (kubectl ≥ 1.32 sends their bodies as protobuf)', async () => {
    const made = await Promise.all([
      k(['-n', ns, 'create', 'configmap', 'made', '--from-literal=k=v']),
      k(['-n', ns, 'create', 'secret', 'generic', 'made', '--from-literal=password=s3cret']),
      k(['-n', ns, 'create', 'serviceaccount', 'made']),
      k(['-n', ns, 'create', 'deployment', 'made', '--image=nginx:1.27', '--replicas=2', '--port=80']),
      k(['-n', ns, 'create', 'service', 'clusterip', 'made', '--tcp=80:8080']),
      k(['-n', ns, 'create', 'role', 'made', '--verb=get', '--resource=pods']),
    ]);
    expect(made.map((r) => r.stdout.trim())).toEqual([
      'configmap/made created', 'secret/made created', 'serviceaccount/made created',
      'deployment.apps/made created', 'service/made created', 'role.rbac.authorization.k8s.io/made created',
    ]);
    expect((await k(['-n', ns, 'get', 'secret', 'made', '-o', 'jsonpath={.data.password}'])).stdout).toBe(Buffer.from('s3cret').toString('base64'));
    expect((await k(['-n', ns, 'get', 'deploy', 'made', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}'])).stdout).toBe('2 80');
    expect((await k(['-n', ns, 'get', 'svc', 'made', '-o', 'jsonpath={.spec.ports[0].port}:{.spec.ports[0].targetPort}'])).stdout).toBe('80:8080');
  });

  it('delete -f removes what apply created', async () => {
    const res = await k(['delete', '-f', '-'], manifest(ns, 'nginx:1.29'));
    expect(res.stdout.split('\n').filter(Boolean)).toEqual(['configmap "cfg" deleted', 'deployment.apps "web" deleted', 'service "web" deleted']);
    expect((await k(['-n', ns, 'get', 'deploy,svc,cm', '-o', 'name'])).stdout).not.toMatch(/web|cfg\b/);
  });
});

describe('hostile input gets the right Status and the server keeps serving', () => {
  const call = async (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, token?: string) => {
    const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
    const admin = token ?? tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin');
    const url = new URL(path, server);
    return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const req = httpsRequest(url, { method, ca, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const cms = '/api/v1/namespaces/default/configmaps';

  it.each([
    ['truncated JSON', 'POST', cms, '{"metadata":{"name":"x"', {}, 400, 'BadRequest'],
    ['bad YAML', 'POST', cms, 'metadata: [unclosed', { 'content-type': 'application/yaml' }, 400, 'BadRequest'],
    ['an invalid name', 'POST', cms, '{"metadata":{"name":"Bad_Name"}}', {}, 422, 'Invalid'],
    ['metadata of the wrong type', 'POST', cms, '{"metadata":"x"}', {}, 400, 'BadRequest'],
    ['an unknown resource', 'GET', '/api/v1/namespaces/default/flurbs', undefined, {}, 404, 'NotFound'],
    ['a nonsense label selector', 'GET', `${cms}?labelSelector=${encodeURIComponent('a in (b')}`, undefined, {}, 400, 'BadRequest'],
    ['a field the resource does not index', 'GET', `${cms}?fieldSelector=spec.x%3D1`, undefined, {}, 400, 'BadRequest'],
    ['an unsupported patch type', 'PATCH', `${cms}/nope`, '{}', { 'content-type': 'text/plain' }, 415, 'UnsupportedMediaType'],
    ['an unsupported body type', 'POST', cms, '<xml/>', { 'content-type': 'application/xml' }, 415, 'UnsupportedMediaType'],
    ['a protobuf body that is not protobuf', 'POST', cms, 'k8s\0garbage', { 'content-type': 'application/vnd.kubernetes.protobuf' }, 400, 'BadRequest'],
  ])('%s', async (_what, method, path, body, headers, code, reason) => {
    const res = await call(method, path, body, headers);
    expect(res.status).toBe(code);
    expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  });

  it('a 2 MiB body is 413 RequestEntityTooLarge', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    const res = await call('POST', cms, big);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('a bad token is 401 Unauthorized and never anonymous', async () => {
    const res = await call('GET', cms, undefined, {}, 'forged');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ reason: 'Unauthorized', message: 'Unauthorized' });
  });

  it('after all that the server still serves, and nothing was half-written', async () => {
    const res = await call('GET', cms);
    expect(res.status).toBe(200);
    const names = (res.json['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name);
    expect(names).not.toContain('x');
    expect(names).not.toContain('big');
  });
});
