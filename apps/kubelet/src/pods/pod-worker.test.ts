import { describe, expect, it } from 'vitest';
import { ApiError, FakeClock, type KubeObject } from '@ekslab/client';
import { ImageCache, defaultRuntimeTiming } from '@ekslab/kubelet';
import { Status } from '@ekslab/proto';
import { createLogger } from '@ekslab/runtime';
import { Scheduler } from '../scheduler.js';
import type { CniPort, SandboxRef } from './cni.js';
import type { PodApi, PodRef } from './pod-api.js';
import { PodWorker, type ApiPod } from './pod-worker.js';

const T0 = 1_700_000_000_000;

/** Records every call with the fake clock's time. */
class FakeApi implements PodApi {
  readonly statuses: Array<{ at: number; status: Record<string, unknown> }> = [];
  readonly events: KubeObject[] = [];
  readonly patchedEvents: object[] = [];
  readonly deletes: Array<{ at: number; pod: PodRef }> = [];
  failStatus = 0;
  constructor(private readonly clock: FakeClock) {}
  patchStatus(_pod: PodRef, status: object): Promise<void> {
    if (this.failStatus > 0) {
      this.failStatus--;
      return Promise.reject(new ApiError(Status.create({ code: 500, reason: 'InternalError', message: 'injected' })));
    }
    this.statuses.push({ at: this.clock.now(), status: JSON.parse(JSON.stringify(status)) as Record<string, unknown> });
    return Promise.resolve();
  }
  deletePod(pod: PodRef): Promise<boolean> {
    this.deletes.push({ at: this.clock.now(), pod });
    return Promise.resolve(true);
  }
  createEvent(event: KubeObject): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
  patchEvent(_ns: string, _name: string, patch: object): Promise<void> {
    this.patchedEvents.push(patch);
    return Promise.resolve();
  }
}

class FakeCni implements CniPort {
  readonly calls: string[] = [];
  pool = ['10.0.1.20'];
  add(s: SandboxRef): Promise<string | undefined> {
    this.calls.push(`add ${s.node} ${s.namespace}/${s.pod}`);
    return Promise.resolve(this.pool.shift());
  }
  del(s: SandboxRef): Promise<void> {
    this.calls.push(`del ${s.node} ${s.namespace}/${s.pod}`);
    return Promise.resolve();
  }
  close(): void {}
}

function setup(pod: ApiPod) {
  const clock = new FakeClock(T0);
  const api = new FakeApi(clock);
  const cni = new FakeCni();
  const ctl = new AbortController();
  const scheduler = new Scheduler<() => Promise<number | undefined>>({ clock, concurrency: 4, run: (run) => run() });
  const done = scheduler.run(ctl.signal);
  const worker = new PodWorker(pod, { name: 'n1', ip: '10.0.0.10', api, images: new ImageCache() }, {
    cni, clock, timing: { ...defaultRuntimeTiming, pullBytesPerSecond: 1e12 }, log: createLogger('kubelet-test', 'fatal'),
    schedule: (at, run) => scheduler.schedule(at, run), signal: ctl.signal, initialBackoffMs: 200, maxBackoffMs: 7_000,
  });
  worker.wake(clock.now());
  return { clock, api, cni, worker, stop: async () => { ctl.abort(); await done; } };
}

const pod: ApiPod = {
  metadata: { name: 'web', namespace: 'default', uid: 'uid-1', resourceVersion: '5' },
  spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'nginx:1.27' }] },
  status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2023-11-14T22:00:00Z' }] },
};

