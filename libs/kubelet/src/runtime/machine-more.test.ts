// Sidecars, activeDeadlineSeconds, startup probes, readiness failing after ready and simulated usage, on a fake clock.
import { describe, expect, it } from 'vitest';
import { ImageCache } from './images.js';
import { cond, Harness, pod, T0 } from './machine.fixture.js';
import type { RuntimePod } from './types.js';

const present = (): ImageCache => {
  const images = new ImageCache();
  for (const i of ['nginx:1.27', 'busybox:1.36', 'envoy:1.30']) images.add(i, 1000);
  return images;
};
const named = (h: Harness) => h.events.map((e) => `${e.reason}${e.fieldPath !== undefined ? ` ${e.fieldPath.replace(/^spec\./, '')}` : ''}`);

describe('runtime — sidecar containers', () => {
  const sidecarPod = (annotations: Record<string, string> = {}, spec: Partial<RuntimePod['spec']> = {}) => pod({
    annotations,
    spec: {
      initContainers: [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' }, { name: 'migrate', image: 'busybox:1.36' }],
      ...spec,
    },
  });

  it('start in order and keep running; the pod counts them as containers to be ready', () => {
    const h = new Harness(sidecarPod(), {}, present());
    expect(h.container('proxy')?.state).toHaveProperty('running');
    expect(h.container('migrate')?.state).toHaveProperty('running');
    expect(h.status.phase).toBe('Pending');
    h.advance(1000); // migrate completes after 1 s
    expect(h.status.phase).toBe('Running');
    expect(h.container('proxy')).toMatchObject({ ready: true, started: true, restartCount: 0 });
    expect(h.status.initContainerStatuses?.map((c) => c.name)).toEqual(['proxy', 'migrate']);
    expect(cond(h.status, 'Initialized')?.status).toBe('True');
    expect(cond(h.status, 'Ready')?.status).toBe('True');
    expect(named(h)).toEqual([
      'Pulled initContainers{proxy}', 'Created initContainers{proxy}', 'Started initContainers{proxy}',
      'Pulled initContainers{migrate}', 'Created initContainers{migrate}', 'Started initContainers{migrate}',
      'Pulled containers{app}', 'Created containers{app}', 'Started containers{app}',
    ]);
  });

  it('an unready sidecar keeps the pod unready and is listed first', () => {
    const h = new Harness(sidecarPod({ 'ekslab.io/ready-after.proxy': '5s', 'ekslab.io/ready-after': '1s' }), {}, present());
    h.advance(2000);
    expect(cond(h.status, 'Ready')).toMatchObject({ status: 'False', message: 'containers with unready status: [proxy]' });
    h.advance(3000);
    expect(cond(h.status, 'Ready')?.status).toBe('True');
  });

  it('a later init container waits for the sidecar\'s startupProbe; Initialized follows it', () => {
    const p = pod({
      annotations: { 'ekslab.io/startup-after.proxy': '3s' },
      spec: { initContainers: [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always', startupProbe: { periodSeconds: 1, failureThreshold: 10 } }] },
    });
    const h = new Harness(p, {}, present());
    expect(h.container('proxy')).toMatchObject({ started: false, ready: false });
    expect(h.container('app')?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(cond(h.status, 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [proxy]' });
    h.advance(3000);
    expect(h.container('proxy')).toMatchObject({ started: true, ready: true });
    expect(cond(h.status, 'Initialized')?.status).toBe('True');
    expect(h.container('app')?.state).toHaveProperty('running');
    expect(h.events.filter((e) => e.reason === 'Unhealthy').map((e) => e.message)).toEqual(Array(3).fill('Startup probe failed: HTTP probe failed with statuscode: 500'));
  });

  it('restart on failure even under restartPolicy Never', () => {
    const h = new Harness(sidecarPod({ 'ekslab.io/crash-after.proxy': '5s' }, { restartPolicy: 'Never' }), { crashLoopInitialMs: 10_000 }, present());
    h.advance(5000);
    expect(h.container('proxy')).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1 } } });
    h.advance(5000);
    expect(h.container('proxy')).toMatchObject({ restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } });
    expect(h.status.phase).toBe('Running');
    h.advance(10_000);
    expect(h.container('proxy')).toMatchObject({ restartCount: 2, state: { running: {} } });
    expect(h.container('app')?.state).toHaveProperty('running');
  });

  it('are stopped after the main containers when the pod completes and do not decide its phase', () => {
    const h = new Harness(sidecarPod({ 'ekslab.io/run-for': '4s' }, { restartPolicy: 'Never' }), {}, present());
    h.advance(1000 + 4000);
    const kills = h.events.filter((e) => e.reason === 'Killing');
    expect(kills.map((e) => [e.fieldPath, e.message])).toEqual([['spec.initContainers{proxy}', 'Stopping container proxy']]);
    h.advance(1000);
    expect(h.status.phase).toBe('Succeeded');
    expect(h.container('proxy')?.state).toMatchObject({ terminated: { exitCode: 0 } });
  });

  it('are stopped after the main containers on deletion, in reverse order', () => {
    const p = pod({ spec: { initContainers: [
      { name: 'a', image: 'envoy:1.30', restartPolicy: 'Always' }, { name: 'b', image: 'envoy:1.30', restartPolicy: 'Always' },
    ] } });
    const h = new Harness(p, {}, present());
    h.advance(1000);
    h.rt.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(h.now).toISOString(), deletionGracePeriodSeconds: 30 } }, h.now);
    h.advance(5000);
    const kills = h.events.filter((e) => e.reason === 'Killing');
    expect(kills.map((e) => [e.fieldPath, e.at - kills[0]!.at])).toEqual([
      ['spec.containers{app}', 0], ['spec.initContainers{b}', 1000], ['spec.initContainers{a}', 2000],
    ]);
    expect(h.calls.at(-1)).toBe('delete');
  });
});

