// The v1 PodStatus the kubelet reports for a simulated pod (pkg/kubelet kubelet_pods.go generateAPIPodStatus,
// getPhase, convertToAPIContainerStatuses; pkg/kubelet/status generate.go for the conditions).
import type { Container, TerminatedState } from './container.js';
import type { PodRuntime } from './machine.js';
import { msg } from './messages.js';
import type { RuntimePodCondition } from './types.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

const time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type ApiState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; reason: string; startedAt: string; finishedAt: string; containerID: string } };

export interface ApiContainerStatus {
  readonly name: string;
  readonly state: ApiState;
  readonly lastState: ApiState | Record<string, never>;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly image: string;
  readonly imageID: string;
  readonly containerID?: string;
  readonly started: boolean;
}

export interface ApiPodStatus {
  readonly phase: PodPhase;
  readonly reason?: string;
  readonly message?: string;
  readonly conditions: RuntimePodCondition[];
  readonly hostIP: string;
  readonly hostIPs: Array<{ ip: string }>;
  readonly podIP?: string;
  readonly podIPs?: Array<{ ip: string }>;
  readonly startTime: string;
  readonly initContainerStatuses?: ApiContainerStatus[];
  readonly containerStatuses: ApiContainerStatus[];
  readonly qosClass: string;
}

const terminatedJson = (t: TerminatedState): ApiState => ({
  terminated: {
    exitCode: t.exitCode, reason: t.reason, startedAt: time(t.startedAt), finishedAt: time(t.finishedAt), containerID: `containerd://${t.containerId}`,
  },
});

function containerStatus(c: Container): ApiContainerStatus {
  let state: ApiState;
  let containerId: string | undefined;
  if (c.running !== undefined) {
    state = { running: { startedAt: time(c.running.startedAt) } };
    containerId = c.running.containerId;
  } else if (c.terminated !== undefined) {
    state = terminatedJson(c.terminated);
    containerId = c.terminated.containerId;
  } else {
    state = { waiting: { reason: c.waitingReason, ...(c.waitingMessage !== undefined ? { message: c.waitingMessage } : {}) } };
    containerId = c.lastTerminated?.containerId;
  }
  return {
    name: c.name,
    state,
    lastState: c.lastTerminated !== undefined && c.terminated === undefined ? terminatedJson(c.lastTerminated) : {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.spec.image,
    imageID: c.imageId,
    ...(containerId !== undefined ? { containerID: `containerd://${containerId}` } : {}),
    started: c.running !== undefined && c.started,
  };
}

/** getPhase: the pod phase from its container states and restart policy. */
export function podPhase(rt: PodRuntime): PodPhase {
  const terminal = rt.terminalPhase();
  if (terminal !== undefined) return terminal;
  if (!rt.initialized) return 'Pending';
  let waiting = 0;
  let running = 0;
  for (const c of rt.containers) {
    if (c.running !== undefined) running++;
    else if (c.terminated === undefined && c.lastTerminated === undefined) waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  // All stopped but some will restart (Always / OnFailure): still Running, as the kubelet reports it.
  return 'Running';
}

/** Keeps a condition's lastTransitionTime while its status stays the same. */
function condition(
  previous: readonly RuntimePodCondition[], now: number, type: string, status: 'True' | 'False', reason?: string, message?: string,
): RuntimePodCondition {
  const prev = previous.find((c) => c.type === type);
  const lastTransitionTime = prev !== undefined && prev.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : time(now);
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason !== undefined ? { reason } : {}), ...(message !== undefined ? { message } : {}) };
}

/**
 * The status to report at `now` (ms). `previous` are the conditions last reported, for transition times.
 * PodScheduled is always True once the kubelet sees the pod ("when kubelet sees the pod, `PodScheduled`
 * condition must be true"), keeping the scheduler's transition time.
 */
export function podStatus(rt: PodRuntime, node: { readonly ip: string }, previous: readonly RuntimePodCondition[], now: number): ApiPodStatus {
  const phase = podPhase(rt);
  const completed = phase === 'Succeeded';
  // Sidecars count among the containers that must be ready (listed first, as GenerateContainersReadyCondition does).
  const readiness = [...rt.initContainers.filter((c) => c.sidecar), ...rt.containers];
  const unready = readiness.filter((c) => !c.ready).map((c) => c.name);
  const notInitialized = rt.initialized ? [] : rt.initContainers.filter((c) => c.sidecar ? !(c.isRunning && c.started) : !(c.isDone && c.succeeded)).map((c) => c.name);
  const ready = unready.length === 0 && phase === 'Running';
  const readyCond = (type: string): RuntimePodCondition => completed
    ? condition(previous, now, type, 'False', 'PodCompleted')
    : ready ? condition(previous, now, type, 'True')
      : condition(previous, now, type, 'False', 'ContainersNotReady', msg.containersNotReady(unready.length > 0 ? unready : readiness.map((c) => c.name)));
  const conditions = [
    condition(previous, now, 'PodReadyToStartContainers', rt.sandbox.state === 'ready' ? 'True' : 'False'),
    completed
      ? condition(previous, now, 'Initialized', 'True', 'PodCompleted')
      : notInitialized.length === 0
        ? condition(previous, now, 'Initialized', 'True')
        : condition(previous, now, 'Initialized', 'False', 'ContainersNotInitialized', msg.containersNotInitialized(notInitialized)),
    readyCond('Ready'),
    readyCond('ContainersReady'),
    condition([...(rt.current.status?.conditions ?? []), ...previous], now, 'PodScheduled', 'True'),
  ];
  const ip = rt.sandbox.ip;
  const deadline = rt.deadlineExceeded !== undefined ? { reason: 'DeadlineExceeded', message: msg.deadlineExceeded } : {};
  return {
    phase,
    ...deadline,
    conditions,
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
    ...(ip !== undefined ? { podIP: ip, podIPs: [{ ip }] } : {}),
    startTime: time(rt.startTime),
    ...(rt.initContainers.length > 0 ? { initContainerStatuses: rt.initContainers.map(containerStatus) } : {}),
    containerStatuses: rt.containers.map(containerStatus),
    qosClass: rt.current.status?.qosClass ?? 'BestEffort',
  };
}
