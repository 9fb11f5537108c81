// One container's simulated life inside a pod: the states the kubelet reports, plus the runtime's own
// bookkeeping (what it is doing and when it next changes).
import { Backoff } from './backoff.js';
import { type ContainerBehaviour, containerBehaviour } from './behaviour.js';
import type { LogInstance } from './logs.js';
import type { RuntimeContainerSpec, RuntimeTiming } from './types.js';

export interface TerminatedState {
  readonly exitCode: number;
  readonly reason: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly containerId: string;
}

/**
 * - `idle`: waiting for its turn to start (first start or a restart);
 * - `pulling`: an image pull is under way (`wake` = when it ends);
 * - `pullBackoff`: ErrImagePull, then ImagePullBackOff (`wake` = next look);
 * - `crashBackoff`: CrashLoopBackOff (`wake` = when the back-off ends);
 * - `running` (`wake` = its next own change: exit, readiness, liveness failure, stop);
 * - `done`: terminated for good (completed init container, or no restart by policy);
 * - `neverPull`: ErrImageNeverPull (waits for a spec that will not come).
 */
export type Activity = 'idle' | 'pulling' | 'pullBackoff' | 'crashBackoff' | 'running' | 'done' | 'neverPull';

export class Container {
  activity: Activity = 'idle';
  wake: number | undefined;
  /** The API state: waiting reason/message (when not running or terminated). */
  waitingReason: string;
  waitingMessage: string | undefined;
  running: { startedAt: number; containerId: string } | undefined;
  terminated: TerminatedState | undefined;
  lastTerminated: TerminatedState | undefined;
  restartCount = 0;
  ready = false;
  imageId = '';
  /** Instances started so far (the next container ID derives from it). */
  instances = 0;
  readyAt: number | undefined;
  exitAt: number | undefined;
  livenessAt: number | undefined;
  livenessFailures = 0;
  /** The startupProbe passed (at once without one); readiness and liveness wait for it. */
  started = false;
  /** Next startupProbe run while not started, and from when it succeeds. */
  startupAt: number | undefined;
  startupSucceedsAt = 0;
  startupFailures = 0;
  /** Next readiness probe run while readiness fails (`unready-after`), and when it recovers. */
  readinessAt: number | undefined;
  readinessRecoversAt: number | undefined;
  readinessFailures = 0;
  /** CPU seconds of the instances that ended (the running one is counted from `running.startedAt`). */
  cpuRetiredSeconds = 0;
  /** SIGTERM sent: stops at `stopAt` with `stopExitCode`. */
  stopAt: number | undefined;
  stopExitCode = 0;
  stopLine = '';
  pullStartedAt = 0;
  pullError = '';
  readonly crashBackoff: Backoff;
  readonly pullBackoff: Backoff;
  readonly behaviour: ContainerBehaviour;
  log: LogInstance | undefined;
  previousLog: LogInstance | undefined;

  constructor(
    readonly spec: RuntimeContainerSpec,
    readonly init: boolean,
    annotations: Readonly<Record<string, string>> | undefined,
    defaultWaiting: string,
    timing: RuntimeTiming,
  ) {
    this.waitingReason = defaultWaiting;
    this.behaviour = containerBehaviour(annotations, spec.name, init, init && spec.restartPolicy === 'Always');
    this.crashBackoff = new Backoff(timing.crashLoopInitialMs, timing.crashLoopMaxMs);
    this.pullBackoff = new Backoff(timing.imagePullInitialMs, timing.imagePullMaxMs);
  }

  get name(): string {
    return this.spec.name;
  }

  get fieldPath(): string {
    return `spec.${this.init ? 'initContainers' : 'containers'}{${this.spec.name}}`;
  }

  /** A restartable init container (`restartPolicy: Always`). */
  get sidecar(): boolean {
    return this.init && this.spec.restartPolicy === 'Always';
  }

  /** CPU seconds the running instance has used by `now`. */
  cpuSeconds(now: number): number {
    return this.running === undefined ? 0 : (Math.max(0, now - this.running.startedAt) / 1000) * (this.behaviour.cpuMillicores / 1000);
  }

  get isRunning(): boolean {
    return this.activity === 'running';
  }

  /** Terminated and will not run again. */
  get isDone(): boolean {
    return this.activity === 'done';
  }

  get succeeded(): boolean {
    return this.terminated?.exitCode === 0;
  }

  setWaiting(reason: string, message?: string): void {
    this.waitingReason = reason;
    this.waitingMessage = message;
  }

  /** The earliest of the running instance's own changes. */
  runningWake(): number | undefined {
    const probes = this.started ? [this.readyAt, this.livenessAt, this.readinessAt] : [this.startupAt];
    const times = [this.exitAt, this.stopAt, ...probes].filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }
}
