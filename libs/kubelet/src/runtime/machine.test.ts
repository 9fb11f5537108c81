import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseDuration } from './behaviour.js';
import { ImageCache, normalizeImage } from './images.js';
import { logLines, nextLineAt, renderLines } from './logs.js';
import { cond, Harness, pod, T0 } from './machine.fixture.js';

describe('runtime — helpers', () => {
  it('durations parse Go style and print as Go does', () => {
    expect([parseDuration('1.5s'), parseDuration('500ms'), parseDuration('2m'), parseDuration('1h30m'), parseDuration('3'), parseDuration('x')])
      .toEqual([1500, 500, 120_000, 5_400_000, 3000, undefined]);
    expect([10_000, 80_000, 300_000, 1_234, 300].map(formatGoDuration)).toEqual(['10s', '1m20s', '5m0s', '1.234s', '300ms']);
  });

  it('image references normalise as containerd reports them', () => {
    expect(normalizeImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(normalizeImage('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7');
    expect(normalizeImage('public.ecr.aws/eks/pause:3.9')).toBe('public.ecr.aws/eks/pause:3.9');
  });
});

describe('runtime — a plain pod', () => {
  it('gets an address, pulls, creates, starts and is Ready at once; the second pod on the node finds the image present', () => {
    const images = new ImageCache();
    const h = new Harness(pod(), { pullBytesPerSecond: 100 * 1024 * 1024 }, images);
    expect(h.calls).toEqual(['addNetwork']);
    expect(h.status.phase).toBe('Pending');
    expect(h.status.podIP).toBe('10.0.1.5');
    expect(h.container()!.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(cond(h.status, 'PodReadyToStartContainers')?.status).toBe('True');
    h.advance(5_000);
    expect(h.reasons()).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(h.events[0]!.message).toBe('Pulling image "nginx:1.27"');
    expect(h.events[1]!.message).toMatch(/^Successfully pulled image "nginx:1\.27" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/);
    expect(h.events[2]!.message).toBe('Created container: app');
    expect(h.events[3]!.message).toBe('Started container app');
    expect(h.events.every((e) => e.fieldPath === 'spec.containers{app}')).toBe(true);
    expect(h.status.phase).toBe('Running');
    expect(cond(h.status, 'Ready')?.status).toBe('True');
    expect(h.container()).toMatchObject({ ready: true, started: true, restartCount: 0 });
    expect(h.container()!.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(h.container()!.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);

    const second = new Harness({ ...pod(), metadata: { ...pod().metadata, uid: 'u-2' } }, {}, images);
    expect(second.reasons()).toEqual(['Pulled', 'Created', 'Started']);
    expect(second.events[0]!.message).toBe('Container image "nginx:1.27" already present on machine');
  });

  it('hostNetwork: the node IP, no CNI call', () => {
    const h = new Harness(pod({ spec: { hostNetwork: true } }));
    h.advance(10_000);
    expect(h.calls).toEqual([]);
    expect(h.status).toMatchObject({ podIP: '10.0.0.10', podIPs: [{ ip: '10.0.0.10' }], hostIP: '10.0.0.10', phase: 'Running' });
  });

  it('no address: FailedCreatePodSandBox worded as aws-cni, retried every 10 s with a new sandbox, starts once an address is free', () => {
    const s = new Harness(pod(), {}, new ImageCache(), []);
    expect(s.reasons()).toEqual(['FailedCreatePodSandBox']);
    expect(s.events[0]!.message).toMatch(
      /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="aws-cni" name="aws-cni" failed \(add\): add cmd: failed to assign an IP address to container$/,
    );
    expect(s.status.phase).toBe('Pending');
    expect(s.container()!.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(cond(s.status, 'PodReadyToStartContainers')?.status).toBe('False');
    s.advance(9_999);
    expect(s.calls).toEqual(['addNetwork']);
    s.advance(1);
    expect(s.calls).toEqual(['addNetwork', 'addNetwork']);
    const ids = s.events.filter((e) => e.reason === 'FailedCreatePodSandBox').map((e) => /sandbox "([0-9a-f]+)"/.exec(e.message)![1]);
    expect(new Set(ids).size).toBe(2);
    s.addresses = ['10.0.1.99'];
    s.advance(10_000);
    expect(s.status.podIP).toBe('10.0.1.99');
    s.advance(10_000);
    expect(s.status.phase).toBe('Running');
  });
});

describe('runtime — restarts', () => {
  it('CrashLoopBackOff: restart at once, then back-off 10 s doubling to 5 min, restartCount growing', () => {
    const h = new Harness(pod({ annotations: { 'ekslab.io/crash-after': '1s' } }), { pullBytesPerSecond: 1e12 });
    h.advance(1); // pull done
    const messages = new Set<string>();
    const starts = (): number[] => h.events.filter((e) => e.reason === 'Started').map((e) => e.at - T0);
    for (let i = 0; i < 4000 && starts().length < 10; i++) {
      const wake = h.rt.nextWake();
      if (wake === undefined) break;
      h.advanceTo(wake);
      const w = h.container()!.state;
      if ('waiting' in w && w.waiting.reason === 'CrashLoopBackOff') messages.add(w.waiting.message!);
    }
    const all = starts();
    const gaps = all.slice(1).map((t, i) => t - all[i]!);
    // each run lasts 1 s; the waits are 0, 10, 20, 40, 80, 160, 300, 300 s
    expect(gaps.map((g) => g - 1000)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect([...messages].map((m) => /^back-off (\S+) restarting failed container=app pod=p_default\(u-1\)$/.exec(m)?.[1])).toEqual(['10s', '20s', '40s', '1m20s', '2m40s', '5m0s']);
    expect(h.container()!.restartCount).toBeGreaterThanOrEqual(8);
    expect(h.status.phase).toBe('Running');
    expect(h.events.filter((e) => e.reason === 'BackOff')[0]!.message).toBe('Back-off restarting failed container app in pod p_default(u-1)');
    expect(h.container()!.lastState).toMatchObject({ terminated: { exitCode: 1, reason: 'Error' } });
  });

  it('liveness failure: Unhealthy × failureThreshold, Killing, restart with exit 137 in lastState', () => {
    const h = new Harness(pod({
      annotations: { 'ekslab.io/liveness-fail-after': '5s' },
      spec: { containers: [{ name: 'app', image: 'nginx:1', livenessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 2, failureThreshold: 3 } }] },
    }), { pullBytesPerSecond: 1e12, terminateAfterMs: 500 });
    h.advance(20_000);
    const unhealthy = h.events.filter((e) => e.reason === 'Unhealthy');
    // fails at 5, 7, 9 s after the start (1 ms pull); killed 0.5 s later, restarted at once, failing again 5 s on
    expect(unhealthy.map((e) => e.at - T0 - 1)).toEqual([5000, 7000, 9000, 14_500, 16_500, 18_500]);
    expect(unhealthy[0]!.message).toBe('Liveness probe failed: HTTP probe failed with statuscode: 500');
    expect(h.events.find((e) => e.reason === 'Killing')!.message).toBe('Container app failed liveness probe, will be restarted');
    expect(h.container()).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'Error' } } });
  });

  it('init containers run in order before the regular ones', () => {
    const h = new Harness(pod({
      annotations: { 'ekslab.io/run-for.second': '3s' },
      spec: { initContainers: [{ name: 'first', image: 'busybox:1' }, { name: 'second', image: 'busybox:1' }] },
    }), { pullBytesPerSecond: 1e12 });
    expect(h.status.initContainerStatuses!.map((c) => c.state)).toEqual([{ waiting: { reason: 'PodInitializing' } }, { waiting: { reason: 'PodInitializing' } }]);
    h.advance(100);
    expect(h.status.phase).toBe('Pending');
    expect(cond(h.status, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [first second]' });
    h.advance(10_000);
    const starts = h.events.filter((e) => e.reason === 'Started').map((e) => [e.message, e.at - T0]);
    // busybox is pulled once (1 ms); app's own image takes another 1 ms
    expect(starts).toEqual([['Started container first', 1], ['Started container second', 1001], ['Started container app', 4002]]);
    expect(h.status.initContainerStatuses!.map((c) => ('terminated' in c.state ? [c.state.terminated.exitCode, c.state.terminated.reason] : c.state)))
      .toEqual([[0, 'Completed'], [0, 'Completed']]);
    expect(cond(h.status, 'Initialized')?.status).toBe('True');
    expect(h.status.phase).toBe('Running');
  });

  it('readiness: ready-after, then Ready; readinessProbe initialDelaySeconds by default', () => {
    const h = new Harness(pod({
      spec: { containers: [{ name: 'app', image: 'nginx:1', readinessProbe: { initialDelaySeconds: 4 } }] },
    }), { pullBytesPerSecond: 1e12 });
    h.advance(3_000);
    expect(h.status.phase).toBe('Running');
    expect(cond(h.status, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    h.advance(2_000);
    expect(cond(h.status, 'Ready')?.status).toBe('True');
  });
});

describe('runtime — images', () => {
  it('a missing image: ErrImagePull, then ImagePullBackOff; retries 10 s, 20 s … apart', () => {
    const h = new Harness(pod({ spec: { containers: [{ name: 'app', image: 'missing/app:1' }] } }));
    h.advance(500);
    expect(h.events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'Pulling: Pulling image "missing/app:1"',
      'Failed: Failed to pull image "missing/app:1": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/missing/app:1": failed to resolve reference "docker.io/missing/app:1": docker.io/missing/app:1: not found',
      'Failed: Error: ErrImagePull',
    ]);
    expect(h.container()!.state).toMatchObject({ waiting: { reason: 'ErrImagePull' } });
    h.advance(1_000);
    const waiting = h.container()!.state as { waiting: { reason: string; message: string } };
    expect(waiting.waiting.reason).toBe('ImagePullBackOff');
    expect(waiting.waiting.message).toMatch(/^Back-off pulling image "missing\/app:1": ErrImagePull: rpc error/);
    expect(h.reasons().slice(3)).toEqual(['BackOff', 'Failed']);
    h.advance(60_000);
    const pulls = h.events.filter((e) => e.reason === 'Pulling').map((e) => e.at - T0);
    expect(pulls).toEqual([0, 10_300, 30_600]);
    expect(h.status.phase).toBe('Pending');
  });

  it('pull policy Never without the image: ErrImageNeverPull', () => {
    const h = new Harness(pod({ spec: { containers: [{ name: 'app', image: 'nginx:1', imagePullPolicy: 'Never' }] } }));
    h.advance(1000);
    expect(h.container()!.state).toEqual({ waiting: { reason: 'ErrImageNeverPull', message: 'Container image "nginx:1" is not present with pull policy of Never' } });
  });

  it('pull policy Always pulls even when the node has the image', () => {
    const images = new ImageCache();
    images.add('nginx:latest', 1);
    const h = new Harness(pod({ spec: { containers: [{ name: 'app', image: 'nginx' }] } }), {}, images);
    h.advance(10_000);
    expect(h.reasons()).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
  });
});

describe('runtime — jobs and deletion', () => {
  it.each([[0, 'Succeeded', 'Completed'], [3, 'Failed', 'Error']] as const)('restartPolicy Never, exit %i → %s; network released', (code, phase, reason) => {
    const h = new Harness(pod({ annotations: { 'ekslab.io/run-for': '2s', 'ekslab.io/exit-code': String(code) }, spec: { restartPolicy: 'Never' } }), { pullBytesPerSecond: 1e12 });
    h.advance(1_000);
    expect(h.status.phase).toBe('Running');
    h.advance(5_000);
    expect(h.status.phase).toBe(phase);
    expect(h.container()).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: code, reason } } });
    expect(h.calls).toEqual(['addNetwork', 'delNetwork']);
    expect(cond(h.status, 'PodReadyToStartContainers')?.status).toBe('False');
  });

  it('graceful deletion: Killing, stop after terminate-after (within the grace period), DelNetwork once, then the delete', () => {
    const p = pod({ annotations: { 'ekslab.io/terminate-after': '3s' } });
    const h = new Harness(p, { pullBytesPerSecond: 1e12 });
    h.advance(1_000);
    h.rt.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 } }, h.now);
    h.sync();
    expect(h.events.at(-1)).toMatchObject({ reason: 'Killing', message: 'Stopping container app' });
    h.advance(2_999);
    expect(h.calls).toEqual(['addNetwork']);
    h.advance(1);
    expect(h.calls).toEqual(['addNetwork', 'delNetwork', 'delete']);
    expect(h.container()!.state).toMatchObject({ terminated: { exitCode: 0, reason: 'Completed' } });
    expect(h.rt.finished).toBe(true);
  });

  it('graceful deletion: a container slower than the grace period is killed at its end (137)', () => {
    const p = pod({ annotations: { 'ekslab.io/terminate-after': '1m' } });
    const h = new Harness(p, { pullBytesPerSecond: 1e12 });
    h.advance(1_000);
    h.rt.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: 'x', deletionGracePeriodSeconds: 5 } }, h.now);
    h.advance(4_999);
    expect(h.calls).toEqual(['addNetwork']);
    h.advance(1);
    expect(h.container()!.state).toMatchObject({ terminated: { exitCode: 137, reason: 'Error' } });
    expect(h.calls).toEqual(['addNetwork', 'delNetwork', 'delete']);
  });
});

