import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { ApiError, ResourceClient, type KubeObject } from '@ekslab/client';
import { ResourceServiceClient } from '@ekslab/proto';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, writeKubeconfig } from './kubectl.js';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';

// The built apiserver on a real etcd: pods/binding, pods/eviction with PodDisruptionBudgets (and
// `kubectl drain`), serviceaccounts/token (`kubectl create token`), service-account token authentication
// and the OIDC discovery documents, driven by real kubectl 1.33 and raw HTTPS.
let fx: ApiserverFixture;
let server: string;
let ca: string;
let admin: string;
let kubeconfig: string;
let grpcAddress: string;
let certDir: string;

const ns = 'subres';
const k = (args: string[], input?: string, config = kubeconfig) => kubectl('1.33', config, args, input);

beforeAll(async () => {
  fx = await startApiserver();
  ({ server, ca, adminToken: admin, kubeconfig, grpcAddress, certDir } = fx);
  expect((await k(['create', 'namespace', ns])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await fx?.dispose();
});

interface Reply {
  status: number;
  json: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTPS request; `token` undefined = admin, '' = anonymous. */
function api(method: string, path: string, body?: unknown, token: string | undefined = admin): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const req = httpsRequest(`${server}${path}`, { method, ca, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown>, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pods = `/api/v1/namespaces/${ns}/pods`;
const pdbs = `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`;

async function createPod(name: string, labels: Record<string, string> = {}, sa?: string): Promise<KubeObject> {
  const res = await api('POST', pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(sa ? { serviceAccountName: sa } : {}) },
  });
  expect(res.status).toBe(201);
  return res.json as unknown as KubeObject;
}

const bind = (pod: string, node: string, extra: Record<string, unknown> = {}) =>
  api('POST', `${pods}/${pod}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod, ...extra }, target: { apiVersion: 'v1', kind: 'Node', name: node } });

/** What a kubelet would report: Running, and Ready when `ready`. */
async function setRunning(pod: string, ready = true): Promise<void> {
  const res = await api('PATCH', `${pods}/${pod}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  expect(res.status).toBe(200);
}

const evict = (pod: string, deleteOptions?: Record<string, unknown>, apiVersion = 'policy/v1') =>
  api('POST', `${pods}/${pod}/eviction`, { apiVersion, kind: 'Eviction', metadata: { name: pod, namespace: ns }, ...(deleteOptions ? { deleteOptions } : {}) });

describe('pods/binding', () => {
  it('binds an unbound pod: nodeName, PodScheduled=True and the binding annotations', async () => {
    await createPod('b1');
    const res = await bind('b1', 'node-a', { annotations: { 'scheduler.example/score': '7' } });
    expect([res.status, res.json]).toEqual([201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }]);
    const pod = (await api('GET', `${pods}/b1`)).json as { spec: { nodeName: string }; status: { conditions: Array<Record<string, unknown>> }; metadata: { annotations: Record<string, string> } };
    expect(pod.spec.nodeName).toBe('node-a');
    expect(pod.status.conditions).toContainEqual({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: expect.stringMatching(/Z$/) as string });
    expect(pod.metadata.annotations['scheduler.example/score']).toBe('7');
  });

  it('a bound pod is 409 Conflict naming its node; a missing pod 404; a mismatched name 400; no target 500', async () => {
    const again = await bind('b1', 'node-b');
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "node-a"', details: { name: 'b1', kind: 'pods/binding' } });
    const missing = await bind('nope', 'node-a');
    expect([missing.status, missing.json['reason'], missing.json['message']]).toEqual([404, 'NotFound', 'pods "nope" not found']);
    const mismatched = await api('POST', `${pods}/b1/binding`, { metadata: { name: 'other' }, target: { kind: 'Node', name: 'n' } });
    expect([mismatched.status, mismatched.json['message']]).toEqual([400, 'name in URL does not match name in Binding object']);
    await createPod('b2');
    const noTarget = await api('POST', `${pods}/b2/binding`, { metadata: { name: 'b2' }, target: { kind: 'Pod' } });
    expect([noTarget.status, noTarget.json['message']]).toEqual([500, '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]']);
  });

  it('concurrent bindings of one pod: exactly one wins', async () => {
    await createPod('race');
    const results = await Promise.all(['n1', 'n2', 'n3', 'n4'].map((n) => bind('race', n)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('the deprecated POST namespaces/<ns>/bindings binds the pod its metadata.name names; no name is 400', async () => {
    await createPod('old1');
    const bindings = `/api/v1/namespaces/${ns}/bindings`;
    const res = await api('POST', bindings, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'old1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-old' } });
    expect([res.status, res.json]).toEqual([201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }]);
    expect(((await api('GET', `${pods}/old1`)).json as { spec: { nodeName: string } }).spec.nodeName).toBe('node-old');
    const again = await api('POST', bindings, { metadata: { name: 'old1' }, target: { kind: 'Node', name: 'node-b' } });
    expect([again.status, again.json['message']]).toEqual([409, 'Operation cannot be fulfilled on pods/binding "old1": pod old1 is already assigned to node "node-old"']);
    const noName = await api('POST', bindings, { metadata: {}, target: { kind: 'Node', name: 'node-b' } });
    expect([noName.status, noName.json['reason'], noName.json['message']]).toEqual([400, 'BadRequest', 'name must be provided']);
    const discovery = (await api('GET', '/api/v1')).json as { resources: Array<{ name: string; kind: string; verbs: string[]; namespaced: boolean }> };
    expect(discovery.resources.find((r) => r.name === 'bindings')).toMatchObject({ kind: 'Binding', verbs: ['create'], namespaced: true });
  });

  it('over gRPC as well (what the scheduler calls)', async () => {
    const service = new ResourceServiceClient(grpcAddress, credentials.createSsl(Buffer.from(ca)));
    try {
      const podsClient = new ResourceClient({ service, gvr: { group: '', version: 'v1', resource: 'pods' }, namespace: ns, token: admin });
      await createPod('g1');
      const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'g1', namespace: ns }, target: { kind: 'Node', name: 'node-g' } } as KubeObject;
      const status = await podsClient.create(binding, { signal: AbortSignal.timeout(10_000), name: 'g1', subresource: 'binding' });
      expect(status).toMatchObject({ kind: 'Status', status: 'Success' });
      expect(((await podsClient.get('g1', { signal: AbortSignal.timeout(10_000) })) as KubeObject & { spec: { nodeName: string } }).spec.nodeName).toBe('node-g');
      const err = await podsClient.create(binding, { signal: AbortSignal.timeout(10_000), name: 'g1', subresource: 'binding' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).message).toBe('Operation cannot be fulfilled on pods/binding "g1": pod g1 is already assigned to node "node-g"');
      // Eviction too: the Pending pod is marked for graceful deletion on its node.
      const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'g1', namespace: ns } } as KubeObject;
      expect(await podsClient.create(eviction, { signal: AbortSignal.timeout(10_000), name: 'g1', subresource: 'eviction' })).toMatchObject({ status: 'Success', code: 201 });
      expect((await podsClient.get('g1', { signal: AbortSignal.timeout(10_000) })).metadata.deletionTimestamp).toBeDefined();
    } finally {
      service.close();
    }
  });
});

