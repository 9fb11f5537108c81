import { mkdtempSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials, credentials, type ServerWritableStream } from '@grpc/grpc-js';
import { ResourceClient } from '@ekslab/client';
import { LogsReadResponse, LogsServiceService, ResourceServiceClient, type LogsReadRequest } from '@ekslab/proto';
import { startEtcdCluster, startNats, waitFor, type EtcdCluster, type NatsCluster } from '@ekslab/testing';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, tokenOf, writeKubeconfig } from './kubectl.js';
import { ServiceProcess } from './process.js';

// Impersonation, SelfSubjectRulesReview / SelfSubjectReview, audit events of gRPC calls and pods/log
// proxied to a node agent: the built apiserver on real etcd and NATS, driven by real kubectl and by
// @ekslab/client over gRPC; the node agent is a fake LogsService registered through a Node object.
let etcd: EtcdCluster;
let nats: NatsCluster;
let audit: NatsConnection;
const auditEvents: Array<Record<string, unknown>> = [];
let apiserver: ServiceProcess;
let server: string;
let ca: string;
let adminToken: string;
let adminConfig: string;
let schedulerConfig: string;
let schedulerToken: string;
let grpcAddress: string;
let agent: Server;
let agentPort: number;
const agentCalls: LogsReadRequest[] = [];

const ns = 'authx';

/** What the fake agent's containers have written, by `namespace/pod/container`. */
const logs: Record<string, string[]> = {
  [`${ns}/web/app`]: ['app line 1', 'app line 2', 'app line 3'],
  [`${ns}/web/sidecar`]: ['side 1', 'side 2', 'side 3', 'side 4'],
};

/** A LogsService like the kubelet agent's: whole log or its tail; `follow` streams line by line, then the container exits. */
function serveRead(call: ServerWritableStream<LogsReadRequest, LogsReadResponse>): void {
  const r = call.request;
  agentCalls.push(r);
  const lines = logs[`${r.namespace}/${r.pod}/${r.container}`];
  if (!lines) {
    call.emit('error', { code: 5, details: `container ${r.container} not found` });
    return;
  }
  const selected = r.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - r.tailLines)) : lines;
  if (!r.follow) {
    call.write(LogsReadResponse.create({ data: Buffer.from(selected.map((l) => `${l}\n`).join('')) }));
    call.end();
    return;
  }
  let i = 0;
  const timer = setInterval(() => {
    if (call.cancelled) return clearInterval(timer);
    if (i < selected.length) {
      call.write(LogsReadResponse.create({ data: Buffer.from(`${selected[i++]!}\n`) }));
      return;
    }
    clearInterval(timer);
    call.end();
  }, 100);
}

function https(method: string, path: string, headers: Record<string, string | string[]>, body?: unknown): Promise<{ code: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${server}${path}`, { method, ca, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const admin = (args: string[], input?: string) => kubectl('1.33', adminConfig, args, input);

beforeAll(async () => {
  // Assigned as each comes up, so afterAll removes whatever started even if the other fails.
  await Promise.all([startEtcdCluster({ members: 1 }).then((c) => (etcd = c)), startNats({ cluster: 3 }).then((c) => (nats = c))]);
  audit = await connect({ servers: nats.urls });
  const sub = audit.subscribe('ekslab.audit.>');
  void (async () => {
    for await (const m of sub) auditEvents.push(JSON.parse(m.string()) as Record<string, unknown>);
  })();
  agent = new Server();
  agent.addService(LogsServiceService, { read: serveRead });
  agentPort = await new Promise<number>((resolve, reject) => agent.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  const certDir = mkdtempSync(join(tmpdir(), 'ekslab-pki-'));
  apiserver = new ServiceProcess('apiserver', [
    '--cert-dir', certDir, '--nats-servers', nats.urls.join(','),
    '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0', '--grpc-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0',
  ]);
  const grpc = await apiserver.waitForLog((r) => r['msg'] === 'serving the resource API over gRPC', 30_000);
  const serving = await apiserver.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 10_000);
  server = `https://127.0.0.1:${String(serving['port'])}`;
  grpcAddress = `127.0.0.1:${String(grpc['port'])}`;
  ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  adminToken = tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin');
  adminConfig = writeKubeconfig(server, ca, adminToken);
  schedulerToken = tokenOf(join(certDir, 'tokens.csv'), 'system:kube-scheduler');
  schedulerConfig = writeKubeconfig(server, ca, schedulerToken);

  const setup = await admin(['apply', '-f', '-'], `
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: pod-reader, namespace: ${ns} }
rules: [{ apiGroups: [""], resources: [pods, pods/log], verbs: [get, list] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: devs-read, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: impersonate-jane }
rules: [{ apiGroups: [""], resources: [users], resourceNames: [jane], verbs: [impersonate] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: scheduler-impersonates-jane }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-jane }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:kube-scheduler" }]
`);
  expect(setup.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  apiserver?.dispose();
  agent?.forceShutdown();
  await audit?.close();
  await Promise.all([etcd?.cleanup(), nats?.cleanup()]);
});