describe('runtime — logs', () => {
  it('start lines, a heartbeat per interval, the exit line; tail, since, timestamps; follow wakes at the next line', () => {
    const i = { startedAt: T0, startLines: ['hello', 'world'], intervalMs: 10_000 };
    expect(logLines(i, T0 + 25_000).map((l) => l.text)).toEqual(['hello', 'world', 'heartbeat 1: up 10s', 'heartbeat 2: up 20s']);
    expect(nextLineAt(i, T0 + 25_000)).toBe(T0 + 30_000);
    const lines = logLines(i, T0 + 25_000);
    expect(renderLines(lines, { tailLines: 1 })).toBe('heartbeat 2: up 20s\n');
    expect(renderLines(lines, { sinceMs: T0 + 15_000 })).toBe('heartbeat 2: up 20s\n');
    expect(renderLines(lines, { tailLines: 1, timestamps: true })).toBe(`${new Date(T0 + 20_000).toISOString().replace('Z', '000000Z')} heartbeat 2: up 20s\n`);
    const done = { ...i, finishedAt: T0 + 12_000, lastLine: 'bye' };
    expect(logLines(done, T0 + 60_000).map((l) => l.text)).toEqual(['hello', 'world', 'heartbeat 1: up 10s', 'bye']);
    expect(nextLineAt(done, T0 + 12_000)).toBeUndefined();
  });
});