describe('delete while a kubelet writes status', () => {
  it('a delete and a deletecollection of bound pods retry their own writes when the pod changes meanwhile (never 409)', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `busy-${i}`);
    for (const n of names) {
      await createPod(n, { busy: 'yes' });
      expect((await bind(n, 'node-busy')).status).toBe(201);
    }
    let writing = true;
    // A kubelet-like writer: status patches on every pod as fast as the server takes them.
    const writer = (async () => {
      let i = 0;
      while (writing) {
        await Promise.all(names.map((n) => api('PATCH', `${pods}/${n}/status`, { status: { phase: 'Running', message: `tick ${i}` } })));
        i++;
      }
    })();
    try {
      const single = await Promise.all(names.slice(0, 3).map((n) => api('DELETE', `${pods}/${n}`)));
      expect(single.map((r) => r.status)).toEqual([200, 200, 200]);
      const collection = await api('DELETE', `${pods}?labelSelector=busy%3Dyes`);
      expect(collection.status, JSON.stringify(collection.json)).toBe(200);
    } finally {
      writing = false;
      await writer;
    }
    // Bound pods are marked for graceful deletion (their kubelet finishes them), not removed.
    for (const n of names) expect(((await api('GET', `${pods}/${n}`)).json['metadata'] as { deletionTimestamp?: string }).deletionTimestamp).toBeDefined();
  });
});