describe.each(['1.27', '1.33'])('kubectl %s: impersonation and self reviews', (version) => {
  const k = (config: string, args: string[]) => kubectl(version, config, args);

  it('--as with --as-group acts as that user and group; audit records both identities', async () => {
    const res = await k(adminConfig, ['-n', ns, 'get', 'pods', '--as=jane', '--as-group=devs']);
    expect(res.stderr).toBe('No resources found in authx namespace.\n');
    expect(res.code).toBe(0);
    await waitFor(() => auditEvents.some((e) =>
      (e['impersonatedUser'] as { username?: string } | undefined)?.username === 'jane' && (e['user'] as { username: string }).username === 'kubernetes-admin' &&
      e['requestURI'] === `/api/v1/namespaces/${ns}/pods?limit=500`), { description: 'an audit event with impersonatedUser jane', timeoutMs: 10_000 });
    const event = auditEvents.find((e) => (e['impersonatedUser'] as { username?: string } | undefined)?.username === 'jane')!;
    expect(event['impersonatedUser']).toEqual({ username: 'jane', groups: ['devs', 'system:authenticated'] });
  });

  it('the impersonated user is authorized, not the requester', async () => {
    const res = await k(adminConfig, ['-n', ns, 'get', 'pods', '--as=jane']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "authx"');
  });

  it('impersonating without the impersonate verb is 403 with kube-apiserver\'s message', async () => {
    const bob = await k(schedulerConfig, ['-n', ns, 'get', 'pods', '--as=bob']);
    expect(bob.stderr).toContain('Error from server (Forbidden): users "bob" is forbidden: User "system:kube-scheduler" cannot impersonate resource "users" in API group "" at the cluster scope');
    const group = await k(schedulerConfig, ['-n', ns, 'get', 'pods', '--as=jane', '--as-group=devs']);
    expect(group.stderr).toContain('groups "devs" is forbidden: User "system:kube-scheduler" cannot impersonate resource "groups" in API group "" at the cluster scope');
    const sa = await k(schedulerConfig, ['-n', ns, 'get', 'pods', '--as=system:serviceaccount:authx:builder']);
    expect(sa.stderr).toContain('serviceaccounts "builder" is forbidden: User "system:kube-scheduler" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "authx"');
    // Allowed: jane only (no groups, so jane cannot list pods).
    expect((await k(schedulerConfig, ['-n', ns, 'auth', 'can-i', 'get', 'pods', '--as=jane'])).stdout.trim()).toBe('no');
  });

  it('auth can-i --list prints the rules of the namespace and the cluster', async () => {
    const res = await k(adminConfig, ['auth', 'can-i', '--list', '-n', ns, '--as=jane', '--as-group=devs']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
    expect(res.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list\]$/m);
    expect(res.stdout).toMatch(/^pods\/log\s+\[\]\s+\[\]\s+\[get list\]$/m);
    expect(res.stdout).toMatch(/^selfsubjectrulesreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    expect(res.stdout).toMatch(/^\s+\[\/version\]\s+\[\]\s+\[get\]$/m);
    // Another namespace: only the cluster-wide rules.
    expect((await k(adminConfig, ['auth', 'can-i', '--list', '-n', 'default', '--as=jane', '--as-group=devs'])).stdout).not.toMatch(/^pods\s/m);
  });

  it('auth whoami shows the impersonated identity', async () => {
    const res = await k(adminConfig, ['auth', 'whoami', '--as=jane', '--as-group=devs', '-o', 'json']);
    expect(res.stderr).toBe('');
    const review = JSON.parse(res.stdout) as { apiVersion: string; kind: string; status: { userInfo: unknown } };
    expect(review.apiVersion).toBe(version === '1.27' ? 'authentication.k8s.io/v1beta1' : 'authentication.k8s.io/v1');
    expect(review.status.userInfo).toEqual({ username: 'jane', groups: ['devs', 'system:authenticated'] });
    expect((await k(adminConfig, ['auth', 'whoami'])).stdout).toMatch(/Username\s+kubernetes-admin\n(UID\s+\S+\n)?Groups\s+\[system:masters system:authenticated\]/);
  });
});

describe('impersonation and reviews over raw HTTP', () => {
  it('groups without a user are refused with kube-apiserver\'s plain-text 500', async () => {
    const res = await https('GET', '/api/v1/namespaces', { 'impersonate-group': ['devs', 'ops'] });
    expect(res.code).toBe(500);
    expect(res.type).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('Internal Server Error: "/api/v1/namespaces": requested [{Group  devs    } {Group  ops    }] without impersonating a user\n');
  });

  it('discovery lists the review resources', async () => {
    const authz = JSON.parse((await https('GET', '/apis/authorization.k8s.io/v1', {})).text) as { resources: Array<{ name: string; verbs: string[] }> };
    expect(authz.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']));
    const authn = JSON.parse((await https('GET', '/apis/authentication.k8s.io', {})).text) as { versions: Array<{ version: string }>; preferredVersion: { version: string } };
    expect(authn.preferredVersion.version).toBe('v1');
    expect(authn.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1']);
  });

  it('a SelfSubjectRulesReview without a namespace is 400', async () => {
    const res = await https('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {}, { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec: {} });
    expect(res.code).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ reason: 'BadRequest', message: 'no namespace on request' });
  });
});

describe('gRPC calls are audited like REST', () => {
  it('create, get and a forbidden get each leave an audit.k8s.io/v1 event on NATS', async () => {
    const service = new ResourceServiceClient(grpcAddress, credentials.createSsl(Buffer.from(ca)));
    try {
      const cms = new ResourceClient({ service, gvr: { group: '', version: 'v1', resource: 'configmaps' }, namespace: ns, token: adminToken });
      await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-grpc', namespace: ns }, data: { a: '1' } } as never, { signal: AbortSignal.timeout(10_000) });
      await cms.get('via-grpc', { signal: AbortSignal.timeout(10_000) });
      const anonymous = new ResourceClient({ service, gvr: { group: '', version: 'v1', resource: 'secrets' }, namespace: ns });
      await expect(anonymous.get('nope', { signal: AbortSignal.timeout(10_000) })).rejects.toThrow(/forbidden/);
    } finally {
      service.close();
    }
    const grpcEvent = (verb: string, uri: string) => auditEvents.find((e) => e['verb'] === verb && e['requestURI'] === uri && String(e['userAgent']).includes('grpc-node'));
    await waitFor(() => grpcEvent('create', `/api/v1/namespaces/${ns}/configmaps`) !== undefined && grpcEvent('get', `/api/v1/namespaces/${ns}/secrets/nope`) !== undefined, {
      description: 'audit events of the gRPC calls', timeoutMs: 10_000,
    });
    expect(grpcEvent('create', `/api/v1/namespaces/${ns}/configmaps`)).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete', sourceIPs: ['127.0.0.1'],
      user: { username: 'kubernetes-admin' }, objectRef: { resource: 'configmaps', namespace: ns, apiVersion: 'v1' }, responseStatus: { code: 201 },
    });
    await waitFor(() => grpcEvent('get', `/api/v1/namespaces/${ns}/configmaps/via-grpc`) !== undefined, { description: 'the get event', timeoutMs: 5_000 });
    expect(grpcEvent('get', `/api/v1/namespaces/${ns}/configmaps/via-grpc`)).toMatchObject({ objectRef: { name: 'via-grpc' }, responseStatus: { code: 200 } });
    expect(grpcEvent('get', `/api/v1/namespaces/${ns}/secrets/nope`)).toMatchObject({ user: { username: 'system:anonymous' }, responseStatus: { code: 403 } });
  });
});

describe('impersonation over gRPC (impersonate-* metadata)', () => {
  it('the impersonated user is authorized and audited; a requester without the impersonate verb is 403', async () => {
    const service = new ResourceServiceClient(grpcAddress, credentials.createSsl(Buffer.from(ca)));
    const signal = () => AbortSignal.timeout(10_000);
    try {
      const pods = { service, gvr: { group: '', version: 'v1', resource: 'pods' }, namespace: ns };
      const asJane = new ResourceClient({ ...pods, token: adminToken, impersonate: { user: 'jane' } });
      await expect(asJane.list({}, signal())).rejects.toThrow('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "authx"');
      const asJaneDev = new ResourceClient({ ...pods, token: adminToken, impersonate: { user: 'jane', groups: ['devs'] } });
      expect(Array.isArray((await asJaneDev.list({}, signal())).items)).toBe(true);
      const asBob = new ResourceClient({ ...pods, token: schedulerToken, impersonate: { user: 'bob' } });
      await expect(asBob.list({}, signal())).rejects.toThrow('users "bob" is forbidden: User "system:kube-scheduler" cannot impersonate resource "users" in API group "" at the cluster scope');
      const asDevs = new ResourceClient({ ...pods, token: schedulerToken, impersonate: { user: 'jane', groups: ['devs'] } });
      await expect(asDevs.list({}, signal())).rejects.toThrow('groups "devs" is forbidden: User "system:kube-scheduler" cannot impersonate resource "groups" in API group "" at the cluster scope');
    } finally {
      service.close();
    }
    const event = await waitFor(() => auditEvents.find((e) => String(e['userAgent']).includes('grpc-node') && (e['impersonatedUser'] as { groups?: string[] } | undefined)?.groups?.includes('devs') && e['verb'] === 'list'), {
      description: 'the audit event of the impersonated gRPC list', timeoutMs: 10_000,
    });
    expect(event).toMatchObject({ user: { username: 'kubernetes-admin' }, impersonatedUser: { username: 'jane', groups: ['devs', 'system:authenticated'] }, responseStatus: { code: 200 } });
  });
});

describe('pods/log through the node agent', () => {
  beforeAll(async () => {
    const created = await admin(['apply', '-f', '-'], `
apiVersion: v1
kind: Node
metadata: { name: log-node }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: ${ns} }
spec:
  nodeName: log-node
  containers: [{ name: app, image: app:1 }, { name: sidecar, image: side:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: starting, namespace: ${ns} }
spec:
  nodeName: log-node
  containers: [{ name: app, image: app:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: unscheduled, namespace: ${ns} }
spec:
  containers: [{ name: app, image: app:1 }]
`);
    expect(created.stderr).toBe('');
    const status = (kind: string, name: string, patch: unknown) =>
      admin([...(kind === 'pod' ? ['-n', ns] : []), 'patch', kind, name, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch)]);
    expect((await status('node', 'log-node', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'log-node' }], daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } } })).stderr).toBe('');
    const running = { running: { startedAt: '2026-11-22T00:00:00Z' } };
    expect((await status('pod', 'web', { status: { phase: 'Running', containerStatuses: ['app', 'sidecar'].map((name) => ({ name, ready: true, restartCount: 0, image: `${name}:1`, imageID: '', containerID: `sim://${name}`, state: running })) } })).stderr).toBe('');
    expect((await status('pod', 'starting', { status: { containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'app:1', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] } })).stderr).toBe('');
  }, 60_000);

  describe.each(['1.27', '1.33'])('kubectl %s logs', (version) => {
    const k = (args: string[]) => kubectl(version, adminConfig, ['-n', ns, ...args]);

    it('-c reads one container\'s log from the agent', async () => {
      const res = await k(['logs', 'web', '-c', 'app']);
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe('app line 1\napp line 2\napp line 3\n');
      expect(agentCalls.at(-1)).toMatchObject({ namespace: ns, pod: 'web', container: 'app', follow: false });
    });

    it('--tail passes tailLines to the agent', async () => {
      const res = await k(['logs', 'web', '-c', 'sidecar', '--tail=2']);
      expect(res.stdout).toBe('side 3\nside 4\n');
      expect(agentCalls.at(-1)).toMatchObject({ container: 'sidecar', tailLines: 2 });
    });

    it('-f streams until the agent ends the stream', async () => {
      const res = await k(['logs', '-f', 'web', '-c', 'app']);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe('app line 1\napp line 2\napp line 3\n');
      expect(agentCalls.at(-1)).toMatchObject({ container: 'app', follow: true });
    });

    it('a container still being created is 400 with the kubelet\'s wording', async () => {
      const res = await k(['logs', 'starting']);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('Error from server (BadRequest): container "app" in pod "starting" is waiting to start: ContainerCreating');
    });
  });

  it('several containers and none named is 400; an unscheduled pod has an empty log', async () => {
    const ambiguous = await https('GET', `/api/v1/namespaces/${ns}/pods/web/log`, {});
    expect(ambiguous.code).toBe(400);
    expect(JSON.parse(ambiguous.text)).toMatchObject({ reason: 'BadRequest', message: 'a container name must be specified for pod web, choose one of: [app sidecar]' });
    const unknown = await https('GET', `/api/v1/namespaces/${ns}/pods/web/log?container=db`, {});
    expect(JSON.parse(unknown.text)).toMatchObject({ code: 400, message: 'container db is not valid for pod web' });
    const unscheduled = await https('GET', `/api/v1/namespaces/${ns}/pods/unscheduled/log`, {});
    expect(unscheduled).toMatchObject({ code: 200, type: 'text/plain', text: '' });
    const tail = await https('GET', `/api/v1/namespaces/${ns}/pods/web/log?container=app&tailLines=-1`, {});
    expect(JSON.parse(tail.text)).toMatchObject({ code: 422, message: 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' });
    const limited = await https('GET', `/api/v1/namespaces/${ns}/pods/web/log?container=app&limitBytes=12`, {});
    expect(limited.text).toBe('app line 1\na');
  });
});

