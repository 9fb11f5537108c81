import { join } from 'node:path';
import type { KubeObject } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';
import { repoRoot } from './process.js';

// Issue 6's DaemonSet part, end to end: the built apiserver, scheduler, kubelet agents (nodes in three
// zones) and a controller-manager running only the DaemonSet controller, driven by real kubectl 1.33.
const GVR_PODS = { group: '', version: 'v1', resource: 'pods' };
const GVR_NODES = { group: '', version: 'v1', resource: 'nodes' };
const GVR_DS = { group: 'apps', version: 'v1', resource: 'daemonsets' };
const ns = 'ds-e2e';

interface Pod extends KubeObject {
  spec: { nodeName?: string; containers: { image?: string }[]; affinity?: unknown; tolerations?: unknown[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}
interface DaemonSet extends KubeObject {
  spec?: { template?: unknown };
  status?: { desiredNumberScheduled?: number; currentNumberScheduled?: number; numberReady?: number; numberAvailable?: number; updatedNumberScheduled?: number; numberMisscheduled?: number; observedGeneration?: number };
}

let c: ControllerCluster;

const ready = (p: Pod): boolean => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
const podsBy = async (namespace: string, labelSelector: string): Promise<Pod[]> =>
  (await c.client<Pod>(GVR_PODS, namespace).listAll({ labelSelector }, AbortSignal.timeout(10_000))).items;
const pods = (namespace: string, app: string): Promise<Pod[]> => podsBy(namespace, `app=${app}`);
const ds = (namespace: string, name: string): Promise<DaemonSet> => c.client<DaemonSet>(GVR_DS, namespace).get(name, { signal: AbortSignal.timeout(10_000) });
const nodeNames = async (): Promise<string[]> =>
  (await c.client<KubeObject>(GVR_NODES).listAll({}, AbortSignal.timeout(10_000))).items.map((n) => n.metadata.name ?? '').sort();

/** Every named node runs exactly one Ready pod (of `selector`, default `app=<name>`) and no other node runs one; the DaemonSet's status says so. */
async function onePerNode(namespace: string, name: string, want: readonly string[], selector = `app=${name}`): Promise<boolean> {
  const live = (await podsBy(namespace, selector)).filter((p) => !p.metadata.deletionTimestamp);
  const nodes = live.map((p) => p.spec.nodeName ?? '').sort();
  const status = (await ds(namespace, name)).status ?? {};
  return JSON.stringify(nodes) === JSON.stringify([...want].sort()) && live.every(ready)
    && status.desiredNumberScheduled === want.length && status.numberReady === want.length && status.numberAvailable === want.length;
}

const manifest = (name: string, image: string, extra: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: ns },
  spec: {
    selector: { matchLabels: { app: name } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, resources: { requests: { cpu: '10m' } } }], terminationGracePeriodSeconds: 2, ...extra } },
  },
});