describe('pods/eviction', () => {
  it('a Pending pod is deleted without any budget: gracefully on its node, with DisruptionTarget', async () => {
    await createPod('e-pending');
    expect((await bind('e-pending', 'node-a')).status).toBe(201);
    const res = await evict('e-pending');
    expect([res.status, res.json]).toEqual([201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }]);
    const pod = (await api('GET', `${pods}/e-pending`)).json as { metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number }; status: { conditions: Array<Record<string, unknown>> } };
    expect(pod.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(pod.status.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }));
  });

  it('a running pod without a budget goes at once with gracePeriodSeconds 0 (policy/v1beta1 accepted); a missing pod is 404', async () => {
    await createPod('e-free', { app: 'free' });
    await setRunning('e-free');
    const res = await evict('e-free', { gracePeriodSeconds: 0 }, 'policy/v1beta1');
    expect(res.status).toBe(201);
    expect((await api('GET', `${pods}/e-free`)).status).toBe(404);
    const missing = await evict('e-free');
    expect([missing.status, missing.json['message']]).toEqual([404, 'pods "e-free" not found']);
  });

  it('a budget is honoured: stale status 429, one disruption spent with the pod recorded, then 429 with the budget named', async () => {
    for (const p of ['g-1', 'g-2']) {
      await createPod(p, { app: 'guarded' });
      expect((await bind(p, 'node-a')).status).toBe(201);
      await setRunning(p);
    }
    const created = await api('POST', pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    expect(created.status).toBe(201);
    const stale = await evict('g-1');
    expect(stale.status).toBe(429);
    expect(stale.json).toMatchObject({
      reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { retryAfterSeconds: 10, causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard is still being processed by the server.' }] },
    });
    expect(stale.headers['retry-after']).toBe('10');
    // What the disruption controller would write (it comes later): one disruption allowed.
    const generation = (created.json['metadata'] as { generation: number }).generation;
    const status = await api('PATCH', `${pdbs}/guard/status`, { status: { observedGeneration: generation, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } });
    expect(status.status).toBe(200);

    expect((await evict('g-1')).status).toBe(201);
    const pdb = (await api('GET', `${pdbs}/guard`)).json as { status: { disruptionsAllowed: number; disruptedPods: Record<string, string>; conditions: Array<Record<string, unknown>> } };
    expect(pdb.status.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.status.disruptedPods)).toEqual(['g-1']);
    expect(pdb.status.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }));
    // Evicted: marked for graceful deletion on its node (its kubelet finishes it).
    expect((await api('GET', `${pods}/g-1`)).json['metadata']).toHaveProperty('deletionTimestamp');

    const refused = await evict('g-2');
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 1 healthy pods and has 2 currently' }] } });
    expect((await api('GET', `${pods}/g-2`)).json['metadata']).not.toHaveProperty('deletionTimestamp');

    // A second budget over the same pod: kube refuses with 500.
    expect((await api('POST', pdbs, { metadata: { name: 'guard-2' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'guarded' } } } })).status).toBe(201);
    const two = await evict('g-2');
    expect([two.status, two.json['message']]).toEqual([500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.']);
    expect((await api('DELETE', `${pdbs}/guard-2`)).status).toBe(200);
  });

  it('an unready pod is evicted without spending the budget when the application is healthy enough', async () => {
    await createPod('g-3', { app: 'guarded' });
    await setRunning('g-3', false);
    expect((await evict('g-3', { gracePeriodSeconds: 0 })).status).toBe(201);
    expect((await api('GET', `${pods}/g-3`)).status).toBe(404);
    const pdb = (await api('GET', `${pdbs}/guard`)).json as { status: { disruptionsAllowed: number } };
    expect(pdb.status.disruptionsAllowed).toBe(0);
  });

  it('kubectl drain cordons the node and evicts its pods through the budget', async () => {
    expect((await k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: { name: node-d }\n')).code).toBe(0);
    for (const p of ['d-1', 'd-2']) {
      await createPod(p, { app: 'drained' });
      expect((await bind(p, 'node-d')).status).toBe(201);
      await setRunning(p);
    }
    const created = await api('POST', pdbs, { metadata: { name: 'drain-budget' }, spec: { maxUnavailable: 2, selector: { matchLabels: { app: 'drained' } } } });
    const generation = (created.json['metadata'] as { generation: number }).generation;
    await api('PATCH', `${pdbs}/drain-budget/status`, { status: { observedGeneration: generation, disruptionsAllowed: 2, currentHealthy: 2, desiredHealthy: 0, expectedPods: 2 } });
    const drain = await k(['drain', 'node-d', '--force', '--grace-period=0', '--timeout=60s']);
    expect(drain.stderr).not.toMatch(/error/i);
    expect(drain.code).toBe(0);
    expect(drain.stdout).toContain('node/node-d cordoned');
    expect(drain.stdout).toContain(`evicting pod ${ns}/d-1`);
    expect(drain.stdout).toContain('pod/d-1 evicted');
    expect(drain.stdout).toContain('node/node-d drained');
    expect((await k(['get', 'node', 'node-d', '-o', 'jsonpath={.spec.unschedulable}'])).stdout).toBe('true');
    expect((await k(['-n', ns, 'get', 'pods', '-l', 'app=drained', '-o', 'name'])).stdout).toBe('');
    const pdb = (await api('GET', `${pdbs}/drain-budget`)).json as { status: { disruptionsAllowed: number; disruptedPods: Record<string, string> } };
    expect(pdb.status.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.status.disruptedPods).sort()).toEqual(['d-1', 'd-2']);
  }, 90_000);
});

interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string }; pod?: { name: string; uid: string } };
}

const claimsOf = (token: string): Claims => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Claims;
/** An RS256 JWT with `claims`, signed by `key` (the lab's sa.key or a stranger's). */
function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

describe('serviceaccounts/token and service-account authentication', () => {
  let token: string;
  let saKubeconfig: string;

  it('kubectl create token issues a JWT with the claims kube-apiserver sets', async () => {
    expect((await k(['-n', ns, 'create', 'serviceaccount', 'default'])).code).toBe(0);
    const sa = JSON.parse((await k(['-n', ns, 'get', 'sa', 'default', '-o', 'json'])).stdout) as KubeObject;
    const before = Math.floor(Date.now() / 1000);
    const res = await k(['-n', ns, 'create', 'token', 'default']);
    expect(res.stderr).toBe('');
    token = res.stdout.trim();
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      iss: expect.stringMatching(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/) as string,
      sub: `system:serviceaccount:${ns}:default`, aud: ['https://kubernetes.default.svc'],
      'kubernetes.io': { namespace: ns, serviceaccount: { name: 'default', uid: sa.metadata.uid } },
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
    saKubeconfig = writeKubeconfig(server, ca, token);
    // The oldest supported kubectl sends JSON instead of protobuf; same answer.
    const old = await kubectl('1.27', kubeconfig, ['-n', ns, 'create', 'token', 'default', '--duration=2h']);
    expect(old.stderr).toBe('');
    const oldClaims = claimsOf(old.stdout.trim());
    expect(oldClaims.exp - oldClaims.iat).toBe(7200);
  });

  it('the token authenticates as the service account: Forbidden by RBAC until a RoleBinding allows it', async () => {
    const denied = await k(['-n', ns, 'get', 'pods'], undefined, saKubeconfig);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(`pods is forbidden: User "system:serviceaccount:${ns}:default" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
    expect((await k(['-n', ns, 'create', 'rolebinding', 'sa-view', '--clusterrole=view', `--serviceaccount=${ns}:default`])).code).toBe(0);
    await waitFor(async () => (await k(['-n', ns, 'get', 'pods', '-o', 'name'], undefined, saKubeconfig)).code === 0, { description: 'the RoleBinding lets the service account list pods', timeoutMs: 10_000 });
    const can = await k(['auth', 'can-i', 'list', 'pods', '-n', ns], undefined, saKubeconfig);
    expect(can.stdout.trim()).toBe('yes');
  });

  it('expirationSeconds under 10 minutes is 422; a missing service account 404', async () => {
    const short = await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 60 } });
    expect([short.status, short.json['message']]).toEqual([422, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes']);
    const missing = await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts/ghost/token`, { spec: {} });
    expect([missing.status, missing.json['message']]).toEqual([404, 'serviceaccounts "ghost" not found']);
  });

  it('expired, forged, tampered and wrong-audience tokens are 401', async () => {
    const key = createPrivateKey(readFileSync(join(certDir, 'sa.key')));
    const { kid } = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const valid = claimsOf(token);
    const now = Math.floor(Date.now() / 1000);
    // Sanity: the same signer with fresh times is accepted, so the rejections below are about what they change.
    const fresh = signJwt({ ...valid, iat: now, nbf: now, exp: now + 600 }, key, kid);
    expect((await api('GET', `${pods}`, undefined, fresh)).status).toBe(200);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const [h, , s] = token.split('.');
    const cases: Array<[string, string]> = [
      ['expired', signJwt({ ...valid, iat: now - 7200, nbf: now - 7200, exp: now - 120 }, key, kid)],
      ['forged', signJwt({ ...valid }, stranger, kid)],
      ['tampered', `${h!}.${Buffer.from(JSON.stringify({ ...valid, sub: `system:serviceaccount:${ns}:admin` })).toString('base64url')}.${s!}`],
      ['wrong audience', signJwt({ ...valid, aud: ['sts.amazonaws.com'] }, key, kid)],
    ];
    for (const [what, bad] of cases) {
      const res = await api('GET', pods, undefined, bad);
      expect([what, res.status, res.json['message']]).toEqual([what, 401, 'Unauthorized']);
    }
  });

  it('a token stops working when its service account is recreated, and a pod-bound one when the pod is deleted', async () => {
    expect((await k(['-n', ns, 'create', 'serviceaccount', 'builder'])).code).toBe(0);
    expect((await k(['-n', ns, 'create', 'rolebinding', 'builder-view', '--clusterrole=view', `--serviceaccount=${ns}:builder`])).code).toBe(0);
    const pod = await createPod('runner', {}, 'builder');
    const issue = await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts/builder/token`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'runner', uid: pod.metadata.uid } },
    });
    expect(issue.status).toBe(201);
    const bound = (issue.json['status'] as { token: string }).token;
    expect(claimsOf(bound)['kubernetes.io'].pod).toEqual({ name: 'runner', uid: pod.metadata.uid });
    const accountToken = (await k(['-n', ns, 'create', 'token', 'builder'])).stdout.trim();
    await waitFor(async () => (await api('GET', pods, undefined, bound)).status === 200, { description: 'the bound token lists pods', timeoutMs: 10_000 });
    expect((await api('GET', pods, undefined, accountToken)).status).toBe(200);

    expect((await api('DELETE', `${pods}/runner`)).status).toBe(200);
    expect((await api('GET', pods, undefined, bound)).status).toBe(401);
    expect((await api('GET', pods, undefined, accountToken)).status).toBe(200);

    expect((await k(['-n', ns, 'delete', 'serviceaccount', 'builder'])).code).toBe(0);
    expect((await k(['-n', ns, 'create', 'serviceaccount', 'builder'])).code).toBe(0);
    expect((await api('GET', pods, undefined, accountToken)).status).toBe(401);
  });

  it('OIDC discovery: the issuer and a JWKS whose key verifies the token; service accounts may read it, anonymous may not', async () => {
    const config = await api('GET', '/.well-known/openid-configuration', undefined, token);
    expect(config.status).toBe(200);
    expect(config.json).toMatchObject({
      issuer: claimsOf(token).iss, jwks_uri: expect.stringMatching(/\/openid\/v1\/jwks$/) as string,
      response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    });
    const set = await api('GET', '/openid/v1/jwks', undefined, token);
    expect(set.status).toBe(200);
    expect(set.headers['content-type']).toBe('application/jwk-set+json');
    const keys = (set.json as { keys: Array<{ kid: string; kty: string; n: string; e: string; alg: string; use: string }> }).keys;
    const { kid } = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const jwk = keys.find((key) => key.kid === kid);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: jwk!.n, e: jwk!.e }, format: 'jwk' });
    const [h, p, s] = token.split('.');
    expect(verify('sha256', Buffer.from(`${h!}.${p!}`), publicKey, Buffer.from(s!, 'base64url'))).toBe(true);
    expect((await api('GET', '/openid/v1/jwks', undefined, '')).status).toBe(403);
  });
});
