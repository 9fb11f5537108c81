import { objectKey, type KubeObject, type ResourceClient } from '@ekslab/client';
import { waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerCluster, type ControllerCluster } from './controller-fixture.js';

// The ReplicaSet and Deployment controllers of the built controller-manager, with the built scheduler and
// three kubelet agents (one per zone) running the pods, driven by real kubectl 1.33: spreading, rolling
// updates within maxSurge / maxUnavailable (checked on every pod event of a watch), rollback with
// `rollout undo`, history, restart, pause / resume, scaling through 0, Recreate, the progress deadline,
// and a ReplicaSet topped up after pods are deleted by hand — counted, never duplicated.
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' };
const EVENTS = { group: '', version: 'v1', resource: 'events' };
const ns = 'workloads';
const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

interface Condition { type: string; status: string; reason?: string; message?: string }
interface Pod extends KubeObject {
  metadata: KubeObject['metadata'] & { ownerReferences?: { uid: string; controller?: boolean }[] };
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; conditions?: Condition[] };
}
interface ReplicaSet extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number; ownerReferences?: { uid: string }[] };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; fullyLabeledReplicas?: number; observedGeneration?: number };
}
interface Deployment extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec: { replicas: number; paused?: boolean; template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: { image: string }[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; unavailableReplicas?: number; conditions?: Condition[] };
}
interface Event extends KubeObject { reason?: string; message?: string; involvedObject?: { name?: string }; source?: { component?: string } }

let c: ControllerCluster;
const s = (): AbortSignal => AbortSignal.timeout(10_000);
const pods = (): ResourceClient<Pod> => c.client<Pod>(PODS, ns);
const deployments = (): ResourceClient<Deployment> => c.client<Deployment>(DEPLOY, ns);
const replicaSets = (): ResourceClient<ReplicaSet> => c.client<ReplicaSet>(RS, ns);

const isReady = (p: Pod): boolean => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
const isActive = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const cond = (d: Deployment | undefined, type: string): Condition | undefined => d?.status?.conditions?.find((x) => x.type === type);

async function kubectlOk(args: readonly string[], input?: string): Promise<string> {
  const r = await c.kubectl(['-n', ns, ...args], input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} → ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Watches the namespace's pods (from a complete list, so every state it judges is whole) and keeps, after
 * every event, the most active pods and the fewest available ones (ready and not terminating) among the
 * pods `select` picks, and every pod name it ever saw.
 */
function podSampler(select: (p: Pod) => boolean) {
  const live = new Map<string, Pod>();
  const seen = new Set<string>();
  // mixed: active pods of two templates (pod-template-hash) existed at once.
  const stats = { maxActive: 0, minAvailable: Number.POSITIVE_INFINITY, events: 0, mixed: false };
  const abort = new AbortController();
  const measure = (): void => {
    const mine = [...live.values()].filter(select);
    stats.maxActive = Math.max(stats.maxActive, mine.filter(isActive).length);
    stats.minAvailable = Math.min(stats.minAvailable, mine.filter((p) => isActive(p) && isReady(p)).length);
    if (new Set(mine.filter(isActive).map((p) => p.metadata.labels?.['pod-template-hash'])).size > 1) stats.mixed = true;
  };
  const ready = (async () => {
    const list = await pods().listAll({}, s());
    for (const p of list.items) {
      live.set(objectKey(p), p);
      if (select(p)) seen.add(objectKey(p));
    }
    measure();
    return list.resourceVersion;
  })();
  const done = (async () => {
    const rv = await ready;
    try {
      for await (const ev of pods().watch({ resourceVersion: rv }, abort.signal)) {
        if (ev.type === 'BOOKMARK') continue;
        const key = objectKey(ev.object);
        if (ev.type === 'DELETED') live.delete(key);
        else live.set(key, ev.object);
        if (select(ev.object)) seen.add(key);
        stats.events += 1;
        measure();
      }
    } catch {
      // aborted by stop()
    }
  })();
  return {
    stats, seen, ready,
    stop: async (): Promise<void> => {
      abort.abort();
      await done;
    },
  };
}

const manifest = (name: string, replicas: number, extra: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: {
    replicas, selector: { matchLabels: { app: name } }, ...extra,
    template: {
      metadata: { labels: { app: name } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m' } } }], ...podSpec },
    },
  },
});

async function deployment(name: string): Promise<Deployment> {
  return deployments().get(name, { signal: s() });
}

async function setsOf(d: Deployment): Promise<ReplicaSet[]> {
  const all = await replicaSets().listAll({}, s());
  return all.items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid));
}

