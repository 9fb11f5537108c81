import { FakeClock, settle } from '@ekslab/client';
import { createLogger } from '@ekslab/runtime';
import { describe, expect, it } from 'vitest';
import { NamespaceController } from './controller.js';
import { NamespacedResourcesDeleter } from './deleter.js';
import { CONFIGMAPS, FakeCluster, PODS } from './fake-cluster.test-helper.js';

const T0 = Date.parse('2026-11-22T04:00:00Z');
const log = createLogger('test', 'fatal', { write: () => undefined });

async function until(clock: FakeClock, cond: () => boolean, stepMs = 100, maxSteps = 500): Promise<void> {
  for (let i = 0; i < maxSteps && !cond(); i++) {
    await settle();
    await clock.advance(stepMs);
  }
  expect(cond()).toBe(true);
}

function setup() {
  const clock = new FakeClock(T0);
  const cluster = new FakeCluster(() => clock.now());
  const controller = new NamespaceController({
    namespaces: cluster.watcher, deleter: new NamespacedResourcesDeleter(cluster, cluster, clock), workers: 2, resyncPeriodMs: 300_000, log, clock,
  });
  return { clock, cluster, controller };
}

describe('NamespaceController', () => {
  it('controller — a namespace deleted while it runs is emptied and finalized; live ones are untouched', async () => {
    const { clock, cluster, controller } = setup();
    cluster.createNamespace('live');
    cluster.createNamespace('x');
    cluster.put(CONFIGMAPS, { metadata: { name: 'a', namespace: 'x' } });
    cluster.put(CONFIGMAPS, { metadata: { name: 'b', namespace: 'live' } });
    const stop = new AbortController();
    const running = controller.start(stop.signal);
    await settle();
    cluster.deleteNamespace('x');
    await until(clock, () => cluster.namespace('x') === undefined);
    expect(cluster.objects(CONFIGMAPS, 'x')).toEqual([]);
    expect(cluster.namespace('live')).toBeDefined();
    expect(cluster.objects(CONFIGMAPS, 'live')).toHaveLength(1);
    stop.abort();
    await running;
  });

  it('controller — while pods terminate the key comes back after half the estimate', async () => {
    const { clock, cluster, controller } = setup();
    cluster.createNamespace('x');
    cluster.put(PODS, { metadata: { name: 'p', namespace: 'x' }, spec: { nodeName: 'n', terminationGracePeriodSeconds: 10 }, status: { phase: 'Running' } } as never);
    cluster.deleteNamespace('x');
    const stop = new AbortController();
    const running = controller.start(stop.signal);
    await until(clock, () => cluster.calls.includes('deletecollection pods'));
    const passes = (): number => cluster.calls.filter((c) => c === 'deletecollection pods').length;
    // The first pass's condition update comes back through the informer: one more pass at once, which
    // writes nothing new.
    await clock.advance(500);
    const early = passes();
    expect(early).toBeLessThanOrEqual(2);
    cluster.kubeletRemovesTerminatingPods();
    // Nothing about pods is watched: the next pass comes from the requeue, 5 s (10 s / 2) later.
    await clock.advance(4_000);
    expect(passes()).toBe(early);
    expect(cluster.namespace('x')).toBeDefined();
    await until(clock, () => cluster.namespace('x') === undefined, 100, 20);
    expect(clock.now() - T0).toBeGreaterThanOrEqual(5_000);
    expect(passes()).toBe(early + 1);
    stop.abort();
    await running;
  });

  it('controller — stops (start resolves) when its signal aborts, as when leadership is lost', async () => {
    const { cluster, controller } = setup();
    cluster.createNamespace('x');
    const stop = new AbortController();
    const running = controller.start(stop.signal);
    await settle();
    stop.abort(new Error('lost leadership'));
    await expect(running).resolves.toBeUndefined();
    // A later delete is not acted on by the stopped controller.
    cluster.deleteNamespace('x');
    await settle();
    expect(cluster.namespace('x')?.spec?.finalizers).toEqual(['kubernetes']);
  });
});
