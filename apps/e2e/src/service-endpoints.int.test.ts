import type { KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';

// The Endpoints, EndpointSlice, ServiceAccount and root-CA controllers of the built controller-manager with the
// built apiserver, scheduler and a kubelet agent (pods really run in the simulated runtime and turn Ready or not).
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' };
const SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const SAS = { group: '', version: 'v1', resource: 'serviceaccounts' };
const CMS = { group: '', version: 'v1', resource: 'configmaps' };
const ns = 'svc';

interface Address { ip: string; targetRef?: { name: string } }
interface Endpoints extends KubeObject { subsets?: { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: { name?: string; port: number; protocol?: string }[] }[] }
interface Slice extends KubeObject { endpoints?: { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; zone?: string; targetRef?: { name: string } }[]; ports?: { port: number }[] }
interface Pod extends KubeObject { status?: { podIP?: string } }

let c: ControllerCluster;
const s = (): AbortSignal => AbortSignal.timeout(10_000);

const pod = (name: string, annotations: Record<string, string> = {}, grace = 30): unknown => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: 'web' }, annotations },
  spec: {
    terminationGracePeriodSeconds: grace,
    containers: [{
      name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
    }],
  },
});

async function ipOf(name: string): Promise<string> {
  return waitFor(async () => (await c.client<Pod>(PODS, ns).get(name, { signal: s() })).status?.podIP, { timeoutMs: 30_000, intervalMs: 250, description: `${name} has an IP` });
}

beforeAll(async () => {
  c = await startControllerCluster();
  c.startScheduler();
  c.startAgent({ nodes: 2, prefix: 'ep-node-', zone: 'us-east-1b' });
  c.startControllerManager(['endpoints-controller', 'endpointslice-controller', 'serviceaccount-controller', 'root-ca-certificate-publisher-controller']);
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await c?.dispose();
});

describe('service endpoints', () => {
  it('a new namespace gets the default ServiceAccount and kube-root-ca.crt; its token authenticates', async () => {
    await waitFor(async () => (await c.client<KubeObject>(SAS, ns).listAll({}, s())).items.some((sa) => sa.metadata.name === 'default'), { timeoutMs: 20_000, description: 'default SA' });
    const cm = await waitFor(async () => {
      try {
        return await c.client<KubeObject & { data?: Record<string, string> }>(CMS, ns).get('kube-root-ca.crt', { signal: s() });
      } catch {
        return undefined;
      }
    }, { timeoutMs: 20_000, description: 'kube-root-ca.crt' });
    expect(cm.data?.['ca.crt']).toBe(c.fx.ca);
    const token = await c.kubectl(['create', 'token', 'default', '-n', ns]);
    expect(token.code, token.stderr).toBe(0);
    const who = await c.kubectl(['--token', token.stdout.trim(), 'auth', 'whoami']);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain(`system:serviceaccount:${ns}:default`);
    // Deleted, it comes back.
    await c.client<KubeObject>(SAS, ns).delete('default', { signal: s() });
    await waitFor(async () => (await c.client<KubeObject>(SAS, ns).listAll({}, s())).items.some((sa) => sa.metadata.name === 'default'), { timeoutMs: 20_000, description: 'default SA recreated' });
  }, 60_000);

  it('Endpoints and EndpointSlices list exactly the ready pod IPs; an unready pod drops out', async () => {
    const pods = c.client<KubeObject>(PODS, ns);
    await pods.create(pod('steady-a') as KubeObject, { signal: s() });
    await pods.create(pod('steady-b') as KubeObject, { signal: s() });
    await pods.create(pod('never-ready', { 'ekslab.io/ready-after': '1h' }) as KubeObject, { signal: s() });
    await pods.create(pod('turns-unready', { 'ekslab.io/unready-after': '4s' }) as KubeObject, { signal: s() });
    expect((await c.kubectl(['-n', ns, 'create', 'service', 'clusterip', 'web', '--tcp=80:http'])).code).toBe(0);
    // kubectl create service selects app=web.
    const ips = Object.fromEntries(await Promise.all(['steady-a', 'steady-b', 'never-ready', 'turns-unready'].map(async (n) => [n, await ipOf(n)] as const)));
    const ready = [ips['steady-a'], ips['steady-b']].sort();
    const notReady = [ips['never-ready'], ips['turns-unready']].sort();
    const ep = await waitFor(async () => {
      const e = await c.client<Endpoints>(ENDPOINTS, ns).get('web', { signal: s() }).catch(() => undefined);
      const sub = e?.subsets?.[0];
      const got = (sub?.addresses ?? []).map((a) => a.ip).sort();
      const not = (sub?.notReadyAddresses ?? []).map((a) => a.ip).sort();
      return JSON.stringify(got) === JSON.stringify(ready) && JSON.stringify(not) === JSON.stringify(notReady) ? e : undefined;
    }, { timeoutMs: 45_000, intervalMs: 500, description: 'Endpoints: 2 ready, 2 not ready' });
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets?.[0]?.ports).toEqual([{ name: '80-http', port: 8080, protocol: 'TCP' }]);
    const slice = await waitFor(async () => {
      const list = (await c.client<Slice>(SLICES, ns).listAll({ labelSelector: 'kubernetes.io/service-name=web' }, s())).items;
      const eps = list.flatMap((x) => x.endpoints ?? []);
      const readyIps = eps.filter((e) => e.conditions.ready).map((e) => e.addresses[0]).sort();
      return list.length === 1 && eps.length === 4 && JSON.stringify(readyIps) === JSON.stringify(ready) ? list[0] : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, description: 'one slice: 4 endpoints, the 2 steady ones ready' });
    expect(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(slice.endpoints?.every((e) => e.zone === 'us-east-1b')).toBe(true);
    expect((slice.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'web' });
  }, 90_000);

  it('a pod in its grace period leaves the Endpoints and shows terminating (still serving) in its slice', async () => {
    await c.client<KubeObject>(PODS, ns).create(pod('slow-stop', { 'ekslab.io/terminate-after': '30s' }, 60) as KubeObject, { signal: s() });
    const ip = await ipOf('slow-stop');
    await waitFor(async () => (await c.client<Endpoints>(ENDPOINTS, ns).get('web', { signal: s() })).subsets?.[0]?.addresses?.some((a) => a.ip === ip), { timeoutMs: 30_000, intervalMs: 500, description: 'slow-stop ready in Endpoints' });
    await c.client<KubeObject>(PODS, ns).delete('slow-stop', { signal: s() });
    await waitFor(async () => {
      const eps = (await c.client<Slice>(SLICES, ns).listAll({ labelSelector: 'kubernetes.io/service-name=web' }, s())).items.flatMap((x) => x.endpoints ?? []);
      const mine = eps.find((e) => e.addresses[0] === ip);
      return mine && mine.conditions.terminating && mine.conditions.serving && !mine.conditions.ready;
    }, { timeoutMs: 30_000, intervalMs: 250, description: 'slow-stop terminating and serving in its slice' });
    const e = await c.client<Endpoints>(ENDPOINTS, ns).get('web', { signal: s() });
    const all = (e.subsets ?? []).flatMap((x) => [...(x.addresses ?? []), ...(x.notReadyAddresses ?? [])]).map((a) => a.ip);
    expect(all).not.toContain(ip);
  }, 60_000);
});