describe('audit sink while NATS is down', () => {
  let second: ServiceProcess | undefined;
  afterAll(() => second?.dispose());

  it('the apiserver serves without NATS and counts the audit events it cannot keep', async () => {
    // A port nobody listens on: NATS is unreachable from the start.
    const probe = createServer();
    const deadPort = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    second = new ServiceProcess('apiserver', [
      '--cert-dir', mkdtempSync(join(tmpdir(), 'ekslab-pki-')), '--nats-servers', `nats://127.0.0.1:${deadPort}`,
      '--audit-buffer-size', '2', '--audit-nats-retry-interval', '100ms',
      '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0', '--grpc-port', '0',
      '--ops-address', '127.0.0.1', '--ops-port', '0',
    ]);
    const ops = await second.waitForLog((r) => String(r['msg']).startsWith('ops endpoint listening'), 20_000);
    const serving = await second.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 20_000);
    const url = `https://127.0.0.1:${String(serving['port'])}/version`;
    for (let i = 0; i < 5; i++) {
      const code = await new Promise<number>((resolve, reject) => httpsRequest(url, { rejectUnauthorized: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject).end());
      expect(code).toBe(200);
    }
    const metrics = () => new Promise<string>((resolve, reject) => httpGet(`http://127.0.0.1:${String(ops['port'])}/metrics`, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject));
    // 5 events and room for 2 until NATS answers: at least 3 dropped.
    await waitFor(async () => Number(/^apiserver_audit_error_total\{plugin="nats"[^}]*\} (\d+)$/m.exec(await metrics())?.[1] ?? 0) >= 3, {
      description: 'apiserver_audit_error_total counts the dropped events', timeoutMs: 5_000,
    });
    expect(await metrics()).toMatch(/^apiserver_audit_event_total\{[^}]*\} ([5-9]|\d\d+)$/m);
  });
});
