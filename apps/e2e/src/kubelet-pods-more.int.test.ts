// More of the simulated runtime through the built agent (1 static node) and real kubectl 1.33: sidecar
// containers, activeDeadlineSeconds, startup probes, readiness failing after ready, and the kubelet's
// resource metrics on the agent's /metrics. A small CNIBackend server stands in for ipamd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@ekslab/testing';
import { startApiserver, type ApiserverFixture } from './apiserver-fixture.js';
import { kubectl } from './kubectl.js';
import { FakeIpamd } from './fake-ipamd.js';
import { ServiceProcess } from './process.js';

interface ContainerStatusJson {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: Record<string, { reason?: string; exitCode?: number }>;
}

interface PodJson {
  metadata: { name: string; uid: string };
  status: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Array<{ type: string; status: string; message?: string }>;
    initContainerStatuses?: ContainerStatusJson[];
    containerStatuses?: ContainerStatusJson[];
  };
}

interface EventJson {
  type: string;
  reason: string;
  message: string;
  involvedObject: { fieldPath?: string };
}

let fx: ApiserverFixture;
let agent: ServiceProcess;
let opsPort = 0;
const ipamd = new FakeIpamd();
let node = '';

const k = (args: string[], input?: string) => kubectl('1.33', fx.kubeconfig, args, input);

async function create(pod: { metadata: Record<string, unknown>; spec: Record<string, unknown> }): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', ...pod.metadata }, spec: { nodeName: node, ...pod.spec } };
  const res = await k(['create', '-f', '-'], JSON.stringify(body));
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

async function events(name: string): Promise<EventJson[]> {
  const res = await k(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
  expect(res.code, res.stderr).toBe(0);
  return (JSON.parse(res.stdout) as { items: EventJson[] }).items;
}

async function waitEvent(name: string, description: string, ok: (e: EventJson) => boolean): Promise<EventJson> {
  return waitFor(async () => (await events(name)).find(ok), { description: `${name}: ${description}`, timeoutMs: 30_000, intervalMs: 250 });
}

const cs = (p: PodJson, name: string) => [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])].find((c) => c.name === name);
const cond = (p: PodJson, type: string) => p.status.conditions?.find((c) => c.type === type)?.status;

