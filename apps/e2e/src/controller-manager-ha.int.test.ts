import { isConflict, objectKey, type KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';
import type { ServiceProcess } from './process.js';

// Issue 6's leader-election acceptance: two built controller-manager replicas on the built apiserver; the
// leader is SIGKILLed while it scales a Deployment up; the standby takes the Lease and finishes; at no time
// do more pods exist than the Deployment asks for, and it ends with exactly one ReplicaSet (counted from a
// watch that sees every pod the controllers ever created).
const GVR_PODS = { group: '', version: 'v1', resource: 'pods' };
const GVR_RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const GVR_DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' };
const GVR_LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const ns = 'ha';
const replicas = 30;

interface Deployment extends KubeObject { status?: { availableReplicas?: number; replicas?: number; updatedReplicas?: number } }
interface Lease extends KubeObject { spec?: { holderIdentity?: string; leaseTransitions?: number } }

let c: ControllerCluster;
const managers: ServiceProcess[] = [];

const leading = (p: ServiceProcess): boolean => p.logs.some((r) => r['msg'] === 'leading: starting controllers');

beforeAll(async () => {
  c = await startControllerCluster();
  c.startScheduler();
  c.startAgent({ nodes: 6, prefix: 'ha-node-', zone: 'us-east-1a' });
  managers.push(c.startControllerManager(['replicaset-controller', 'deployment-controller']));
  await waitFor(() => leading(managers[0]!), { timeoutMs: 30_000, description: 'first replica leads' });
  managers.push(c.startControllerManager(['replicaset-controller', 'deployment-controller']));
  await managers[1]!.waitForLog((r) => r['msg'] === 'new leader', 30_000);
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await c?.dispose();
});

describe('controller-manager leader election', () => {
  it('the standby takes over when the leader is killed mid-rollout; no pod or ReplicaSet is created twice', async () => {
    const [a, b] = managers as [ServiceProcess, ServiceProcess];
    // Every pod ever created in the namespace, and the most that existed (not terminating) at once.
    const seen = new Set<string>();
    const live = new Set<string>();
    let maxLive = 0;
    const watching = new AbortController();
    const pods = c.client<KubeObject>(GVR_PODS, ns);
    const watchDone = (async () => {
      try {
        for await (const ev of pods.watch({ resourceVersion: '0' }, watching.signal)) {
          const key = objectKey(ev.object);
          if (ev.type === 'ADDED') seen.add(key);
          if (ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp) live.delete(key);
          else if (ev.type !== 'BOOKMARK') live.add(key);
          maxLive = Math.max(maxLive, live.size);
        }
      } catch {
        // aborted at the end of the test
      }
    })();

    const manifest = JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
      spec: {
        replicas, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m' } } }] } },
      },
    });
    expect((await c.kubectl(['apply', '-f', '-'], manifest)).code).toBe(0);
    // Kill the leader while it is creating pods: some exist, not all.
    await waitFor(() => seen.size >= 3, { timeoutMs: 30_000, intervalMs: 10, description: 'the leader began creating pods' });
    const killedAt = Date.now();
    a.signal('SIGKILL');
    await a.exited;

    await b.waitForLog((r) => r['msg'] === 'leading: starting controllers', 20_000);
    const takeover = Date.now() - killedAt;
    // lease duration 3 s + retry period 500 ms, and slack for the process under a loaded machine.
    expect(takeover).toBeLessThan(10_000);

    const deploys = c.client<Deployment>(GVR_DEPLOY, ns);
    await waitFor(async () => (await deploys.get('web', { signal: AbortSignal.timeout(5000) })).status?.availableReplicas === replicas,
      { timeoutMs: 90_000, intervalMs: 500, description: `${replicas} replicas available` });

    const rsList = await c.client<KubeObject>(GVR_RS, ns).listAll({}, AbortSignal.timeout(5000));
    expect(rsList.items.map((r) => r.metadata.name)).toHaveLength(1);
    const podList = await pods.listAll({}, AbortSignal.timeout(5000));
    expect(podList.items).toHaveLength(replicas);
    // No duplicates at any moment, and nothing was created and thrown away.
    expect(maxLive).toBeLessThanOrEqual(replicas);
    expect(seen.size).toBe(replicas);

    const lease = await c.client<Lease>(GVR_LEASES, 'kube-system').get('kube-controller-manager', { signal: AbortSignal.timeout(5000) });
    expect(lease.spec?.holderIdentity).toBe((await b.waitForLog((r) => r['msg'] === 'leading: starting controllers'))['identity']);
    watching.abort();
    await watchDone;
  }, 150_000);

  it('a leader that loses its Lease stops its controllers within the renew deadline, and resumes when it leads again', async () => {
    const b = managers[1]!;
    const leases = c.client<Lease>(GVR_LEASES, 'kube-system');
    // Someone else takes the Lease for an hour (as a partitioned-away leader sees it happen); the leader renews
    // every 500 ms, so the write is retried on a conflict.
    await waitFor(async () => {
      const lease = await leases.get('kube-controller-manager', { signal: AbortSignal.timeout(5000) });
      const now = new Date().toISOString().replace('Z', '000Z');
      try {
        return await leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 3600, renewTime: now, acquireTime: now } } as Lease, { signal: AbortSignal.timeout(5000) });
      } catch (err) {
        if (isConflict(err)) return undefined;
        throw err;
      }
    }, { timeoutMs: 10_000, intervalMs: 50, description: 'the intruder holds the Lease' });
    const lostAt = Date.now();
    await b.waitForLog((r) => r['msg'] === 'stopped leading: controllers stopped', 15_000);
    // renew deadline 2 s + a retry period, plus slack for a loaded machine.
    expect(Date.now() - lostAt).toBeLessThan(6_000);

    const pods = c.client<KubeObject>(GVR_PODS, ns);
    expect((await c.kubectl(['-n', ns, 'scale', 'deployment/web', '--replicas=35'])).code).toBe(0);
    // Nobody leads: for 3 s no pod may appear (bounded observation of an absence).
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      expect((await pods.listAll({}, AbortSignal.timeout(5000))).items).toHaveLength(replicas);
      await new Promise((r) => setTimeout(r, 250));
    }
    // The intruder goes away; b campaigns on, leads again and scales.
    await leases.delete('kube-controller-manager', { signal: AbortSignal.timeout(5000) });
    await waitFor(async () => (await pods.listAll({}, AbortSignal.timeout(5000))).items.length === 35, { timeoutMs: 60_000, intervalMs: 500, description: 'scaled to 35 after b leads again' });
  }, 120_000);
});