describe('runtime — a restarted agent adopts what was reported', () => {
  it('a running pod keeps its sandbox, address and container: no CNI call, no events, same IDs', () => {
    const first = new Harness(pod({ annotations: { 'ekslab.io/run-for': '1m' } }), { pullBytesPerSecond: 1e12 }, new ImageCache(), []);
    first.addresses = ['10.0.1.7'];
    first.advance(11_000); // one failed sandbox attempt, then the second (at 10 s) gets the address
    expect(first.status.phase).toBe('Running');
    const reported = first.status;
    const again = new Harness({ ...pod({ annotations: { 'ekslab.io/run-for': '1m' } }), status: reported }, {}, new ImageCache(), []);
    expect(again.calls).toEqual([]);
    expect(again.events).toEqual([]);
    expect(again.status.podIP).toBe('10.0.1.7');
    expect(again.container()).toEqual(first.container());
    expect(again.rt.sandbox.id).toBe(first.rt.sandbox.id);
    // it still exits when its run ends (1 min after the original start), and restarts as before
    again.now = first.now;
    again.advance(60_000);
    expect(again.container()!.restartCount).toBe(1);
    expect(again.reasons()).toEqual(['Pulled', 'Created', 'Started']);
  });

  it('nothing to adopt (no container ID yet): the pod starts afresh', () => {
    const again = new Harness({ ...pod(), status: { podIP: '10.0.1.7', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }] } });
    expect(again.calls).toEqual(['addNetwork']);
  });
});