beforeAll(async () => {
  c = await startControllerCluster();
  c.startScheduler();
  c.startAgent({ nodes: 2, prefix: 'ds-a-', zone: 'us-east-1a' });
  c.startAgent({ nodes: 2, prefix: 'ds-b-', zone: 'us-east-1b' });
  c.startControllerManager(['daemonset-controller']);
  await waitFor(async () => (await nodeNames()).length === 4, { timeoutMs: 60_000, description: 'four nodes registered' });
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
  expect((await c.kubectl(['taint', 'nodes', 'ds-b-1', 'dedicated=gpu:NoSchedule'])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await c?.dispose();
});

describe('DaemonSet controller', () => {
  it('runs exactly one Ready pod per eligible node, skipping a NoSchedule-tainted node unless tolerated', async () => {
    expect((await c.kubectl(['apply', '-f', '-'], manifest('agent', 'nginx:1.27'))).code).toBe(0);
    expect((await c.kubectl(['apply', '-f', '-'], manifest('tolerant', 'nginx:1.27', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }))).code).toBe(0);
    await waitFor(() => onePerNode(ns, 'agent', ['ds-a-0', 'ds-a-1', 'ds-b-0']), { timeoutMs: 60_000, intervalMs: 250, description: 'agent: one Ready pod on each untainted node' });
    await waitFor(() => onePerNode(ns, 'tolerant', ['ds-a-0', 'ds-a-1', 'ds-b-0', 'ds-b-1']), { timeoutMs: 60_000, intervalMs: 250, description: 'tolerant: one Ready pod on every node' });

    const agent = await ds(ns, 'agent');
    expect(agent.metadata.annotations?.['deprecated.daemonset.template.generation']).toBe('1');
    expect(agent.status?.observedGeneration).toBe(agent.metadata.generation);
    const [pod] = await pods(ns, 'agent');
    // Created for its node by affinity (the scheduler bound it), with the daemon tolerations and labels.
    expect(pod!.spec.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod!.spec.nodeName] }] }] } } });
    expect(pod!.spec.tolerations).toContainEqual({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' });
    expect(pod!.metadata.labels?.['pod-template-generation']).toBe('1');
    expect(pod!.metadata.labels?.['controller-revision-hash']).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    const events = await c.kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=agent', '-o', 'jsonpath={range .items[*]}{.reason} {.source.component}{"\\n"}{end}']);
    expect(events.stdout).toContain('SuccessfulCreate daemonset-controller');
    const describe = await c.kubectl(['describe', 'ds', 'agent', '-n', ns]);
    expect(describe.stdout).toMatch(/Desired Number of Nodes Scheduled: 3\nCurrent Number of Nodes Scheduled: 3\nNumber of Nodes Scheduled with Up-to-date Pods: 3\nNumber of Nodes Scheduled with Available Pods: 3\nNumber of Nodes Misscheduled: 0\nPods Status:\s+3 Running/);

    expect((await c.kubectl(['delete', 'ds', 'tolerant', '-n', ns])).code).toBe(0);

    // An untolerated NoExecute taint: the node may no longer run the pod, which is deleted; untainted, it comes back.
    expect((await c.kubectl(['taint', 'nodes', 'ds-b-0', 'evict=now:NoExecute'])).code).toBe(0);
    await waitFor(() => onePerNode(ns, 'agent', ['ds-a-0', 'ds-a-1']), { timeoutMs: 30_000, intervalMs: 250, description: 'the pod on ds-b-0 deleted' });
    expect((await c.kubectl(['taint', 'nodes', 'ds-b-0', 'evict-'])).code).toBe(0);
    await waitFor(() => onePerNode(ns, 'agent', ['ds-a-0', 'ds-a-1', 'ds-b-0']), { timeoutMs: 30_000, intervalMs: 250, description: 'a pod on ds-b-0 again' });
  }, 150_000);

  it('adds a pod when a node joins', async () => {
    c.startAgent({ nodes: 1, prefix: 'ds-c-', zone: 'us-east-1c' });
    await waitFor(() => onePerNode(ns, 'agent', ['ds-a-0', 'ds-a-1', 'ds-b-0', 'ds-c-0']), { timeoutMs: 60_000, intervalMs: 250, description: 'agent: a pod on the new node ds-c-0' });
  }, 90_000);

  it('replaces a deleted pod', async () => {
    const victim = (await pods(ns, 'agent')).find((p) => p.spec.nodeName === 'ds-a-0')!;
    expect((await c.kubectl(['delete', 'pod', '-n', ns, victim.metadata.name!, '--wait=false'])).code).toBe(0);
    await waitFor(async () => (await pods(ns, 'agent')).some((p) => p.spec.nodeName === 'ds-a-0' && p.metadata.uid !== victim.metadata.uid && ready(p)), { timeoutMs: 60_000, intervalMs: 250, description: 'a new Ready pod on ds-a-0' });
  }, 90_000);

  it('rolls an image update out with at most maxUnavailable pods unavailable; rollout history and undo work', async () => {
    const desired = ['ds-a-0', 'ds-a-1', 'ds-b-0', 'ds-c-0'];
    // Sample the nodes lacking a Ready, non-terminating pod, from a watch of every pod change.
    const current = new Map<string, Pod>();
    let maxUnavailable = 0;
    let samples = 0;
    const watching = new AbortController();
    const watched = (async () => {
      try {
        for await (const ev of c.client<Pod>(GVR_PODS, ns).watch({ labelSelector: 'app=agent', resourceVersion: '0' }, watching.signal)) {
          if (ev.type === 'BOOKMARK') continue;
          if (ev.type === 'DELETED') current.delete(ev.object.metadata.name ?? '');
          else current.set(ev.object.metadata.name ?? '', ev.object);
          const covered = new Set([...current.values()].filter(ready).map((p) => p.spec.nodeName));
          maxUnavailable = Math.max(maxUnavailable, desired.filter((n) => !covered.has(n)).length);
          samples += 1;
        }
      } catch {
        // aborted at the end
      }
    })();
    await waitFor(() => current.size >= desired.length, { timeoutMs: 10_000, description: 'the sampler saw the pods' });
    // Count from here: while the watch delivers its first pods, nodes look uncovered.
    maxUnavailable = 0;

    expect((await c.kubectl(['set', 'image', 'ds/agent', 'agent=nginx:1.28', '-n', ns])).code).toBe(0);
    const status = await c.kubectl(['rollout', 'status', 'ds/agent', '-n', ns, '--timeout=25s']);
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
    expect(status.code).toBe(0);
    await waitFor(async () => (await pods(ns, 'agent')).every((p) => p.spec.containers[0]?.image === 'nginx:1.28' && ready(p)), { timeoutMs: 30_000, description: 'every pod runs nginx:1.28' });
    watching.abort();
    await watched;
    expect(samples).toBeGreaterThan(desired.length * 3);
    expect(maxUnavailable).toBe(1);
    expect((await ds(ns, 'agent')).metadata.annotations?.['deprecated.daemonset.template.generation']).toBe('2');
    expect((await pods(ns, 'agent')).map((p) => p.metadata.labels?.['pod-template-generation'])).toEqual(['2', '2', '2', '2']);

    const history = await c.kubectl(['rollout', 'history', 'ds/agent', '-n', ns]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const first = await c.kubectl(['rollout', 'history', 'ds/agent', '-n', ns, '--revision=1']);
    expect(first.stdout).toContain('nginx:1.27');

    const revisions = await c.kubectl(['get', 'controllerrevisions', '-n', ns]);
    expect(revisions.code).toBe(0);
    expect(revisions.stdout).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE\n/);
    expect(revisions.stdout).toMatch(/agent-\S+\s+daemonset\.apps\/agent\s+2\s/);
    const explain = await c.kubectl(['explain', 'controllerrevisions.revision']);
    expect(explain.stdout).toContain('Revision indicates the revision of the state represented by Data.');

    const undo = await c.kubectl(['rollout', 'undo', 'ds/agent', '-n', ns]);
    expect(undo.stdout).toContain('daemonset.apps/agent rolled back');
    expect((await c.kubectl(['rollout', 'status', 'ds/agent', '-n', ns, '--timeout=25s'])).code).toBe(0);
    await waitFor(async () => {
      const list = await pods(ns, 'agent');
      return list.length === desired.length && list.every((p) => p.spec.containers[0]?.image === 'nginx:1.27' && ready(p));
    }, { timeoutMs: 30_000, description: 'every pod back on nginx:1.27' });
    // The old revision came back as the newest: revisions 2 and 3, two ControllerRevisions.
    const after = await c.kubectl(['rollout', 'history', 'ds/agent', '-n', ns]);
    expect(after.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    // (The deleted `tolerant` DaemonSet's revision stays: no garbage collector runs here.)
    const names = await c.kubectl(['get', 'controllerrevisions', '-n', ns, '-l', 'app=agent', '-o', 'name']);
    expect(names.stdout.trim().split('\n')).toHaveLength(2);
  }, 150_000);

  it('surges: with maxSurge 1 and maxUnavailable 0 every node keeps an available pod and at most one node runs two', async () => {
    const desired = ['ds-a-0', 'ds-a-1', 'ds-b-0', 'ds-c-0'];
    const surge = (image: string): string => {
      // On the host network, as node agents usually are (the daemon tolerations then include network-unavailable).
      const m = JSON.parse(manifest('surge', image, { hostNetwork: true })) as { spec: Record<string, unknown> };
      m.spec['updateStrategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
      return JSON.stringify(m);
    };
    expect((await c.kubectl(['apply', '-f', '-'], surge('nginx:1.27'))).code).toBe(0);
    await waitFor(() => onePerNode(ns, 'surge', desired), { timeoutMs: 60_000, intervalMs: 250, description: 'surge: one Ready pod per node' });
    const current = new Map<string, Pod>();
    let maxUncovered = 0;
    let maxDoubled = 0;
    const watching = new AbortController();
    const watched = (async () => {
      try {
        for await (const ev of c.client<Pod>(GVR_PODS, ns).watch({ labelSelector: 'app=surge', resourceVersion: '0' }, watching.signal)) {
          if (ev.type === 'BOOKMARK') continue;
          if (ev.type === 'DELETED') current.delete(ev.object.metadata.name ?? '');
          else current.set(ev.object.metadata.name ?? '', ev.object);
          if (current.size < desired.length) continue;
          const live = [...current.values()].filter((p) => !p.metadata.deletionTimestamp);
          const covered = new Set(live.filter(ready).map((p) => p.spec.nodeName));
          maxUncovered = Math.max(maxUncovered, desired.filter((n) => !covered.has(n)).length);
          maxDoubled = Math.max(maxDoubled, desired.filter((n) => live.filter((p) => p.spec.nodeName === n || (p.spec.affinity !== undefined && JSON.stringify(p.spec.affinity).includes(`"${n}"`))).length > 1).length);
        }
      } catch {
        // aborted at the end
      }
    })();
    await waitFor(() => current.size >= desired.length, { timeoutMs: 10_000, description: 'the sampler saw the pods' });
    expect((await c.kubectl(['set', 'image', 'ds/surge', 'surge=nginx:1.28', '-n', ns])).code).toBe(0);
    expect((await c.kubectl(['rollout', 'status', 'ds/surge', '-n', ns, '--timeout=25s'])).code).toBe(0);
    await waitFor(async () => {
      const list = await pods(ns, 'surge');
      return list.length === desired.length && list.every((p) => p.spec.containers[0]?.image === 'nginx:1.28' && ready(p));
    }, { timeoutMs: 30_000, description: 'every surge pod on nginx:1.28, the old ones gone' });
    watching.abort();
    await watched;
    expect([maxUncovered, maxDoubled]).toEqual([0, 1]);
    expect((await c.kubectl(['delete', 'ds', 'surge', '-n', ns])).code).toBe(0);
  }, 120_000);

  it('OnDelete: a template change replaces only the pods someone deletes', async () => {
    const m = JSON.parse(manifest('manual', 'nginx:1.27', { hostNetwork: true })) as { spec: Record<string, unknown> };
    m.spec['updateStrategy'] = { type: 'OnDelete' };
    expect((await c.kubectl(['apply', '-f', '-'], JSON.stringify(m))).code).toBe(0);
    const desired = ['ds-a-0', 'ds-a-1', 'ds-b-0', 'ds-c-0'];
    await waitFor(() => onePerNode(ns, 'manual', desired), { timeoutMs: 60_000, intervalMs: 250, description: 'manual: one Ready pod per node' });
    expect((await c.kubectl(['set', 'image', 'ds/manual', 'manual=nginx:1.28', '-n', ns])).code).toBe(0);
    await waitFor(async () => (await ds(ns, 'manual')).status?.observedGeneration === 2, { timeoutMs: 10_000, description: 'the change observed' });
    expect((await ds(ns, 'manual')).status?.updatedNumberScheduled).toBe(0);
    const victim = (await pods(ns, 'manual')).find((p) => p.spec.nodeName === 'ds-b-0')!;
    expect((await c.kubectl(['delete', 'pod', '-n', ns, victim.metadata.name!])).code).toBe(0);
    await waitFor(async () => {
      const list = await pods(ns, 'manual');
      return list.length === desired.length && list.every(ready) && (await ds(ns, 'manual')).status?.updatedNumberScheduled === 1;
    }, { timeoutMs: 30_000, description: 'one replaced pod' });
    const images: Record<string, string | undefined> = Object.fromEntries((await pods(ns, 'manual')).map((p) => [p.spec.nodeName ?? '', p.spec.containers[0]?.image]));
    expect(images).toEqual({ 'ds-a-0': 'nginx:1.27', 'ds-a-1': 'nginx:1.27', 'ds-b-0': 'nginx:1.28', 'ds-c-0': 'nginx:1.27' });
    expect((await c.kubectl(['delete', 'ds', 'manual', '-n', ns])).code).toBe(0);
  }, 120_000);

  it('keeps the template when a client-side-applied DaemonSet is then applied server-side', async () => {
    const hand = manifest('hand', 'nginx:1.27');
    expect((await c.kubectl(['apply', '-f', '-'], hand)).code).toBe(0);
    const ssa = await c.kubectl(['apply', '--server-side', '--field-manager=eks', '-f', '-'], hand);
    expect([ssa.code, ssa.stdout.trim()]).toEqual([0, 'daemonset.apps/hand serverside-applied']);
    const d = await ds(ns, 'hand');
    expect(d.metadata.generation).toBe(1);
    expect(d.spec?.template).toMatchObject({ metadata: { labels: { app: 'hand' } }, spec: { containers: [{ name: 'hand', image: 'nginx:1.27' }] } });
    expect((await c.kubectl(['delete', 'ds', 'hand', '-n', ns])).code).toBe(0);
  }, 60_000);

  it("applies EKS's kube-system addons cleanly; aws-node and kube-proxy run one pod per node", async () => {
    const dir = join(repoRoot, 'infra/lab/addons');
    // As lab-up.sh applies them: server-side, field manager eks.
    const ssa = await c.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=eks', '-f', dir]);
    expect(ssa.stderr).toBe('');
    expect(ssa.code).toBe(0);
    expect(ssa.stdout).toContain('daemonset.apps/aws-node serverside-applied');
    const all = await nodeNames();
    expect(all).toHaveLength(5);
    // Tolerating everything, both run on the tainted node too.
    await waitFor(() => onePerNode('kube-system', 'aws-node', all, 'k8s-app=aws-node').catch(() => false), { timeoutMs: 60_000, intervalMs: 250, description: 'aws-node on every node' });
    await waitFor(() => onePerNode('kube-system', 'kube-proxy', all, 'k8s-app=kube-proxy').catch(() => false), { timeoutMs: 60_000, intervalMs: 250, description: 'kube-proxy on every node' });
    const svc = await c.kubectl(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[*].name}']);
    expect(svc.stdout).toMatch(/^\d+\.\d+\.\d+\.\d+ dns dns-tcp metrics$/);
    expect((await c.kubectl(['get', 'deploy', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('2');

    // Applied again on the running lab, then by hand with client-side apply (kubectl warns that server-side-applied
    // objects lack its last-applied annotation, and adds it), then server-side again: the templates never change.
    expect((await c.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=eks', '-f', dir])).code).toBe(0);
    const csa = await c.kubectl(['apply', '-f', dir]);
    expect(csa.code).toBe(0);
    expect(csa.stdout).toContain('daemonset.apps/aws-node configured');
    // lab-up.sh on the lab again: kubectl first moves the client-side-apply fields to the eks manager.
    const again = await c.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=eks', '-f', dir]);
    expect(again.code).toBe(0);
    for (const name of ['aws-node', 'kube-proxy']) {
      const d = await ds('kube-system', name);
      expect([name, d.metadata.generation, d.metadata.annotations?.['deprecated.daemonset.template.generation']]).toEqual([name, 1, '1']);
    }
    await waitFor(() => onePerNode('kube-system', 'aws-node', all, 'k8s-app=aws-node').catch(() => false), { timeoutMs: 10_000, description: 'aws-node still on every node' });
  }, 150_000);
});