describe('runtime — activeDeadlineSeconds', () => {
  it('fails the pod with DeadlineExceeded after killing its containers', () => {
    const h = new Harness(pod({ spec: { activeDeadlineSeconds: 30 } }), {}, present());
    h.advance(29_000);
    expect(h.status.phase).toBe('Running');
    h.advance(1000);
    expect(h.events.slice(-2).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline'],
      ['Normal', 'Killing', 'Stopping container app'],
    ]);
    expect(h.status).toMatchObject({ phase: 'Running', reason: 'DeadlineExceeded' });
    h.advance(1000);
    expect(h.status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    expect(h.container()?.state).toMatchObject({ terminated: { exitCode: 0 } });
    expect(cond(h.status, 'Ready')?.status).toBe('False');
    expect(h.calls).toEqual(['addNetwork', 'delNetwork']);
    expect(h.rt.nextWake()).toBeUndefined();
  });

  it('does not restart crashed containers afterwards, and a completed pod is not touched', () => {
    const h = new Harness(pod({ annotations: { 'ekslab.io/run-for': '5s' }, spec: { activeDeadlineSeconds: 10, restartPolicy: 'Never' } }), {}, present());
    h.advance(20_000);
    expect(h.status.phase).toBe('Succeeded');
    expect(h.reasons()).not.toContain('DeadlineExceeded');
  });
});

