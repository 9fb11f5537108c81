// Pods through the kubelet agent's simulated runtime: the built apiserver and agent (2 static nodes), real
// kubectl 1.33, and a small CNIBackend server standing in for ipamd (addresses from a list, able to run dry).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@ekslab/testing';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { kubectl, kubectlWatch } from './kubectl.js';
import { FakeIpamd } from './fake-ipamd.js';
import { ServiceProcess } from './process.js';

interface PodJson {
  metadata: { name: string; uid: string };
  spec: { nodeName: string };
  status: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ name: string; ready: boolean; restartCount: number; state: Record<string, { reason?: string; exitCode?: number }>; lastState: Record<string, { exitCode?: number }> }>;
  };
}

let fx: ApiserverFixture;
let agent: ServiceProcess;
const ipamd = new FakeIpamd();
let nodes: Array<{ name: string; ip: string; annotations: Record<string, string>; port: number }> = [];

const k = (args: string[], input?: string) => kubectl('1.33', fx.kubeconfig, args, input);

async function createPod(name: string, opts: {
  node?: string; image?: string; annotations?: Record<string, string>; restartPolicy?: string; hostNetwork?: boolean; grace?: number;
} = {}): Promise<void> {
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: opts.annotations ?? {} },
    spec: {
      nodeName: opts.node ?? nodes[0]!.name,
      containers: [{ name: 'app', image: opts.image ?? 'nginx:1.27', command: ['nginx', '-g', 'daemon off;'] }],
      ...(opts.restartPolicy ? { restartPolicy: opts.restartPolicy } : {}),
      ...(opts.hostNetwork ? { hostNetwork: true } : {}),
      ...(opts.grace !== undefined ? { terminationGracePeriodSeconds: opts.grace } : {}),
    },
  };
  const res = await k(['create', '-f', '-'], JSON.stringify(pod));
  expect(res.code, res.stderr).toBe(0);
}

async function getPod(name: string): Promise<PodJson | undefined> {
  const res = await k(['get', 'pod', name, '-o', 'json']);
  return res.code === 0 ? (JSON.parse(res.stdout) as PodJson) : undefined;
}

async function waitPod(name: string, description: string, ok: (p: PodJson) => boolean, timeoutMs = 30_000): Promise<PodJson> {
  return waitFor(async () => {
    const p = await getPod(name);
    return p !== undefined && ok(p) ? p : undefined;
  }, { description: `${name}: ${description}`, timeoutMs, intervalMs: 200 });
}

const app = (p: PodJson) => p.status.containerStatuses?.find((c) => c.name === 'app');
const isReady = (p: PodJson) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function startAgent(): ServiceProcess {
  return new ServiceProcess('kubelet', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--nodes', '2', '--ipamd-endpoint', `127.0.0.1:${ipamd.port}`, '--kubelet-port', '0', '--advertise-address', '127.0.0.1',
    '--crash-loop-backoff', '1s', '--crash-loop-max-backoff', '4s', '--image-pull-backoff', '1s', '--image-pull-max-backoff', '4s',
    '--sandbox-retry-period', '1s', '--image-pull-mib-per-second', '1000', '--container-stop-duration', '200ms', '--log-heartbeat-interval', '1s',
  ]);
}

