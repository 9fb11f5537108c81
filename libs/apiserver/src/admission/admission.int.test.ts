import { useEtcdCluster } from '@ekslab/testing';
import { EtcdStore } from '@ekslab/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiStatusError } from '../http/status.js';
import { findResource } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';
import { Registry } from '../rest/registry.js';
import { createAdmission, type AdmissionOptions } from './chain.js';
import { reconcileKubernetesService } from './kubernetes-service.js';
import { repairServiceAllocations } from './repair.js';
import { IP_ALLOCATION_PREFIX, NODEPORT_ALLOCATION_PREFIX, serviceAllocators } from './service-allocators.js';

const pods = findResource('', 'v1', 'pods')!;
const services = findResource('', 'v1', 'services')!;
const namespaces = findResource('', 'v1', 'namespaces')!;
const serviceAccounts = findResource('', 'v1', 'serviceaccounts')!;
const priorityClasses = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
const endpoints = findResource('', 'v1', 'endpoints')!;

const w = { dryRun: false, signal: AbortSignal.timeout(30_000) };
const opts = (over: Partial<AdmissionOptions> = {}): AdmissionOptions => ({
  serviceClusterIpRange: '10.100.0.0/16', serviceNodePortRange: '30000-32767', defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300, ...over,
});

/** The Status a rejected write carries. */
async function statusOf(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiStatusError) return { code: err.status.code, reason: err.status.reason, message: err.status.message };
    throw err;
  }
  throw new Error('expected the write to be refused');
}

const spec = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;
const pod = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra } });
const svc = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...extra } });