describe('runtime — startup probe', () => {
  const probe = { initialDelaySeconds: 2, periodSeconds: 5, failureThreshold: 3 };

  it('holds readiness and liveness until it succeeds', () => {
    const h = new Harness(pod({
      annotations: { 'ekslab.io/startup-after': '10s', 'ekslab.io/liveness-fail-after': '1s' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', startupProbe: probe, livenessProbe: { failureThreshold: 1 } }] },
    }), {}, present());
    expect(h.container()).toMatchObject({ started: false, ready: false });
    h.advance(11_000); // runs at 2 s, 7 s fail; 12 s succeeds
    expect(h.container()).toMatchObject({ started: false, ready: false });
    expect(h.reasons().filter((r) => r === 'Unhealthy')).toHaveLength(2);
    expect(h.reasons()).not.toContain('Killing');
    h.advance(1000);
    expect(h.container()).toMatchObject({ started: true, ready: true });
    expect(cond(h.status, 'Ready')?.status).toBe('True');
    // Liveness (due at 1 s) only runs once started.
    expect(h.events.at(-1)).toMatchObject({ reason: 'Killing', message: 'Container app failed liveness probe, will be restarted', at: T0 + 12_000 });
  });

  it('defaults to succeeding at its first run (initialDelaySeconds)', () => {
    const h = new Harness(pod({ spec: { containers: [{ name: 'app', image: 'nginx:1.27', startupProbe: probe }] } }), {}, present());
    h.advance(1999);
    expect(h.container()?.started).toBe(false);
    h.advance(1);
    expect(h.container()).toMatchObject({ started: true, ready: true });
    expect(h.reasons()).not.toContain('Unhealthy');
  });

  it('failing beyond failureThreshold kills and restarts the container', () => {
    const h = new Harness(pod({
      annotations: { 'ekslab.io/startup-after': '1h' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', startupProbe: { ...probe, tcpSocket: { port: 8080 } } }] },
    }), { terminateAfterMs: 500 }, present());
    h.advance(12_000); // runs at 2, 7, 12 s
    const tail = h.events.slice(-4).map((e) => [e.reason, e.message, e.at - T0]);
    expect(tail).toEqual([
      ['Unhealthy', 'Startup probe failed: dial tcp 10.0.1.5:8080: connect: connection refused', 2000],
      ['Unhealthy', 'Startup probe failed: dial tcp 10.0.1.5:8080: connect: connection refused', 7000],
      ['Unhealthy', 'Startup probe failed: dial tcp 10.0.1.5:8080: connect: connection refused', 12_000],
      ['Killing', 'Container app failed startup probe, will be restarted', 12_000],
    ]);
    h.advance(500);
    expect(h.container()).toMatchObject({ restartCount: 1, started: false, lastState: { terminated: { exitCode: 137 } } });
  });
});

describe('runtime — readiness failing after ready', () => {
  it('turns the container unready after failureThreshold failures without restarting it, and back (unready-for)', () => {
    const h = new Harness(pod({
      annotations: { 'ekslab.io/unready-after': '20s', 'ekslab.io/unready-for': '25s' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', readinessProbe: { periodSeconds: 5, failureThreshold: 3, httpGet: { path: '/healthz', port: 80 } } }] },
    }), {}, present());
    expect(cond(h.status, 'Ready')?.status).toBe('True');
    h.advance(25_000); // failures at 20, 25 s
    expect(h.container()?.ready).toBe(true);
    h.advance(5000); // third failure at 30 s
    expect(h.container()).toMatchObject({ ready: false, restartCount: 0, state: { running: {} } });
    expect(cond(h.status, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(cond(h.status, 'ContainersReady')?.status).toBe('False');
    expect(h.events.filter((e) => e.reason === 'Unhealthy').map((e) => [e.type, e.message])).toEqual(
      Array(3).fill(['Warning', 'Readiness probe failed: HTTP probe failed with statuscode: 500']));
    expect(h.reasons()).not.toContain('Killing');
    h.advance(15_000); // 35, 40 fail; 45 s recovers
    expect(h.container()?.ready).toBe(true);
    expect(cond(h.status, 'Ready')?.status).toBe('True');
    expect(h.reasons().filter((r) => r === 'Unhealthy')).toHaveLength(5);
    expect(h.rt.nextWake()).toBeUndefined();
  });
});

describe('runtime — simulated usage', () => {
  it('counts CPU at the annotated rate while running, across restarts', () => {
    const h = new Harness(pod({ annotations: { 'ekslab.io/cpu-millicores': '250', 'ekslab.io/memory-mib': '64', 'ekslab.io/crash-after': '4s' } }), {}, present());
    const c = h.rt.containers[0]!;
    expect(c.behaviour).toMatchObject({ cpuMillicores: 250, memoryMib: 64 });
    h.advance(2000);
    expect(c.cpuSeconds(h.now)).toBeCloseTo(0.5);
    h.advance(2000);
    expect(c.cpuSeconds(h.now)).toBe(0);
    expect(c.cpuRetiredSeconds).toBeCloseTo(1);
  });

  it('defaults to 1m CPU and 8 MiB', () => {
    const h = new Harness(pod(), {}, present());
    expect(h.rt.containers[0]!.behaviour).toMatchObject({ cpuMillicores: 1, memoryMib: 8 });
  });
});