async function rolledOut(name: string): Promise<void> {
  const out = await kubectlOk(['rollout', 'status', `deployment/${name}`, '--timeout=25s']);
  expect(out).toContain(`deployment "${name}" successfully rolled out`);
}

beforeAll(async () => {
  c = await startControllerCluster();
  c.startScheduler();
  zones.forEach((zone, i) => c.startAgent({ nodes: 2, prefix: `wl-${zone.slice(-1)}-`, zone, offset: i * 2 }));
  c.startControllerManager(['replicaset-controller', 'deployment-controller']);
  expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
  await waitFor(async () => (await c.client(NODES).listAll({}, s())).items.length === 6, { timeoutMs: 60_000, intervalMs: 300, description: 'six nodes registered' });
}, 120_000);

afterAll(async () => {
  await c?.dispose();
});

describe('Deployment', () => {
  it('a 10-replica Deployment becomes available, spread over the three zones, with kube\'s ReplicaSet, labels, annotations and events', async () => {
    await kubectlOk(['apply', '-f', '-'], manifest('web', 10, { revisionHistoryLimit: 2 }));
    await rolledOut('web');
    const d = await deployment('web');
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 10, updatedReplicas: 10, readyReplicas: 10, availableReplicas: 10 });
    expect(d.status?.unavailableReplicas ?? 0).toBe(0);
    expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    const [rs, ...others] = await setsOf(d);
    expect(others).toHaveLength(0);
    const hash = rs!.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs!.metadata.name).toBe(`web-${hash}`);
    expect(rs!.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13',
    });
    expect(rs!.status).toMatchObject({ replicas: 10, fullyLabeledReplicas: 10, readyReplicas: 10, availableReplicas: 10, observedGeneration: rs!.metadata.generation });

    const running = (await pods().listAll({ labelSelector: 'app=web' }, s())).items;
    expect(running).toHaveLength(10);
    expect(running.every((p) => p.metadata.labels?.['pod-template-hash'] === hash)).toBe(true);
    const nodes = new Map((await c.client(NODES).listAll({}, s())).items.map((n) => [n.metadata.name, n.metadata.labels?.['topology.kubernetes.io/zone']]));
    const perZone = new Map<string, number>();
    for (const p of running) perZone.set(nodes.get(p.spec.nodeName) ?? '?', (perZone.get(nodes.get(p.spec.nodeName) ?? '?') ?? 0) + 1);
    expect([...perZone.keys()].sort()).toEqual(zones);
    expect(Math.max(...perZone.values()) - Math.min(...perZone.values())).toBeLessThanOrEqual(2);

    const events = (await c.client<Event>(EVENTS, ns).listAll({}, s())).items;
    expect(events).toContainEqual(expect.objectContaining({ reason: 'ScalingReplicaSet', message: `Scaled up replica set web-${hash} from 0 to 10`, source: { component: 'deployment-controller' } }));
    expect(events.filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject?.name === `web-${hash}`).length).toBeGreaterThan(0);
  }, 90_000);

  it('kubectl set image rolls within maxSurge 3 and maxUnavailable 2 (25 % of 10) on every pod event; rollout status succeeds', async () => {
    const sampler = podSampler((p) => p.metadata.labels?.['app'] === 'web');
    await sampler.ready;
    await kubectlOk(['set', 'image', 'deployment/web', 'web=nginx:1.28']);
    await kubectlOk(['annotate', 'deployment/web', 'kubernetes.io/change-cause=image 1.28']);
    await rolledOut('web');
    // The old pods finish terminating, so the last events are in too.
    await waitFor(async () => (await pods().listAll({ labelSelector: 'app=web' }, s())).items.length === 10, { timeoutMs: 20_000, intervalMs: 200, description: 'old pods gone' });
    await sampler.stop();
    expect(sampler.stats.maxActive).toBeGreaterThan(10); // the surge was used (the sampler saw the rollout)
    expect(sampler.stats.maxActive).toBeLessThanOrEqual(13);
    expect(sampler.stats.minAvailable).toBeGreaterThanOrEqual(8);

    const d = await deployment('web');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const sets = await setsOf(d);
    expect(sets).toHaveLength(2);
    const next = sets.find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1.28')!;
    const prev = sets.find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1.27')!;
    expect(next.spec.replicas).toBe(10);
    expect(prev.spec.replicas).toBe(0);
    expect(next.metadata.annotations?.['kubernetes.io/change-cause']).toBe('image 1.28');
    const events = (await c.client<Event>(EVENTS, ns).listAll({}, s())).items.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    expect(events).toContain(`Scaled up replica set ${next.metadata.name ?? ''} from 0 to 3`);
    expect(events).toContain(`Scaled down replica set ${prev.metadata.name ?? ''} from 10 to 8`);
    const live = (await pods().listAll({ labelSelector: 'app=web' }, s())).items;
    expect(live.every((p) => p.spec.containers[0]!.image === 'nginx:1.28')).toBe(true);
  }, 90_000);

  it('rollout undo restores the previous template (its ReplicaSet becomes revision 3); rollout history lists the revisions', async () => {
    const before = await setsOf(await deployment('web'));
    const original = before.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
    const out = await kubectlOk(['rollout', 'undo', 'deployment/web']);
    expect(out).toContain('deployment.apps/web rolled back');
    await rolledOut('web');
    const d = await deployment('web');
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const after = await setsOf(d);
    expect(after).toHaveLength(2); // the original set came back; nothing new was created
    const back = after.find((rs) => rs.metadata.uid === original.metadata.uid)!;
    expect(back.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(back.spec.replicas).toBe(10);
    // The 1.28 pods finish terminating; then only the original template's pods are left.
    await waitFor(async () => {
      const live = (await pods().listAll({ labelSelector: 'app=web' }, s())).items;
      return live.length === 10 && live.every((p) => p.spec.containers[0]!.image === 'nginx:1.27' && p.metadata.labels?.['pod-template-hash'] === back.metadata.labels?.['pod-template-hash']);
    }, { timeoutMs: 20_000, intervalMs: 200, description: 'only pods of the original template' });

    const history = await kubectlOk(['rollout', 'history', 'deployment/web']);
    expect(history.split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(expect.arrayContaining(['2', '3']));
    expect(history).toMatch(/^2\s+image 1\.28$/m);
    expect(await kubectlOk(['rollout', 'history', 'deployment/web', '--revision=2'])).toContain('nginx:1.28');
  }, 90_000);

  it('rollout restart rolls every pod onto a new ReplicaSet; revisionHistoryLimit 2 deletes the oldest unused set', async () => {
    const old = new Set((await pods().listAll({ labelSelector: 'app=web' }, s())).items.map((p) => p.metadata.name));
    expect(await kubectlOk(['rollout', 'restart', 'deployment/web'])).toContain('deployment.apps/web restarted');
    await rolledOut('web');
    const d = await deployment('web');
    expect(d.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('4');
    await waitFor(async () => {
      const live = (await pods().listAll({ labelSelector: 'app=web' }, s())).items;
      return live.length === 10 && live.every((p) => !old.has(p.metadata.name));
    }, { timeoutMs: 20_000, intervalMs: 200, description: 'every pod replaced' });
    // Revisions 4 (new), 3 and 2 (kept: limit 2): three sets. Then one more rollout drops revision 2.
    expect((await setsOf(d)).map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort()).toEqual(['2', '3', '4']);
  }, 90_000);

  it('pause holds a template change back (DeploymentPaused); resume rolls it out (DeploymentResumed), and history is trimmed', async () => {
    expect(await kubectlOk(['rollout', 'pause', 'deployment/web'])).toContain('deployment.apps/web paused');
    await waitFor(async () => cond(await deployment('web'), 'Progressing')?.reason === 'DeploymentPaused', { timeoutMs: 15_000, intervalMs: 200, description: 'DeploymentPaused' });
    expect(cond(await deployment('web'), 'Progressing')).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    await kubectlOk(['set', 'image', 'deployment/web', 'web=nginx:1.29']);
    // Once the controller has seen the change (observedGeneration), no new set may exist.
    await waitFor(async () => {
      const d = await deployment('web');
      return (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
    }, { timeoutMs: 15_000, intervalMs: 200, description: 'paused change observed' });
    expect((await setsOf(await deployment('web'))).some((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1.29')).toBe(false);
    const undo = await c.kubectl(['-n', ns, 'rollout', 'undo', 'deployment/web']);
    expect(undo.code).not.toBe(0);
    expect(undo.stderr).toContain('you cannot rollback a paused deployment; resume it first');

    expect(await kubectlOk(['rollout', 'resume', 'deployment/web'])).toContain('deployment.apps/web resumed');
    await rolledOut('web');
    const d = await deployment('web');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const live = (await pods().listAll({ labelSelector: 'app=web' }, s())).items.filter(isActive);
    expect(live.every((p) => p.spec.containers[0]!.image === 'nginx:1.29')).toBe(true);
    await waitFor(async () => (await setsOf(d)).map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort().join() === '3,4,5',
      { timeoutMs: 15_000, intervalMs: 300, description: 'revision 2 cleaned up' });
  }, 90_000);

  it('scales 10 → 0 → 10', async () => {
    await kubectlOk(['scale', 'deployment/web', '--replicas=0']);
    await waitFor(async () => {
      const d = await deployment('web');
      return (d.status?.replicas ?? 0) === 0 && (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
        && (await pods().listAll({ labelSelector: 'app=web' }, s())).items.length === 0;
    }, { timeoutMs: 30_000, intervalMs: 300, description: 'scaled to 0, pods gone' });
    expect(cond(await deployment('web'), 'Available')?.status).toBe('True');
    await kubectlOk(['scale', 'deployment/web', '--replicas=10']);
    await rolledOut('web');
    const d = await deployment('web');
    expect(d.status).toMatchObject({ replicas: 10, availableReplicas: 10, updatedReplicas: 10 });
    expect((await pods().listAll({ labelSelector: 'app=web' }, s())).items.filter(isActive)).toHaveLength(10);
    const events = (await c.client<Event>(EVENTS, ns).listAll({}, s())).items.map((e) => e.message ?? '');
    expect(events.some((m) => /^Scaled down replica set web-\w+ from 10 to 0$/.test(m))).toBe(true);
    expect(events.some((m) => /^Scaled up replica set web-\w+ from 0 to 10$/.test(m))).toBe(true);
  }, 90_000);

  it('Recreate: no new pod runs while an old one is active', async () => {
    await kubectlOk(['apply', '-f', '-'], manifest('batch', 3, { strategy: { type: 'Recreate' } }));
    await rolledOut('batch');
    const first = (await setsOf(await deployment('batch')))[0]!;
    const sampler = podSampler((p) => p.metadata.labels?.['app'] === 'batch');
    await sampler.ready;
    await kubectlOk(['set', 'image', 'deployment/batch', 'web=nginx:1.28']);
    await rolledOut('batch');
    await sampler.stop();
    expect(sampler.stats.events).toBeGreaterThan(0);
    expect(sampler.stats.mixed).toBe(false);
    expect(sampler.stats.minAvailable).toBe(0); // Recreate takes everything down first
    const sets = await setsOf(await deployment('batch'));
    expect(sets.find((rs) => rs.metadata.uid === first.metadata.uid)?.spec.replicas).toBe(0);
  }, 90_000);

  it('reports ProgressDeadlineExceeded when a rollout makes no progress; rollout status fails with kubectl\'s message', async () => {
    await kubectlOk(['apply', '-f', '-'], manifest('stuck', 2, { progressDeadlineSeconds: 3 }, { nodeSelector: { 'ekslab.test/no-such-node': 'x' } }));
    await waitFor(async () => cond(await deployment('stuck'), 'Progressing')?.reason === 'ProgressDeadlineExceeded', { timeoutMs: 20_000, intervalMs: 300, description: 'deadline exceeded' });
    const d = await deployment('stuck');
    const rs = (await setsOf(d))[0]!;
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'False', message: `ReplicaSet "${rs.metadata.name ?? ''}" has timed out progressing.` });
    expect(cond(d, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    const r = await c.kubectl(['-n', ns, 'rollout', 'status', 'deployment/stuck', '--timeout=10s']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployment "stuck" exceeded its progress deadline');
  }, 60_000);
});

describe('ReplicaSet', () => {
  it('tops up pods deleted by hand exactly and scales down exactly: no duplicates, every pod counted', async () => {
    const rsManifest = JSON.stringify({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'plain', namespace: ns },
      spec: {
        replicas: 5, selector: { matchLabels: { app: 'plain' } },
        template: { metadata: { labels: { app: 'plain' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36' }] } },
      },
    });
    const sampler = podSampler((p) => p.metadata.labels?.['app'] === 'plain');
    await sampler.ready;
    await kubectlOk(['apply', '-f', '-'], rsManifest);
    const readyAll = async (): Promise<boolean> => {
      const rs = await replicaSets().get('plain', { signal: s() });
      return rs.status?.readyReplicas === 5 && rs.status.availableReplicas === 5 && rs.status.observedGeneration === rs.metadata.generation;
    };
    await waitFor(readyAll, { timeoutMs: 30_000, intervalMs: 300, description: '5 ready' });
    const victims = (await pods().listAll({ labelSelector: 'app=plain' }, s())).items.slice(0, 2).map((p) => p.metadata.name ?? '');
    await kubectlOk(['delete', 'pod', ...victims, '--wait=false']);
    await waitFor(async () => {
      const live = (await pods().listAll({ labelSelector: 'app=plain' }, s())).items;
      return live.length === 5 && live.every(isReady) && !live.some((p) => victims.includes(p.metadata.name ?? ''));
    }, { timeoutMs: 30_000, intervalMs: 300, description: 'topped up to 5 ready' });
    await waitFor(readyAll, { timeoutMs: 10_000, intervalMs: 300, description: 'status caught up' });
    expect(sampler.stats.maxActive).toBe(5);
    expect(sampler.seen.size).toBe(7); // 5, then exactly the 2 replacements
    const rs = await replicaSets().get('plain', { signal: s() });
    expect(rs.status).toMatchObject({ replicas: 5, fullyLabeledReplicas: 5, readyReplicas: 5, availableReplicas: 5 });

    // Scaling down through the scale subresource deletes exactly 2 and creates nothing.
    await kubectlOk(['scale', 'rs/plain', '--replicas=3']);
    await waitFor(async () => {
      const cur = await replicaSets().get('plain', { signal: s() });
      return cur.status?.replicas === 3 && cur.status.observedGeneration === cur.metadata.generation
        && (await pods().listAll({ labelSelector: 'app=plain' }, s())).items.length === 3;
    }, { timeoutMs: 20_000, intervalMs: 300, description: 'scaled to 3' });
    await sampler.stop();
    expect(sampler.seen.size).toBe(7);
    const events = (await c.client<Event>(EVENTS, ns).listAll({}, s())).items.filter((e) => e.involvedObject?.name === 'plain');
    const count = (reason: string): number => events.filter((e) => e.reason === reason).reduce((n, e) => n + ((e as Event & { count?: number }).count ?? 1), 0);
    expect(count('SuccessfulCreate')).toBe(7);
    expect(count('SuccessfulDelete')).toBe(2);
  }, 60_000);
});
