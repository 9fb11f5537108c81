// The simulated container runtime for one pod: what kuberuntime's SyncPod, the image manager, the prober
// and the pod worker's termination path would do, as a deterministic state machine over an injected
// time. It performs no I/O: what it needs from outside (CNI ADD/DEL, the final API delete) it asks for via
// `need()`, and the caller reports back. Everything due up to `now` is processed in time order, so a
// late caller sees the same history an on-time one would.
import { Container, type TerminatedState } from './container.js';
import type { ImageCache } from './images.js';
import { imageIdOf } from './images.js';
import { ImagePuller } from './image-puller.js';
import { adoptReportedState } from './adopt.js';
import { containerIdFor, sandboxIdFor } from './ids.js';
import { formatPod, msg } from './messages.js';
import type { RuntimeEvent, RuntimeNeed, RuntimePod, RuntimeTiming } from './types.js';

export interface PodRuntimeEnv {
  readonly nodeName: string;
  readonly nodeIp: string;
  /** The node's images, shared by its pods. */
  readonly images: ImageCache;
  readonly timing: RuntimeTiming;
}

export type SandboxState = 'none' | 'ready' | 'released';


export class PodRuntime {
  /** Events recorded since the caller last drained them (`takeEvents`). */
  private events: RuntimeEvent[] = [];
  readonly initContainers: Container[];
  readonly containers: Container[];
  sandbox: { state: SandboxState; attempt: number; id: string; ip: string | undefined; retryAt: number; readyAt: number | undefined };
  /** When deletion was noticed, and the grace period (ms). */
  deleting: { since: number; graceMs: number } | undefined;
  /** activeDeadlineSeconds passed (when): the pod's containers are stopped and it fails with DeadlineExceeded. */
  deadlineExceeded: { since: number; graceMs: number } | undefined;
  /** The regular containers are done for good: the sidecars are being stopped. */
  completing: { since: number; graceMs: number } | undefined;
  /** The API delete is done: nothing more happens. */
  finished = false;
  startTime: number;
  private cursor: number;
  private pod: RuntimePod;
  private readonly puller: ImagePuller;

  constructor(pod: RuntimePod, private readonly env: PodRuntimeEnv, now: number) {
    this.pod = pod;
    this.puller = new ImagePuller(env, (type, reason, message, c, at) => this.record(type, reason, message, c, at), (c, t) => this.createAndStart(c, t));
    this.startTime = now;
    this.cursor = now;
    const hasInit = (pod.spec.initContainers ?? []).length > 0;
    const waiting = hasInit ? 'PodInitializing' : 'ContainerCreating';
    const annotations = pod.metadata.annotations;
    this.initContainers = (pod.spec.initContainers ?? []).map((c) => new Container(c, true, annotations, waiting, env.timing));
    this.containers = pod.spec.containers.map((c) => new Container(c, false, annotations, waiting, env.timing));
    this.sandbox = { state: 'none', attempt: 0, id: this.sandboxId(0), ip: undefined, retryAt: now, readyAt: undefined };
    if (pod.spec.hostNetwork === true) this.sandbox = { ...this.sandbox, state: 'ready', ip: env.nodeIp, readyAt: now };
    const adopted = adoptReportedState(pod, this, env, now);
    if (adopted !== undefined) this.startTime = adopted.startTime;
    this.update(pod, now);
  }

  get hostNetwork(): boolean {
    return this.pod.spec.hostNetwork === true;
  }

  get uid(): string {
    return this.pod.metadata.uid;
  }

  get current(): RuntimePod {
    return this.pod;
  }

  private get restartPolicy(): string {
    return this.pod.spec.restartPolicy ?? 'Always';
  }

  private get podRef(): string {
    const m = this.pod.metadata;
    return formatPod({ name: m.name, namespace: m.namespace, uid: m.uid });
  }

  private sandboxId(attempt: number): string {
    return sandboxIdFor(this.pod.metadata.uid, attempt);
  }