describe('admission against etcd', () => {
  const etcd = useEtcdCluster({ members: 1 });
  let store: EtcdStore;
  let n = 0;
  /** A fresh store prefix per test: allocations and namespaces of one test never meet another's. */
  async function fresh(over: Partial<AdmissionOptions> = {}, namespace = 'ns'): Promise<{ store: EtcdStore; registry: Registry; a: AdmissionOptions }> {
    const s = new EtcdStore({ client: store.client, prefix: `/t${++n}` });
    const a = opts(over);
    const registry = new Registry(s, Date.now, createAdmission(a));
    await registry.create(namespaces, undefined, { metadata: { name: namespace } }, w);
    return { store: s, registry, a };
  }
  beforeAll(() => {
    store = new EtcdStore({ endpoints: etcd().endpoints });
  });
  afterAll(() => store.close());

  it('pods — get serviceAccountName default, status Pending with a QoS class, both default tolerations, priority 0', async () => {
    const { registry } = await fresh();
    const created = await registry.create(pods, 'ns', pod('web', { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }), w);
    expect(spec(created)).toMatchObject({
      serviceAccountName: 'default', serviceAccount: 'default', enableServiceLinks: true, priority: 0, preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    expect(spec(created)['containers']).toMatchObject([{ resources: { requests: { cpu: '1', memory: '1Gi' } } }]);
    expect(created.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
    expect('automountServiceAccountToken' in spec(created)).toBe(false);
  });

  it('pods — toleration seconds come from the options', async () => {
    const { registry } = await fresh({ defaultNotReadyTolerationSeconds: 30, defaultUnreachableTolerationSeconds: 40 });
    const created = await registry.create(pods, 'ns', pod('web'), w);
    expect((spec(created)['tolerations'] as Array<{ tolerationSeconds: number }>).map((t) => t.tolerationSeconds)).toEqual([30, 40]);
  });

  it('pods — a missing ServiceAccount other than default is 403 as kube-apiserver words it; an existing one copies its imagePullSecrets', async () => {
    const { registry } = await fresh();
    expect(await statusOf(registry.create(pods, 'ns', pod('web', { serviceAccountName: 'builder' }), w))).toEqual({
      code: 403, reason: 'Forbidden', message: 'pods "web" is forbidden: error looking up service account ns/builder: serviceaccount "builder" not found',
    });
    await registry.create(serviceAccounts, 'ns', { metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'ecr' }] }, w);
    const created = await registry.create(pods, 'ns', pod('web', { serviceAccountName: 'builder' }), w);
    expect(spec(created)).toMatchObject({ serviceAccountName: 'builder', imagePullSecrets: [{ name: 'ecr' }] });
  });

  it('pods — priorityClassName resolves (built-ins, stored classes, the global default); unknown names and contradicting values are 403', async () => {
    const { registry } = await fresh();
    expect(spec(await registry.create(pods, 'ns', pod('node-critical', { priorityClassName: 'system-node-critical' }), w))).toMatchObject({ priority: 2000001000, preemptionPolicy: 'PreemptLowerPriority' });
    expect(spec(await registry.create(pods, 'ns', pod('cluster-critical', { priorityClassName: 'system-cluster-critical' }), w))).toMatchObject({ priority: 2000000000 });
    expect(await statusOf(registry.create(pods, 'ns', pod('nope', { priorityClassName: 'gold' }), w))).toMatchObject({
      code: 403, message: 'pods "nope" is forbidden: no PriorityClass with name gold was found',
    });
    await registry.create(priorityClasses, undefined, { metadata: { name: 'gold' }, value: 1000, preemptionPolicy: 'Never' }, w);
    expect(spec(await registry.create(pods, 'ns', pod('gold', { priorityClassName: 'gold' }), w))).toMatchObject({ priority: 1000, preemptionPolicy: 'Never' });
    expect(await statusOf(registry.create(pods, 'ns', pod('liar', { priorityClassName: 'gold', priority: 5 }), w))).toMatchObject({
      code: 403, message: 'pods "liar" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    });
    await registry.create(priorityClasses, undefined, { metadata: { name: 'base' }, value: 10, globalDefault: true }, w);
    expect(await statusOf(registry.create(priorityClasses, undefined, { metadata: { name: 'base2' }, value: 20, globalDefault: true }, w))).toMatchObject({
      code: 403, message: 'priorityclasses.scheduling.k8s.io "base2" is forbidden: PriorityClass base is already marked as default. Only one default can exist',
    });
    expect(spec(await registry.create(pods, 'ns', pod('plain'), w))).toMatchObject({ priorityClassName: 'base', priority: 10 });
    // An update keeps what create computed.
    const t = { info: pods, namespace: 'ns', name: 'plain' };
    const updated = await registry.mutate(t, (o) => ({ ...o, spec: { ...spec(o), priority: 99 } }), w);
    expect(spec(updated)['priority']).toBe(10);
  });

  it('services — ClusterIP, families and policies are filled in; headless gets none; a requested taken IP is 422', async () => {
    const { registry } = await fresh();
    const web = await registry.create(services, 'ns', svc('web'), w);
    expect(spec(web)).toMatchObject({ type: 'ClusterIP', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' });
    expect(spec(web)['clusterIPs']).toEqual([spec(web)['clusterIP']]);
    expect(spec(web)['clusterIP']).toMatch(/^10\.100\./);
    expect(spec(web)['clusterIP']).not.toBe('10.100.0.1');
    expect('externalTrafficPolicy' in spec(web)).toBe(false);
    const headless = await registry.create(services, 'ns', svc('db', { clusterIP: 'None' }), w);
    expect(spec(headless)).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilyPolicy: 'SingleStack' });
    const selectorless = await registry.create(services, 'ns', { metadata: { name: 'ext' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }, w);
    expect(spec(selectorless)).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    const ip = spec(web)['clusterIP'] as string;
    expect(await statusOf(registry.create(services, 'ns', svc('copy', { clusterIP: ip }), w))).toEqual({
      code: 422, reason: 'Invalid', message: `Service "copy" is invalid: spec.clusterIPs: Invalid value: ["${ip}"]: failed to allocate IP ${ip}: provided IP is already allocated`,
    });
    expect(await statusOf(registry.create(services, 'ns', svc('far', { clusterIP: '10.200.0.5' }), w))).toMatchObject({
      code: 422, message: 'Service "far" is invalid: spec.clusterIPs: Invalid value: ["10.200.0.5"]: failed to allocate IP 10.200.0.5: the provided IP (10.200.0.5) is not in the valid range. The range of valid IPs is 10.100.0.0/16',
    });
    expect(await statusOf(registry.mutate({ info: services, namespace: 'ns', name: 'web' }, (o) => ({ ...o, spec: { ...spec(o), clusterIP: '10.100.9.9', clusterIPs: ['10.100.9.9'] } }), w))).toMatchObject({
      code: 422, message: 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.100.9.9"]: may not change once set',
    });
  });

  it('services — a /29 runs out after 5 dynamic IPs (the first is the kubernetes Service\'s) with kube-apiserver\'s 500; delete gives one back', async () => {
    const { registry, store: s } = await fresh({ serviceClusterIpRange: '10.0.0.0/29' });
    const ips: string[] = [];
    for (let i = 0; i < 5; i++) ips.push(spec(await registry.create(services, 'ns', svc(`s${i}`), w))['clusterIP'] as string);
    expect(ips.sort()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(await statusOf(registry.create(services, 'ns', svc('full'), w))).toEqual({
      code: 500, reason: 'InternalError', message: 'Internal error occurred: failed to allocate a serviceIP: range is full',
    });
    // The reserved first address is still there for whoever asks for it by name.
    expect(spec(await registry.create(services, 'ns', svc('kubernetes-like', { clusterIP: '10.0.0.1' }), w))['clusterIP']).toBe('10.0.0.1');
    const gone = await registry.delete({ info: services, namespace: 'ns', name: 's2' }, { ...w });
    expect(gone.deleted).toBe(true);
    const again = await registry.create(services, 'ns', svc('again'), w);
    expect(spec(again)['clusterIP']).toBe(spec(gone.object)['clusterIP']);
    // Failed creates left nothing behind: one record per live Service.
    expect((await s.list(IP_ALLOCATION_PREFIX)).items).toHaveLength(6);
  });

  it('services — two replicas creating 20 Services each at once never share a ClusterIP or a NodePort', async () => {
    const { store: s, a } = await fresh({ serviceClusterIpRange: '10.0.0.0/26', serviceNodePortRange: '30000-30063' });
    const other = new EtcdStore({ endpoints: etcd().endpoints, prefix: s.prefix });
    try {
      const replicas = [new Registry(s, Date.now, createAdmission(a)), new Registry(other, Date.now, createAdmission(a))];
      const created = await Promise.all(replicas.flatMap((r, ri) => Array.from({ length: 20 }, (_, i) => r.create(services, 'ns', svc(`r${ri}-${i}`, { type: 'NodePort' }), w))));
      const ips = created.map((o) => spec(o)['clusterIP']);
      const ports = created.map((o) => (spec(o)['ports'] as Array<{ nodePort: number }>)[0]!.nodePort);
      expect(new Set(ips).size).toBe(40);
      expect(new Set(ports).size).toBe(40);
      expect(ports.every((p) => p >= 30000 && p <= 30063)).toBe(true);
      expect((await s.list(IP_ALLOCATION_PREFIX)).items).toHaveLength(40);
    } finally {
      other.close();
    }
  });

  it('services — NodePorts: requested and random, conflicts are 422, TCP+UDP of one port share, type change and delete release', async () => {
    const { registry, store: s } = await fresh();
    const a = await registry.create(services, 'ns', svc('a', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), w);
    expect(spec(a)).toMatchObject({ externalTrafficPolicy: 'Cluster', ports: [{ nodePort: 30080 }] });
    expect(await statusOf(registry.create(services, 'ns', svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), w))).toEqual({
      code: 422, reason: 'Invalid', message: 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    });
    expect(await statusOf(registry.create(services, 'ns', svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), w))).toMatchObject({
      code: 422, message: 'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    });
    const dns = await registry.create(services, 'ns', svc('dns', { type: 'NodePort', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, protocol: 'TCP' }] }), w);
    const [udp, tcp] = spec(dns)['ports'] as Array<{ nodePort: number }>;
    expect(udp!.nodePort).toBe(tcp!.nodePort);
    expect(udp!.nodePort).toBeGreaterThanOrEqual(30000 + 86);
    const lb = await registry.create(services, 'ns', svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }), w);
    expect(spec(lb)).toMatchObject({ allocateLoadBalancerNodePorts: true, healthCheckNodePort: expect.any(Number) as number });
    // kubectl replace without the allocated values keeps them.
    const replaced = await registry.update({ info: services, namespace: 'ns', name: 'a' }, { metadata: { name: 'a' }, spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ name: 'http', port: 80 }] } }, w);
    expect(spec(replaced)).toMatchObject({ clusterIP: spec(a)['clusterIP'], ports: [{ nodePort: 30080 }] });
    // NodePort → ClusterIP frees 30080 (and clears it from the object).
    const downgraded = await registry.mutate({ info: services, namespace: 'ns', name: 'a' }, (o) => ({ ...o, spec: { ...spec(o), type: 'ClusterIP' } }), w);
    expect((spec(downgraded)['ports'] as Array<Record<string, unknown>>)[0]).not.toHaveProperty('nodePort');
    expect(spec(downgraded)).not.toHaveProperty('externalTrafficPolicy');
    expect(spec(await registry.create(services, 'ns', svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), w))).toMatchObject({ ports: [{ nodePort: 30080 }] });
    // Delete frees everything the Service held.
    await registry.delete({ info: services, namespace: 'ns', name: 'lb' }, { ...w });
    const held = (await s.list<{ spec: { parentRef: { name: string } } }>(NODEPORT_ALLOCATION_PREFIX)).items.map((r) => r.spec.parentRef.name).sort();
    expect(held).toEqual(['b', 'dns']);
  });

  it('services — ExternalName gets no ClusterIP; switching to ClusterIP allocates one and back releases it', async () => {
    const { registry, store: s } = await fresh();
    const ext = await registry.create(services, 'ns', { metadata: { name: 'x' }, spec: { type: 'ExternalName', externalName: 'example.com' } }, w);
    expect(spec(ext)).not.toHaveProperty('clusterIP');
    const t = { info: services, namespace: 'ns', name: 'x' };
    const up = await registry.mutate(t, (o) => ({ ...o, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } }), w);
    expect(spec(up)['clusterIP']).toMatch(/^10\.100\./);
    expect((await s.list(IP_ALLOCATION_PREFIX)).items).toHaveLength(1);
    const down = await registry.mutate(t, (o) => ({ ...o, spec: { ...spec(o), type: 'ExternalName', externalName: 'example.com' } }), w);
    expect(spec(down)).not.toHaveProperty('clusterIP');
    expect((await s.list(IP_ALLOCATION_PREFIX)).items).toHaveLength(0);
  });

  it('services — dry run allocates nothing; a create that loses on the name gives its allocations back', async () => {
    const { registry, store: s } = await fresh();
    const dry = await registry.create(services, 'ns', svc('d', { type: 'NodePort' }), { ...w, dryRun: true });
    expect(spec(dry)['clusterIP']).toMatch(/^10\.100\./);
    expect((await s.list(IP_ALLOCATION_PREFIX)).items).toHaveLength(0);
    expect((await s.list(NODEPORT_ALLOCATION_PREFIX)).items).toHaveLength(0);
    await registry.create(services, 'ns', svc('d', { type: 'NodePort' }), w);
    expect(await statusOf(registry.create(services, 'ns', svc('d', { type: 'NodePort' }), w))).toMatchObject({ code: 409, message: 'services "d" already exists' });
    expect((await s.list(IP_ALLOCATION_PREFIX)).items).toHaveLength(1);
    expect((await s.list(NODEPORT_ALLOCATION_PREFIX)).items).toHaveLength(1);
  });

  it('repair — reclaims a leaked record past its grace and records a Service that had none', async () => {
    const { registry, store: s, a } = await fresh();
    const al = serviceAllocators(s, a);
    await al.ips.allocate('10.100.50.50', { namespace: 'ns', name: 'crashed', uid: 'u-1' }, { signal: w.signal });
    const web = await registry.create(services, 'ns', svc('web'), w);
    await s.delete(`${IP_ALLOCATION_PREFIX}${String(spec(web)['clusterIP'])}`);
    expect(await repairServiceAllocations(s, al, { graceMs: 60_000 }, w.signal)).toEqual({ released: [], adopted: [spec(web)['clusterIP']], conflicts: [] });
    expect(await repairServiceAllocations(s, al, { graceMs: 60_000, now: () => Date.now() + 120_000 }, w.signal)).toEqual({ released: ['10.100.50.50'], adopted: [], conflicts: [] });
  });

  it('kubernetes Service — gets the first IP; Endpoints list every replica with a live lease', async () => {
    const { store: s, a } = await fresh({}, 'default');
    const base = { store: s, admission: a, securePort: 6443, leaseTtlSeconds: 5 };
    await reconcileKubernetesService({ ...base, advertiseAddress: '10.0.1.10' }, w.signal);
    const addresses = await reconcileKubernetesService({ ...base, advertiseAddress: '10.0.2.10' }, w.signal);
    expect(addresses).toEqual(['10.0.1.10', '10.0.2.10']);
    const registry = new Registry(s);
    const k = await registry.get({ info: services, namespace: 'default', name: 'kubernetes' }, w.signal);
    expect(spec(k)).toMatchObject({ clusterIP: '10.100.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
    const ep = await registry.get({ info: endpoints, namespace: 'default', name: 'kubernetes' }, w.signal);
    expect(ep['subsets']).toEqual([{ addresses: [{ ip: '10.0.1.10' }, { ip: '10.0.2.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
  });
});
