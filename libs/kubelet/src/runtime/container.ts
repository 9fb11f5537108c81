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
    this.behaviour = containerBehaviour(annotations, spec.name, init);
    this.crashBackoff = new Backoff(timing.crashLoopInitialMs, timing.crashLoopMaxMs);
    this.pullBackoff = new Backoff(timing.imagePullInitialMs, timing.imagePullMaxMs);
  }

  get name(): string {
    return this.spec.name;
  }

  get fieldPath(): string {
    return `spec.${this.init ? 'initContainers' : 'containers'}{${this.spec.name}}`;
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
    const times = [this.exitAt, this.readyAt, this.livenessAt, this.stopAt].filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }
}