  /** A newer version of the pod (same uid): notices deletion and a shortened grace period. */
  update(pod: RuntimePod, now: number): void {
    this.pod = pod;
    const ts = pod.metadata.deletionTimestamp;
    if (ts === undefined) return;
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    if (this.deleting === undefined) this.deleting = { since: Math.max(now, this.cursor), graceMs };
    else this.deleting = { since: this.deleting.since, graceMs: Math.min(this.deleting.graceMs, graceMs) };
  }

  /** Drains the recorded events (oldest first). */
  takeEvents(): RuntimeEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  allContainers(): Container[] {
    return [...this.initContainers, ...this.containers];
  }

  /** Processes every change due up to `now`, in time order. */
  advance(now: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      this.plan(this.cursor);
      const t = this.earliestWake();
      if (t === undefined || t > now) break;
      this.cursor = Math.max(this.cursor, t);
      if (this.deadlineAt === t) this.exceedDeadline(t);
      for (const c of this.allContainers()) if (c.wake === t) this.step(c, t);
    }
    this.cursor = Math.max(this.cursor, now);
    this.plan(this.cursor);
  }

  /** When the runtime next changes on its own (undefined: only outside input moves it). */
  nextWake(): number | undefined {
    if (this.finished) return undefined;
    const t = this.earliestWake();
    if (this.deleting === undefined && this.sandbox.state === 'none' && !this.hostNetwork && this.terminalPhase() === undefined) {
      return t === undefined ? this.sandbox.retryAt : Math.min(t, this.sandbox.retryAt);
    }
    return t;
  }

  /** What must be done outside before the runtime can go on, if anything. */
  need(): RuntimeNeed | undefined {
    if (this.finished) return undefined;
    const holdsNetwork = this.sandbox.state === 'ready' && !this.hostNetwork;
    if (this.deleting !== undefined) {
      if (this.allContainers().some((c) => c.isRunning)) return undefined;
      return holdsNetwork ? { kind: 'delNetwork', sandboxId: this.sandbox.id } : { kind: 'delete' };
    }
    if (this.terminalPhase() !== undefined) return holdsNetwork ? { kind: 'delNetwork', sandboxId: this.sandbox.id } : undefined;
    if (this.sandbox.state === 'none' && !this.hostNetwork && this.sandbox.retryAt <= this.cursor) return { kind: 'addNetwork', sandboxId: this.sandbox.id };
    return undefined;
  }

  networkAdded(ip: string, now: number): void {
    this.cursor = Math.max(this.cursor, now);
    this.sandbox = { ...this.sandbox, state: 'ready', ip, readyAt: this.cursor };
  }

  /** CNI ADD failed: the FailedCreatePodSandBox event; a new sandbox is tried `sandboxRetryMs` later. `detail` undefined = no address. */
  networkFailed(detail: string | undefined, now: number): void {
    this.cursor = Math.max(this.cursor, now);
    const id = this.sandbox.id;
    this.record('Warning', 'FailedCreatePodSandBox', detail === undefined ? msg.sandboxNoAddress(id) : msg.sandboxNetworkError(id, detail));
    const attempt = this.sandbox.attempt + 1;
    this.sandbox = { ...this.sandbox, attempt, id: this.sandboxId(attempt), retryAt: this.cursor + this.env.timing.sandboxRetryMs };
  }

  networkDeleted(now: number): void {
    this.cursor = Math.max(this.cursor, now);
    this.sandbox = { ...this.sandbox, state: 'released' };
  }

  /** The final API delete succeeded (or the pod is gone). */
  deleted(): void {
    this.finished = true;
  }

  /**
   * Succeeded/Failed once the pod can do nothing more by its restart policy (all regular containers done,
   * or an init container failed under Never), or after it was deleted and its containers stopped.
   */
  terminalPhase(): 'Succeeded' | 'Failed' | undefined {
    if (this.deleting !== undefined) {
      if (this.allContainers().some((c) => c.isRunning)) return undefined;
      return this.containers.every((c) => c.succeeded) ? 'Succeeded' : 'Failed';
    }
    if (this.deadlineExceeded !== undefined) return this.allContainers().some((c) => c.isRunning) ? undefined : 'Failed';
    const done = this.regularPhase();
    if (done === undefined || this.initContainers.some((c) => c.sidecar && c.isRunning)) return undefined;
    return done;
  }

  /** What the pod ends as by its regular (and non-sidecar init) containers alone, once they are all done. */
  private regularPhase(): 'Succeeded' | 'Failed' | undefined {
    if (this.initContainers.some((c) => !c.sidecar && c.isDone && !c.succeeded)) return 'Failed';
    if (this.containers.length === 0 || !this.containers.every((c) => c.isDone)) return undefined;
    return this.containers.every((c) => c.succeeded) ? 'Succeeded' : 'Failed';
  }

  /** Initialized: a regular container has been created, or every init container completed (sidecars: started). */
  get initialized(): boolean {
    return this.containers.some((c) => c.instances > 0) || this.initContainers.every((c) => initDone(c));
  }

  /** When activeDeadlineSeconds runs out (counted from the pod's start time). */
  private get deadlineAt(): number | undefined {
    const s = this.pod.spec.activeDeadlineSeconds;
    if (s === undefined || this.deadlineExceeded !== undefined || this.deleting !== undefined || this.regularPhase() !== undefined) return undefined;
    return this.startTime + s * 1000;
  }

  private get graceMs(): number {
    return (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private earliestWake(): number | undefined {
    let t = this.deadlineAt;
    for (const c of this.allContainers()) if (c.wake !== undefined && (t === undefined || c.wake < t)) t = c.wake;
    return t;
  }

  private record(type: RuntimeEvent['type'], reason: string, message: string, c?: Container, at = this.cursor): void {
    this.events.push({ type, reason, message, at, ...(c !== undefined ? { fieldPath: c.fieldPath } : {}) });
  }

  /** Decides which containers may start at `t` (init containers in order, then regular ones), and deletion. */
  private plan(t: number): void {
    if (this.finished) return;
    const stopping = this.deleting ?? this.deadlineExceeded;
    if (stopping !== undefined) {
      this.planStop(t, stopping);
      return;
    }
    if (this.regularPhase() !== undefined && this.completing === undefined && this.initContainers.some((c) => c.sidecar && c.isRunning)) {
      this.completing = { since: t, graceMs: this.graceMs };
    }
    if (this.completing !== undefined) {
      this.planStop(t, this.completing);
      return;
    }
    if (this.sandbox.state !== 'ready' || this.terminalPhase() !== undefined) return;
    if (!this.initialized) {
      // In order: a regular init container must complete, a sidecar must have started (startupProbe passed).
      const pendingInit = this.initContainers.find((c) => !initDone(c));
      if (pendingInit !== undefined) {
        if (pendingInit.activity === 'idle' && pendingInit.wake === undefined) pendingInit.wake = t;
        return;
      }
    }
    // One image pull at a time per pod, as SyncPod starts containers one after another.
    if (this.containers.some((c) => c.activity === 'pulling' || (c.activity === 'idle' && c.wake !== undefined))) return;
    const next = this.containers.find((c) => c.activity === 'idle');
    if (next !== undefined) next.wake = t;
  }

  /**
   * Stops the pod's containers (deletion, activeDeadlineSeconds, or sidecars once the regular containers are
   * done): regular containers first, then the sidecars in reverse order, each once the ones before it have
   * stopped, all within the grace period counted from `since`.
   */
  private planStop(at: number, stop: { since: number; graceMs: number }): void {
    // Deletion is noticed at `since`, which may be later than the last processed change.
    const t = Math.max(at, stop.since);
    const deadline = stop.since + stop.graceMs;
    const sidecars = this.initContainers.filter((c) => c.sidecar);
    let blocked = [...this.containers, ...this.initContainers.filter((c) => !c.sidecar)].some((c) => c.isRunning);
    const order = [...this.containers, ...this.initContainers.filter((c) => !c.sidecar), ...[...sidecars].reverse()];
    for (const c of order) {
      if (c.isRunning) {
        if (c.stopAt === undefined && !(c.sidecar && blocked)) {
          this.record('Normal', 'Killing', msg.stopping(c.name), c, t);
          const after = c.behaviour.terminateAfterMs ?? this.env.timing.terminateAfterMs;
          const left = Math.max(0, deadline - t);
          const graceful = after <= left;
          c.stopAt = t + Math.min(after, left);
          c.stopExitCode = graceful ? 0 : 137;
          c.stopLine = graceful ? 'received SIGTERM, exiting' : 'received SIGTERM';
        } else if (c.stopAt !== undefined && c.stopAt > deadline) {
          c.stopAt = Math.max(t, deadline);
          c.stopExitCode = 137;
        }
        c.exitAt = undefined;
        c.livenessAt = undefined;
        c.startupAt = undefined;
        c.readinessAt = undefined;
        c.wake = c.runningWake();
        if (c.sidecar) blocked = true;
      } else if (!c.isDone) {
        c.activity = 'done';
        c.wake = undefined;
      }
    }
  }

  /** activeDeadlineSeconds ran out: the DeadlineExceeded event, and every container is stopped. */
  private exceedDeadline(t: number): void {
    this.record('Normal', 'DeadlineExceeded', msg.deadlineExceeded, undefined, t);
    this.deadlineExceeded = { since: t, graceMs: this.graceMs };
  }

  private step(c: Container, t: number): void {
    switch (c.activity) {
      case 'idle':
      case 'crashBackoff':
        return this.start(c, t);
      case 'pullBackoff':
        return this.puller.backoffStep(c, t);
      case 'pulling':
        return this.puller.finishPull(c, t);
      case 'running':
        return this.runningStep(c, t);
      default:
        c.wake = undefined;
    }
  }

  /** Starting (or restarting) a container: CrashLoopBackOff first, then the image. */
  private start(c: Container, t: number): void {
    c.wake = undefined;
    const last = c.lastTerminated;
    if (last !== undefined && c.instances > 0 && c.activity !== 'running') {
      if (c.crashBackoff.inBackOffSince(last.finishedAt, t)) {
        const delay = c.crashBackoff.current;
        if (c.activity !== 'crashBackoff') this.record('Warning', 'BackOff', msg.backOffRestart(c.name, this.podRef), c, t);
        c.setWaiting('CrashLoopBackOff', msg.crashLoopWaiting(delay, c.name, this.podRef));
        c.activity = 'crashBackoff';
        c.wake = last.finishedAt + delay;
        return;
      }
      c.crashBackoff.next(last.finishedAt);
    }
    this.puller.ensure(c, t);
  }

  private createAndStart(c: Container, t: number): void {
    c.instances++;
    c.restartCount = c.instances - 1;
    const containerId = containerIdFor(this.sandbox.id, c.init, c.name, c.instances);
    c.imageId = imageIdOf(c.spec.image);
    this.record('Normal', 'Created', msg.created(c.name), c, t);
    this.record('Normal', 'Started', msg.started(c.name), c, t);
    c.activity = 'running';
    c.running = { startedAt: t, containerId };
    c.terminated = undefined;
    c.setWaiting('', undefined);
    const b = c.behaviour;
    const probe = c.spec.readinessProbe;
    const readyAfter = b.readyAfterMs ?? (probe !== undefined ? (probe.initialDelaySeconds ?? 0) * 1000 : 0);
    const startup = c.spec.startupProbe;
    c.started = startup === undefined;
    c.startupFailures = 0;
    c.startupAt = startup === undefined ? undefined : t + (startup.initialDelaySeconds ?? 0) * 1000;
    c.startupSucceedsAt = startup === undefined ? t
      : t + (b.startupAfterMs ?? ((startup.initialDelaySeconds ?? 0) + (startup.periodSeconds ?? 10) * Math.max(0, (startup.successThreshold ?? 1) - 1)) * 1000);
    c.ready = readyAfter === 0 && c.started;
    c.readyAt = c.ready ? undefined : t + readyAfter;
    c.exitAt = b.exitAfterMs === undefined ? undefined : t + b.exitAfterMs;
    c.livenessAt = b.livenessFailAfterMs === undefined ? undefined : t + b.livenessFailAfterMs;
    c.livenessFailures = 0;
    c.readinessAt = b.unreadyAfterMs === undefined ? undefined : t + b.unreadyAfterMs;
    c.readinessRecoversAt = b.unreadyAfterMs === undefined || b.unreadyForMs === undefined ? undefined : t + b.unreadyAfterMs + b.unreadyForMs;
    c.readinessFailures = 0;
    c.stopAt = undefined;
    c.previousLog = c.log;
    c.log = { startedAt: t, startLines: this.logStartLines(c), intervalMs: b.logIntervalMs ?? this.env.timing.logIntervalMs };
    c.wake = c.runningWake();
  }

  /** The lines a run of `c` prints at start. */
  logStartLines(c: Container): string[] {
    if (c.behaviour.logLines !== undefined) return [...c.behaviour.logLines];
    const command = [...(c.spec.command ?? []), ...(c.spec.args ?? [])];
    return [
      `ekslab simulated container ${c.name} (image ${c.spec.image}) starting on ${this.env.nodeName}`,
      `command: ${command.length > 0 ? command.join(' ') : '<image entrypoint>'}`,
    ];
  }

  private runningStep(c: Container, t: number): void {
    c.wake = undefined;
    if (c.stopAt !== undefined && c.stopAt <= t) return this.terminate(c, t, c.stopExitCode, c.stopLine);
    if (c.exitAt !== undefined && c.exitAt <= t) return this.terminate(c, t, c.behaviour.exitCode, `exiting with code ${c.behaviour.exitCode}`);
    if (!c.started) {
      if (c.startupAt !== undefined && c.startupAt <= t) this.startupProbe(c, t);
      c.wake = c.runningWake();
      return;
    }
    const threshold = c.spec.readinessProbe?.failureThreshold ?? 3;
    if (c.readyAt !== undefined && c.readyAt <= t) {
      c.ready = c.readinessFailures < threshold;
      c.readyAt = undefined;
    }
    if (c.readinessAt !== undefined && c.readinessAt <= t) this.readinessProbe(c, t, threshold);
    if (c.livenessAt !== undefined && c.livenessAt <= t) this.livenessFailure(c, t);
    c.wake = c.runningWake();
  }

  /** One startupProbe run: success from `startupSucceedsAt`; failureThreshold failures kill the container. */
  private startupProbe(c: Container, t: number): void {
    const probe = c.spec.startupProbe;
    const period = (probe?.periodSeconds ?? 10) * 1000;
    if (t >= c.startupSucceedsAt) {
      c.started = true;
      c.startupAt = undefined;
      // Readiness and liveness only begin now.
      if (c.readyAt !== undefined) c.readyAt = Math.max(c.readyAt, t);
      if (c.livenessAt !== undefined) c.livenessAt = Math.max(c.livenessAt, t);
      if (c.readinessAt !== undefined) c.readinessAt = Math.max(c.readinessAt, t);
      return;
    }
    c.startupFailures++;
    this.record('Warning', 'Unhealthy', `Startup probe failed: ${probeFailure(probe, this.sandbox.ip ?? '')}`, c, t);
    if (c.startupFailures < (probe?.failureThreshold ?? 3)) {
      c.startupAt = t + period;
      return;
    }
    c.startupAt = undefined;
    this.record('Normal', 'Killing', msg.probeKill(c.name, 'startup'), c, t);
    this.killForRestart(c, t);
  }

  /** One readiness probe run while it fails (`unready-after`): unready after failureThreshold failures, never restarted. */
  private readinessProbe(c: Container, t: number, threshold: number): void {
    const period = (c.spec.readinessProbe?.periodSeconds ?? 10) * 1000;
    if (c.readinessRecoversAt !== undefined && t >= c.readinessRecoversAt) {
      c.readinessFailures = 0;
      c.readinessAt = undefined;
      if (c.readyAt === undefined) c.ready = true;
      return;
    }
    c.readinessFailures++;
    this.record('Warning', 'Unhealthy', `Readiness probe failed: ${probeFailure(c.spec.readinessProbe, this.sandbox.ip ?? '')}`, c, t);
    if (c.readinessFailures >= threshold) c.ready = false;
    c.readinessAt = t + period;
  }

  private livenessFailure(c: Container, t: number): void {
    const probe = c.spec.livenessProbe;
    const threshold = probe?.failureThreshold ?? 3;
    const period = (probe?.periodSeconds ?? 10) * 1000;
    c.livenessFailures++;
    this.record('Warning', 'Unhealthy', `Liveness probe failed: ${probeFailure(probe, this.sandbox.ip ?? '')}`, c, t);
    if (c.livenessFailures < threshold) {
      c.livenessAt = t + period;
      return;
    }
    this.record('Normal', 'Killing', msg.livenessKill(c.name), c, t);
    c.livenessAt = undefined;
    this.killForRestart(c, t);
  }

  /** SIGTERM after a failed probe: the container stops (137) within the grace period and is restarted. */
  private killForRestart(c: Container, t: number): void {
    c.stopAt = t + Math.min(c.behaviour.terminateAfterMs ?? this.env.timing.terminateAfterMs, this.graceMs);
    c.stopExitCode = 137;
    c.stopLine = 'received SIGTERM';
  }

  private terminate(c: Container, t: number, exitCode: number, lastLine: string): void {
    const running = c.running!;
    const state: TerminatedState = {
      exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: running.startedAt, finishedAt: t, containerId: running.containerId,
    };
    c.cpuRetiredSeconds += c.cpuSeconds(t);
    c.running = undefined;
    c.terminated = state;
    c.ready = false;
    c.started = false;
    c.readyAt = c.exitAt = c.livenessAt = c.stopAt = c.startupAt = c.readinessAt = undefined;
    if (c.log !== undefined) {
      c.log.finishedAt = t;
      c.log.lastLine = lastLine;
    }
    const policy = this.restartPolicy;
    const stopping = this.deleting !== undefined || this.deadlineExceeded !== undefined || this.completing !== undefined;
    // A sidecar restarts whatever the pod's restartPolicy, until the pod stops.
    const restart = !stopping && (c.sidecar ? true : c.init
      ? exitCode !== 0 && policy !== 'Never'
      : policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      c.activity = 'done';
      return;
    }
    c.lastTerminated = state;
    c.terminated = undefined;
    c.activity = 'idle';
    c.setWaiting(c.init ? 'PodInitializing' : 'ContainerCreating');
    c.wake = t;
  }
}

/** The prober's failure output for the probe's handler (an HTTP 500 when the container has no probe). */
function probeFailure(probe: Container['spec']['livenessProbe'], podIp: string): string {
  if (probe?.tcpSocket !== undefined) return `dial tcp ${podIp}:${String(probe.tcpSocket.port ?? '')}: connect: connection refused`;
  if (probe?.exec !== undefined) return '';
  return 'HTTP probe failed with statuscode: 500';
}

/** An init container is out of the way: completed (exit 0), or for a sidecar running with its startupProbe passed. */
function initDone(c: Container): boolean {
  return c.sidecar ? c.isRunning && c.started : c.isDone && c.succeeded;
}