describe('PodWorker', () => {
  it('writes status as it changes and events as the node; ends Running and Ready', async () => {
    const { clock, api, cni, stop } = setup(pod);
    await clock.advance(1_000);
    expect(cni.calls).toEqual(['add n1 default/web']);
    const phases = api.statuses.map((s) => [s.at - T0, s.status['phase'], s.status['podIP'] ?? null]);
    expect(phases).toEqual([[0, 'Pending', null], [0, 'Pending', '10.0.1.20'], [1, 'Running', '10.0.1.20']]);
    const last = api.statuses.at(-1)!.status as { conditions: Array<{ type: string; status: string; lastTransitionTime: string }>; hostIP: string };
    expect(last.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    // the scheduler's transition time is kept
    expect(last.conditions.at(-1)).toMatchObject({ lastTransitionTime: '2023-11-14T22:00:00Z' });
    expect(last.hostIP).toBe('10.0.0.10');
    expect(api.events.map((e) => (e as unknown as { reason: string }).reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(api.events[0]).toMatchObject({
      source: { component: 'kubelet', host: 'n1' }, reportingComponent: 'kubelet', reportingInstance: 'n1',
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'uid-1', fieldPath: 'spec.containers{app}' }, count: 1,
    });
    // Nothing changes any more: no further writes.
    const writes = api.statuses.length;
    await clock.advance(60_000);
    expect(api.statuses).toHaveLength(writes);
    await stop();
  });

  it('a failed status write backs off (200 ms doubling) and is retried', async () => {
    const { clock, api, stop } = setup(pod);
    api.failStatus = 3;
    await clock.advance(0);
    expect(api.statuses).toEqual([]);
    await clock.advance(199);
    expect(api.statuses).toEqual([]);
    await clock.advance(1_400);
    // retries at 200, 600, 1400 ms; the third succeeds
    expect(api.statuses[0]!.at - T0).toBe(1_400);
    await stop();
  });

  it('deletion: Killing, the terminated status, DelNetwork, then the delete with the uid', async () => {
    const { clock, api, cni, worker, stop } = setup(pod);
    await clock.advance(1_000);
    worker.update({ ...pod, metadata: { ...pod.metadata, resourceVersion: '9', deletionTimestamp: new Date(T0 + 31_000).toISOString(), deletionGracePeriodSeconds: 30 } });
    await clock.advance(999);
    expect(api.deletes).toEqual([]);
    await clock.advance(1);
    expect(cni.calls).toEqual(['add n1 default/web', 'del n1 default/web']);
    expect(api.deletes.map((d) => [d.at - T0, d.pod.uid])).toEqual([[2_000, 'uid-1']]);
    const final = api.statuses.at(-1)!.status as { phase: string; containerStatuses: Array<{ state: { terminated?: { exitCode: number } } }> };
    expect(final.phase).toBe('Succeeded');
    expect(final.containerStatuses[0]!.state.terminated?.exitCode).toBe(0);
    expect(api.events.map((e) => (e as unknown as { reason: string; message: string }).message).at(-1)).toBe('Stopping container app');
    await stop();
  });
});

describe('PodWorker — scale', () => {
  it('2,000 pods on one timer heap all reach Running; once settled no pod holds a timer', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    const cni = new FakeCni();
    cni.pool = Array.from({ length: 2_000 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    const ctl = new AbortController();
    const scheduler = new Scheduler<() => Promise<number | undefined>>({ clock, concurrency: 16, run: (run) => run() });
    const done = scheduler.run(ctl.signal);
    const node = { name: 'n1', ip: '10.0.0.10', api, images: new ImageCache() };
    const workers = Array.from({ length: 2_000 }, (_, i) => new PodWorker(
      { ...pod, metadata: { ...pod.metadata, name: `p${i}`, uid: `uid-${i}` } }, node,
      {
        cni, clock, timing: defaultRuntimeTiming, log: createLogger('kubelet-test', 'fatal'),
        schedule: (at, run) => scheduler.schedule(at, run), signal: ctl.signal, initialBackoffMs: 200, maxBackoffMs: 7_000,
      },
    ));
    for (const w of workers) w.wake(clock.now());
    await clock.advance(60_000);
    const running = new Set(api.statuses.filter((s) => s.status['phase'] === 'Running').map((s) => (s.status['podIP'] as string)));
    expect(running.size).toBe(2_000);
    expect(scheduler.pending).toBe(0);
    ctl.abort();
    await done;
  }, 60_000);
});
