// A restarted agent takes over what its previous run reported, as a restarted kubelet finds its containers
// still running in containerd: the sandbox (and its address) and each container's run, recognised by the
// deterministic sandbox and container IDs. Nothing is re-pulled, re-created or re-added to the network.
import type { Container, TerminatedState } from './container.js';
import { containerIdFor, sandboxIdFor } from './ids.js';
import { imageIdOf } from './images.js';
import type { PodRuntime, PodRuntimeEnv } from './machine.js';
import type { ReportedContainerStatus, RuntimePod } from './types.js';

/** How many failed sandbox attempts before the one that succeeded are searched for. */
const MAX_SANDBOX_ATTEMPTS = 2_000;

const parse = (t: string | undefined): number | undefined => {
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};
const stripRuntime = (id: string | undefined): string | undefined => id?.replace(/^[a-z]+:\/\//, '');

function terminatedFrom(s: ReportedContainerStatus['state']): TerminatedState | undefined {
  const t = s?.terminated;
  const id = stripRuntime(t?.containerID);
  const startedAt = parse(t?.startedAt);
  const finishedAt = parse(t?.finishedAt);
  if (t === undefined || id === undefined || startedAt === undefined || finishedAt === undefined) return undefined;
  return { exitCode: t.exitCode ?? 0, reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'), startedAt, finishedAt, containerId: id };
}

/** The sandbox attempt whose ID derives the reported container ID, if any. */
function findSandboxAttempt(uid: string, reported: ReadonlyArray<{ c: Container; s: ReportedContainerStatus }>): number | undefined {
  const probes = reported
    .map(({ c, s }) => ({ c, id: stripRuntime(s.containerID ?? s.state?.terminated?.containerID), instance: (s.restartCount ?? 0) + 1 }))
    .filter((p): p is { c: Container; id: string; instance: number } => p.id !== undefined);
  if (probes.length === 0) return undefined;
  const p = probes[0]!;
  for (let a = 0; a < MAX_SANDBOX_ATTEMPTS; a++) {
    if (containerIdFor(sandboxIdFor(uid, a), p.c.init, p.c.name, p.instance) === p.id) return a;
  }
  return undefined;
}

/**
 * Restores `rt` from the status the pod carries, when that status came from a sandbox this runtime would
 * have made (its IDs match). Returns the adopted start time, or undefined when there is nothing to adopt
 * (the runtime then starts the pod afresh).
 */
export function adoptReportedState(pod: RuntimePod, rt: PodRuntime, env: PodRuntimeEnv, now: number): { startTime: number } | undefined {
  const st = pod.status;
  if (st === undefined || pod.metadata.deletionTimestamp !== undefined) return undefined;
  const reported = [
    ...rt.initContainers.map((c) => ({ c, s: st.initContainerStatuses?.find((x) => x.name === c.name) })),
    ...rt.containers.map((c) => ({ c, s: st.containerStatuses?.find((x) => x.name === c.name) })),
  ].filter((r): r is { c: Container; s: ReportedContainerStatus } => r.s !== undefined);
  const attempt = findSandboxAttempt(pod.metadata.uid, reported);
  const ip = pod.spec.hostNetwork === true ? env.nodeIp : st.podIP;
  if (attempt === undefined || ip === undefined || ip === '') return undefined;
  rt.sandbox = { state: 'ready', attempt, id: sandboxIdFor(pod.metadata.uid, attempt), ip, retryAt: now, readyAt: now };
  for (const { c, s } of reported) adoptContainer(rt, c, s, env, now);
  return { startTime: parse(st.startTime) ?? now };
}

function adoptContainer(rt: PodRuntime, c: Container, s: ReportedContainerStatus, env: PodRuntimeEnv, now: number): void {
  const restarts = s.restartCount ?? 0;
  c.restartCount = restarts;
  c.lastTerminated = terminatedFrom(s.lastState);
  for (let i = 0; i < Math.min(restarts, 16) && c.lastTerminated !== undefined; i++) c.crashBackoff.next(c.lastTerminated.finishedAt);
  const runningSince = parse(s.state?.running?.startedAt);
  const id = stripRuntime(s.containerID);
  const terminated = terminatedFrom(s.state);
  if (runningSince !== undefined && id !== undefined) {
    c.instances = restarts + 1;
    env.images.add(c.spec.image, 0);
    c.imageId = imageIdOf(c.spec.image);
    c.activity = 'running';
    c.running = { startedAt: runningSince, containerId: id };
    c.started = true;
    c.setWaiting('', undefined);
    const b = c.behaviour;
    const probe = c.spec.readinessProbe;
    const readyAfter = b.readyAfterMs ?? (probe !== undefined ? (probe.initialDelaySeconds ?? 0) * 1000 : 0);
    c.ready = s.ready === true || runningSince + readyAfter <= now;
    c.readyAt = c.ready ? undefined : runningSince + readyAfter;
    c.exitAt = b.exitAfterMs === undefined ? undefined : Math.max(now, runningSince + b.exitAfterMs);
    c.livenessAt = b.livenessFailAfterMs === undefined ? undefined : Math.max(now, runningSince + b.livenessFailAfterMs);
    c.log = { startedAt: runningSince, startLines: rt.logStartLines(c), intervalMs: b.logIntervalMs ?? env.timing.logIntervalMs };
    c.wake = c.runningWake();
  } else if (terminated !== undefined) {
    c.instances = restarts + 1;
    env.images.add(c.spec.image, 0);
    c.terminated = terminated;
    // Completed init containers and containers that will not restart stay as they are; others restart.
    const policy = rt.current.spec.restartPolicy ?? 'Always';
    const restart = c.sidecar || (c.init ? terminated.exitCode !== 0 && policy !== 'Never' : policy === 'Always' || (policy === 'OnFailure' && terminated.exitCode !== 0));
    if (restart) {
      c.lastTerminated = terminated;
      c.terminated = undefined;
      c.activity = 'idle';
      c.wake = now;
    } else {
      c.activity = 'done';
    }
  } else if (c.lastTerminated !== undefined) {
    // Waiting to restart (CrashLoopBackOff): the back-off goes on from the last run.
    c.instances = restarts + 1;
    env.images.add(c.spec.image, 0);
    c.activity = 'idle';
    c.setWaiting(s.state?.waiting?.reason ?? c.waitingReason, s.state?.waiting?.message);
    c.wake = now;
  }
}