async function scrape(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([key, v]) => body.includes(`${key}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

beforeAll(async () => {
  await ipamd.start();
  fx = await startApiserver();
  agent = new ServiceProcess('kubelet', [
    '--cert-dir', fx.certDir, '--grpc-server', fx.grpcAddress, '--ops-address', '127.0.0.1', '--ops-port', '0',
    '--nodes', '1', '--ipamd-endpoint', `127.0.0.1:${ipamd.port}`, '--kubelet-port', '0', '--advertise-address', '127.0.0.1',
    '--crash-loop-backoff', '1s', '--crash-loop-max-backoff', '4s', '--image-pull-mib-per-second', '1000', '--container-stop-duration', '200ms',
    '--node-base-cpu-millicores', '40', '--node-base-memory-mib', '400',
  ]);
  const ops = await agent.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)', 60_000);
  opsPort = Number(ops['port']);
  node = await waitFor(async () => {
    const res = await k(['get', 'nodes', '-o', 'json']);
    if (res.code !== 0) return undefined;
    const items = (JSON.parse(res.stdout) as { items: Array<{ metadata: { name: string }; status: { conditions?: Array<{ type: string; status: string }> } }> }).items;
    return items.find((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))?.metadata.name;
  }, { description: 'a Ready node', timeoutMs: 60_000, intervalMs: 250 });
}, 180_000);

afterAll(async () => {
  agent?.dispose();
  await fx?.dispose();
  ipamd.stop();
});

describe('kubelet agent: sidecars, deadlines, probes and resource metrics', () => {
  it('a sidecar (init container with restartPolicy Always) starts first, keeps running and counts in READY 2/2; deletion stops it after the app', async () => {
    await create({
      metadata: { name: 'meshed', annotations: { 'ekslab.io/run-for.migrate': '1s' } },
      spec: {
        initContainers: [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' }, { name: 'migrate', image: 'busybox:1.36' }],
        containers: [{ name: 'app', image: 'nginx:1.27' }],
      },
    });
    const p = await waitPod('meshed', 'Running and Ready', (x) => x.status.phase === 'Running' && cond(x, 'Ready') === 'True');
    expect(cs(p, 'proxy')).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(cs(p, 'migrate')).toMatchObject({ state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(cond(p, 'Initialized')).toBe('True');
    const get = await k(['get', 'pod', 'meshed']);
    expect(get.stdout).toMatch(/^meshed\s+2\/2\s+Running\s+0\s/m);
    const started = (await events('meshed')).filter((e) => e.reason === 'Started').map((e) => e.involvedObject.fieldPath);
    expect(started).toEqual(expect.arrayContaining(['spec.initContainers{proxy}', 'spec.initContainers{migrate}', 'spec.containers{app}']));
    const del = await k(['delete', 'pod', 'meshed', '--wait=true']);
    expect(del.code, del.stderr).toBe(0);
    const killing = (await events('meshed')).filter((e) => e.reason === 'Killing').map((e) => [e.involvedObject.fieldPath, e.message]);
    expect(killing).toEqual(expect.arrayContaining([['spec.containers{app}', 'Stopping container app'], ['spec.initContainers{proxy}', 'Stopping container proxy']]));
    expect(killing).toHaveLength(2);
  }, 60_000);

  it('a crashing sidecar restarts although the pod\'s restartPolicy is Never', async () => {
    await create({
      metadata: { name: 'flaky-sidecar', annotations: { 'ekslab.io/crash-after.proxy': '1s' } },
      spec: { restartPolicy: 'Never', initContainers: [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' }], containers: [{ name: 'app', image: 'nginx:1.27' }] },
    });
    const p = await waitPod('flaky-sidecar', 'sidecar restarted', (x) => (cs(x, 'proxy')?.restartCount ?? 0) >= 2);
    expect(p.status.phase).toBe('Running');
    expect(cs(p, 'app')).toMatchObject({ restartCount: 0 });
  }, 60_000);

  it('activeDeadlineSeconds: the containers are killed and the pod fails with DeadlineExceeded', async () => {
    await create({ metadata: { name: 'deadline' }, spec: { activeDeadlineSeconds: 3, containers: [{ name: 'app', image: 'nginx:1.27' }] } });
    await waitPod('deadline', 'Running', (x) => x.status.phase === 'Running');
    const p = await waitPod('deadline', 'Failed', (x) => x.status.phase === 'Failed', 20_000);
    expect(p.status).toMatchObject({ reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    expect(cs(p, 'app')?.state['terminated']).toBeDefined();
    expect(cond(p, 'Ready')).toBe('False');
    const ev = await events('deadline');
    expect(ev.find((e) => e.reason === 'DeadlineExceeded')).toMatchObject({ type: 'Normal', message: 'Pod was active on the node longer than the specified deadline' });
    expect(ev.find((e) => e.reason === 'Killing')).toMatchObject({ message: 'Stopping container app' });
    const get = await k(['get', 'pod', 'deadline']);
    // kubectl's STATUS is the pod's reason unless a container state overrides it (printPod): the app was
    // stopped gracefully, so its terminated reason shows.
    expect(get.stdout).toMatch(/^deadline\s+0\/1\s+Completed\s+0\s/m);
    await waitFor(() => ipamd.dels.some((d) => d.pod === 'default/deadline'), { description: 'the address released', timeoutMs: 10_000, intervalMs: 100 });
  }, 60_000);

  it('a startup probe holds readiness until it passes; one that never passes kills and restarts the container', async () => {
    const startupProbe = { httpGet: { path: '/started', port: 8080 }, periodSeconds: 1, failureThreshold: 30 };
    await create({
      metadata: { name: 'slow-start', annotations: { 'ekslab.io/startup-after': '3s' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', startupProbe }] },
    });
    const early = await waitPod('slow-start', 'running, not started', (x) => cs(x, 'app')?.state['running'] !== undefined);
    expect(cs(early, 'app')).toMatchObject({ started: false, ready: false });
    const p = await waitPod('slow-start', 'started and Ready', (x) => cs(x, 'app')?.started === true && cond(x, 'Ready') === 'True');
    expect(cs(p, 'app')?.restartCount).toBe(0);
    await waitEvent('slow-start', 'Unhealthy', (e) => e.reason === 'Unhealthy' && e.message === 'Startup probe failed: HTTP probe failed with statuscode: 500');

    await create({
      metadata: { name: 'never-starts', annotations: { 'ekslab.io/startup-after': '1h' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', startupProbe: { ...startupProbe, failureThreshold: 2 } }] },
    });
    const restarted = await waitPod('never-starts', 'restarted', (x) => (cs(x, 'app')?.restartCount ?? 0) >= 1);
    expect(cond(restarted, 'Ready')).toBe('False');
    const kill = await waitEvent('never-starts', 'Killing', (e) => e.reason === 'Killing');
    expect(kill).toMatchObject({ type: 'Normal', message: 'Container app failed startup probe, will be restarted', involvedObject: { fieldPath: 'spec.containers{app}' } });
  }, 60_000);

  it('readiness failing after ready: the pod goes unready (no restart) and comes back', async () => {
    await create({
      metadata: { name: 'flapping', annotations: { 'ekslab.io/unready-after': '2s', 'ekslab.io/unready-for': '4s' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', readinessProbe: { httpGet: { path: '/ready', port: 80 }, periodSeconds: 1, failureThreshold: 1 } }] },
    });
    await waitPod('flapping', 'Ready', (x) => cond(x, 'Ready') === 'True');
    const down = await waitPod('flapping', 'unready', (x) => cond(x, 'Ready') === 'False');
    expect(cond(down, 'ContainersReady')).toBe('False');
    expect(cs(down, 'app')).toMatchObject({ ready: false, restartCount: 0, state: { running: {} } });
    const ev = await waitEvent('flapping', 'Unhealthy', (e) => e.reason === 'Unhealthy');
    expect(ev).toMatchObject({ type: 'Warning', message: 'Readiness probe failed: HTTP probe failed with statuscode: 500' });
    const get = await k(['get', 'pod', 'flapping']);
    expect(get.stdout).toMatch(/^flapping\s+0\/1\s+Running\s+0\s/m);
    const up = await waitPod('flapping', 'Ready again', (x) => cond(x, 'Ready') === 'True');
    expect(cs(up, 'app')?.restartCount).toBe(0);
    expect((await events('flapping')).some((e) => e.reason === 'Killing')).toBe(false);
  }, 60_000);

  it('/metrics carries the kubelet\'s resource metrics: CPU counters grow at ekslab.io/cpu-millicores, memory from ekslab.io/memory-mib', async () => {
    await create({
      metadata: { name: 'busy', annotations: { 'ekslab.io/cpu-millicores': '500', 'ekslab.io/memory-mib': '64' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    });
    await waitPod('busy', 'Running', (x) => x.status.phase === 'Running');
    const labels = { container: 'app', namespace: 'default', pod: 'busy', node };
    const first = await waitFor(async () => {
      const text = await scrape();
      return sample(text, 'container_cpu_usage_seconds_total', labels) !== undefined ? { text, at: Date.now() } : undefined;
    }, { description: 'container metrics for busy', timeoutMs: 10_000, intervalMs: 200 });
    expect(sample(first.text, 'container_memory_working_set_bytes', labels)).toBe(64 * 1024 * 1024);
    expect(sample(first.text, 'pod_memory_working_set_bytes', { namespace: 'default', pod: 'busy', node })).toBe(64 * 1024 * 1024);
    const nodeMemory = sample(first.text, 'node_memory_working_set_bytes', { node })!;
    expect(nodeMemory).toBeGreaterThanOrEqual((400 + 64) * 1024 * 1024);
    const cpu0 = sample(first.text, 'container_cpu_usage_seconds_total', labels)!;
    const node0 = sample(first.text, 'node_cpu_usage_seconds_total', { node })!;
    expect(node0).toBeGreaterThan(cpu0);
    const second = await waitFor(async () => {
      const text = await scrape();
      return Date.now() - first.at >= 2000 ? { text, at: Date.now() } : undefined;
    }, { description: '2 s later', timeoutMs: 10_000, intervalMs: 250 });
    const cpu1 = sample(second.text, 'container_cpu_usage_seconds_total', labels)!;
    const rate = (cpu1 - cpu0) / ((second.at - first.at) / 1000);
    expect(rate).toBeGreaterThan(0.4);
    expect(rate).toBeLessThan(0.6);
    expect(sample(second.text, 'pod_cpu_usage_seconds_total', { namespace: 'default', pod: 'busy', node })).toBeGreaterThanOrEqual(cpu1);
    expect(sample(second.text, 'node_cpu_usage_seconds_total', { node })! - node0).toBeGreaterThan(cpu1 - cpu0);
    // Usage of a stopped container is not reported.
    expect(sample(second.text, 'container_cpu_usage_seconds_total', { pod: 'deadline' })).toBeUndefined();
  }, 60_000);
});