beforeAll(async () => {
  await ipamd.start();
  fx = await startApiserver();
  agent = startAgent();
  const serving = await agent.waitForLog((r) => r['msg'] === 'serving LogsService', 60_000);
  const port = Number(serving['port']);
  nodes = await waitFor(async () => {
    const res = await k(['get', 'nodes', '-o', 'json']);
    if (res.code !== 0) return undefined;
    const items = (JSON.parse(res.stdout) as { items: Array<{ metadata: { name: string; annotations?: Record<string, string> }; status: { addresses: Array<{ type: string; address: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } }; conditions?: Array<{ type: string; status: string }> } }> }).items;
    const ready = items.filter((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (ready.length !== 2) return undefined;
    return ready.map((n) => ({
      name: n.metadata.name, ip: n.status.addresses.find((a) => a.type === 'InternalIP')!.address,
      annotations: n.metadata.annotations ?? {}, port: n.status.daemonEndpoints?.kubeletEndpoint?.Port ?? 0,
    })).sort((a, b) => a.name.localeCompare(b.name));
  }, { description: '2 Ready nodes', timeoutMs: 60_000, intervalMs: 250 });
  expect(port).toBeGreaterThan(0);
  for (const n of nodes) expect(n).toMatchObject({ annotations: { 'ekslab.io/agent-endpoint': `127.0.0.1:${port}` }, port });
}, 180_000);

afterAll(async () => {
  agent?.dispose();
  await fx?.dispose();
  ipamd.stop();
});

describe('kubelet agent: pods through the simulated runtime', () => {
  it('a pod bound to a node runs: Ready, podIP from ipamd (named node in metadata), kubectl describe shows the kubelet events', async () => {
    await createPod('web');
    const p = await waitPod('web', 'Running and Ready', (x) => x.status.phase === 'Running' && isReady(x));
    expect(p.status.podIP).toMatch(/^10\.0\.80\.\d+$/);
    expect(p.status.hostIP).toBe(nodes[0]!.ip);
    expect(app(p)).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
    expect(ipamd.adds.filter((a) => a.pod === 'default/web')).toEqual([expect.objectContaining({ node: nodes[0]!.name })]);
    const d = await k(['describe', 'pod', 'web']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/Status:\s+Running/);
    expect(d.stdout).toMatch(new RegExp(`IP:\\s+${p.status.podIP!.replaceAll('.', '\\.')}`));
    for (const [reason, message] of [
      ['Pulling', 'Pulling image "nginx:1.27"'], ['Pulled', 'Successfully pulled image "nginx:1.27" in '], ['Created', 'Created container: app'], ['Started', 'Started container app'],
    ]) expect(d.stdout).toMatch(new RegExp(`Normal\\s+${reason}\\s+\\S+\\s+kubelet\\s+${message!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const wide = await k(['get', 'pod', 'web', '-o', 'wide']);
    expect(wide.stdout).toMatch(new RegExp(`^web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${p.status.podIP!.replaceAll('.', '\\.')}\\s+${nodes[0]!.name.replaceAll('.', '\\.')}`, 'm'));
  }, 60_000);

  it('kubectl logs, --tail, --timestamps and logs -f (new heartbeat lines stream in)', async () => {
    const logs = await k(['logs', 'web']);
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trim().split('\n');
    expect(lines[0]).toBe(`ekslab simulated container app (image nginx:1.27) starting on ${nodes[0]!.name}`);
    expect(lines[1]).toBe('command: nginx -g daemon off;');
    const tail = await k(['logs', 'web', '--tail=1', '--timestamps']);
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S.*\n$/);
    const follow = kubectlWatch('1.33', fx.kubeconfig, ['logs', '-f', 'web']);
    try {
      const seen = await waitFor(() => {
        const beats = follow.lines.filter((l) => l.startsWith('heartbeat '));
        return beats.length >= 1 && follow.lines.length > lines.length ? beats : undefined;
      }, { description: 'logs -f to stream a new heartbeat', timeoutMs: 10_000, intervalMs: 100 });
      const n = Number(/^heartbeat (\d+)/.exec(seen.at(-1)!)![1]);
      await waitFor(() => follow.lines.some((l) => l.startsWith(`heartbeat ${n + 1}:`)), { description: 'the next heartbeat', timeoutMs: 5_000, intervalMs: 100 });
    } finally {
      follow.stop();
    }
    const prev = await k(['logs', 'web', '--previous']);
    expect(prev.code).not.toBe(0);
    expect(prev.stderr).toContain('previous terminated container "app" in pod "web" not found');
  }, 60_000);

  it('a crashing container reaches CrashLoopBackOff with restartCount growing; --previous shows the last run', async () => {
    await createPod('crasher', { annotations: { 'ekslab.io/crash-after': '300ms' } });
    const p = await waitPod('crasher', 'CrashLoopBackOff after restarts', (x) => app(x)?.state['waiting']?.reason === 'CrashLoopBackOff' && (app(x)?.restartCount ?? 0) >= 2);
    expect(app(p)!.lastState['terminated']).toMatchObject({ exitCode: 1 });
    await waitPod('crasher', 'restartCount growing', (x) => (app(x)?.restartCount ?? 0) > app(p)!.restartCount);
    const get = await k(['get', 'pod', 'crasher']);
    // Between crashes the container runs (and is ready) for 300 ms, so 1/1 Running is a valid sighting too.
    expect(get.stdout).toMatch(/^crasher\s+[01]\/1\s+(CrashLoopBackOff|Running|Error)\s+\d+/m);
    const d = await k(['describe', 'pod', 'crasher']);
    expect(d.stdout).toMatch(/Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container app in pod crasher_default\(/);
    const prev = await k(['logs', 'crasher', '--previous']);
    expect(prev.code, prev.stderr).toBe(0);
    expect(prev.stdout.trim().split('\n').at(-1)).toBe('exiting with code 1');
  }, 60_000);

  it('a missing image: ErrImagePull, then ImagePullBackOff', async () => {
    await createPod('ghost', { image: 'missing/app:1.0' });
    await waitPod('ghost', 'ImagePullBackOff', (x) => app(x)?.state['waiting']?.reason === 'ImagePullBackOff');
    const d = await k(['describe', 'pod', 'ghost']);
    expect(d.stdout).toMatch(/Warning\s+Failed\s+.*kubelet\s+Failed to pull image "missing\/app:1\.0": rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/missing\/app:1\.0"/);
    expect(d.stdout).toMatch(/Warning\s+Failed\s+.*kubelet\s+Error: ImagePullBackOff/);
    const get = await k(['get', 'pod', 'ghost']);
    expect(get.stdout).toMatch(/^ghost\s+0\/1\s+(ImagePullBackOff|ErrImagePull)\s+0/m);
  }, 60_000);

  it('no address left: ContainerCreating with the VPC CNI event; the pod starts once an address is freed', async () => {
    const saved = ipamd.pool.splice(0);
    try {
      await createPod('starved', { node: nodes[1]!.name });
      const events = await waitFor(async () => {
        const res = await k(['get', 'events', '--field-selector', 'involvedObject.name=starved,reason=FailedCreatePodSandBox', '-o', 'json']);
        const items = (JSON.parse(res.stdout) as { items: Array<{ message: string; type: string; source: { component: string; host: string } }> }).items;
        return items.length > 0 ? items : undefined;
      }, { description: 'FailedCreatePodSandBox', timeoutMs: 20_000, intervalMs: 200 });
      expect(events[0]!.type).toBe('Warning');
      expect(events[0]!.source).toEqual({ component: 'kubelet', host: nodes[1]!.name });
      expect(events[0]!.message).toMatch(
        /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="aws-cni" name="aws-cni" failed \(add\): add cmd: failed to assign an IP address to container$/,
      );
      const get = await k(['get', 'pod', 'starved']);
      expect(get.stdout).toMatch(/^starved\s+0\/1\s+ContainerCreating\s+0/m);
      await waitFor(() => ipamd.adds.filter((a) => a.pod === 'default/starved').length >= 2, { description: 'a retry', timeoutMs: 10_000, intervalMs: 100 });
    } finally {
      ipamd.pool.push(...saved);
    }
    const p = await waitPod('starved', 'Running once an address is free', (x) => x.status.phase === 'Running' && isReady(x));
    expect(p.status.podIP).toMatch(/^10\.0\.80\.\d+$/);
    const ops = await agent.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)');
    const metrics = await (await fetch(`http://127.0.0.1:${String(ops['port'])}/metrics`)).text();
    expect(Number(/^ekslab_kubelet_sandbox_failures_total\{[^}]*\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^ekslab_kubelet_pod_start_duration_seconds_count\{[^}]*\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^ekslab_kubelet_pod_workers\{[^}]*\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('init containers run in order before the app (kubectl shows Init:n/2); a failing liveness probe restarts the app', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'inits', annotations: { 'ekslab.io/run-for.migrate': '2s', 'ekslab.io/run-for.seed': '1s', 'ekslab.io/liveness-fail-after': '1s' } },
      spec: {
        nodeName: nodes[1]!.name,
        initContainers: [{ name: 'migrate', image: 'busybox:1.36' }, { name: 'seed', image: 'busybox:1.36' }],
        containers: [{ name: 'app', image: 'nginx:1.27', livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1, failureThreshold: 2 } }],
      },
    };
    const res = await k(['create', '-f', '-'], JSON.stringify(pod));
    expect(res.code, res.stderr).toBe(0);
    const get = await waitFor(async () => {
      const r = await k(['get', 'pod', 'inits']);
      return /^inits\s+0\/1\s+Init:0\/2\s+0/m.test(r.stdout) ? r.stdout : undefined;
    }, { description: 'Init:0/2', timeoutMs: 10_000, intervalMs: 100 });
    expect(get).toBeDefined();
    await waitPod('inits', 'app restarted after liveness failures', (x) => (app(x)?.restartCount ?? 0) >= 1, 30_000);
    const ev = await k(['get', 'events', '--field-selector', 'involvedObject.name=inits', '--sort-by=.firstTimestamp', '-o', 'json']);
    const items = (JSON.parse(ev.stdout) as { items: Array<{ reason: string; message: string; involvedObject: { fieldPath?: string } }> }).items;
    const started = items.filter((e) => e.reason === 'Started').map((e) => e.involvedObject.fieldPath);
    expect(started.slice(0, 3)).toEqual(['spec.initContainers{migrate}', 'spec.initContainers{seed}', 'spec.containers{app}']);
    expect(items.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: HTTP probe failed with statuscode: 500')).toBe(true);
    expect(items.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted')).toBe(true);
  }, 60_000);

  it('a hostNetwork pod takes the node IP without AddNetwork', async () => {
    await createPod('hostnet', { hostNetwork: true, node: nodes[1]!.name });
    const p = await waitPod('hostnet', 'Running', (x) => x.status.phase === 'Running' && isReady(x));
    expect(p.status.podIP).toBe(nodes[1]!.ip);
    expect(ipamd.adds.filter((a) => a.pod === 'default/hostnet')).toEqual([]);
  }, 60_000);

  it('job-like pods: restartPolicy Never, exit 0 → Succeeded, exit 3 → Failed; their addresses are released', async () => {
    await createPod('job-ok', { restartPolicy: 'Never', annotations: { 'ekslab.io/run-for': '1s', 'ekslab.io/exit-code': '0' } });
    await createPod('job-bad', { restartPolicy: 'Never', annotations: { 'ekslab.io/run-for': '1s', 'ekslab.io/exit-code': '3' } });
    const ok = await waitPod('job-ok', 'Succeeded', (x) => x.status.phase === 'Succeeded');
    const bad = await waitPod('job-bad', 'Failed', (x) => x.status.phase === 'Failed');
    expect(app(ok)!.state['terminated']).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(app(bad)!.state['terminated']).toMatchObject({ exitCode: 3, reason: 'Error' });
    await waitFor(() => ['default/job-ok', 'default/job-bad'].every((p) => ipamd.dels.some((d) => d.pod === p)), { description: 'DelNetwork for both', timeoutMs: 10_000, intervalMs: 100 });
    const get = await k(['get', 'pods', 'job-ok', 'job-bad']);
    expect(get.stdout).toMatch(/^job-ok\s+0\/1\s+Completed\s+0/m);
    expect(get.stdout).toMatch(/^job-bad\s+0\/1\s+Error\s+0/m);
  }, 60_000);

  it('kubectl delete waits for the container to stop within the grace period, then DelNetwork once and the delete', async () => {
    await createPod('slow-stop', { grace: 3, annotations: { 'ekslab.io/terminate-after': '1m' } });
    const p = await waitPod('slow-stop', 'Running', (x) => x.status.phase === 'Running' && isReady(x));
    const started = Date.now();
    const del = await k(['delete', 'pod', 'slow-stop', '--wait=true']);
    const took = Date.now() - started;
    expect(del.code, del.stderr).toBe(0);
    expect(took).toBeGreaterThanOrEqual(2_900);
    expect(await getPod('slow-stop')).toBeUndefined();
    const sandbox = ipamd.adds.find((a) => a.pod === 'default/slow-stop')!.sandbox;
    expect(ipamd.dels.filter((d) => d.sandbox === sandbox)).toHaveLength(1);
    expect(ipamd.assigned.has(sandbox)).toBe(false);
    expect(ipamd.pool).toContain(p.status.podIP);
    const killing = await k(['get', 'events', '--field-selector', 'involvedObject.name=slow-stop,reason=Killing', '-o', 'jsonpath={.items[*].message}']);
    expect(killing.stdout).toBe('Stopping container app');
    // The informer's DELETED event that follows must not release the address a second time.
    await createPod('after-delete');
    await waitPod('after-delete', 'Running', (x) => x.status.phase === 'Running');
    expect(ipamd.dels.filter((d) => d.sandbox === sandbox)).toHaveLength(1);
  }, 60_000);

  it('a restarted agent adopts running pods: same address and container, no AddNetwork, no restart; logs served on its new port', async () => {
    const before = (await getPod('web'))!;
    const addsBefore = ipamd.adds.length;
    agent.signal('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    agent = startAgent();
    const serving = await agent.waitForLog((r) => r['msg'] === 'serving LogsService', 30_000);
    await waitFor(async () => {
      const res = await k(['get', 'node', nodes[0]!.name, '-o', 'jsonpath={.metadata.annotations.ekslab\\.io/agent-endpoint}']);
      return res.stdout === `127.0.0.1:${String(serving['port'])}`;
    }, { description: 'the node publishes the new endpoint', timeoutMs: 20_000, intervalMs: 200 });
    const logs = await waitFor(async () => {
      const res = await k(['logs', 'web', '--tail=1']);
      return res.code === 0 ? res.stdout : undefined;
    }, { description: 'logs from the new agent', timeoutMs: 10_000, intervalMs: 200 });
    expect(logs).toMatch(/^heartbeat \d+: /);
    const after = (await getPod('web'))!;
    expect(after.status.phase).toBe('Running');
    expect(after.status.podIP).toBe(before.status.podIP);
    expect(app(after)).toMatchObject({ restartCount: 0, ready: true });
    expect((app(after) as unknown as { containerID: string }).containerID).toBe((app(before) as unknown as { containerID: string }).containerID);
    expect(ipamd.adds.slice(addsBefore).filter((a) => a.pod === 'default/web')).toEqual([]);
  }, 60_000);
});
