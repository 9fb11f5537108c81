// The slice of a v1 Pod the simulated runtime reads, and what it reports back.

export interface RuntimeProbe {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
  readonly httpGet?: { readonly path?: string; readonly port?: number | string };
  readonly tcpSocket?: { readonly port?: number | string };
  readonly exec?: { readonly command?: readonly string[] };
}

export interface RuntimeContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** `Always` on an init container makes it a sidecar (a restartable init container). */
  readonly restartPolicy?: string;
  readonly readinessProbe?: RuntimeProbe;
  readonly livenessProbe?: RuntimeProbe;
  readonly startupProbe?: RuntimeProbe;
}

export interface RuntimePodCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly lastProbeTime?: null;
}

export interface RuntimePod {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: string;
    readonly deletionGracePeriodSeconds?: number;
  };
  readonly spec: {
    readonly nodeName?: string;
    readonly hostNetwork?: boolean;
    readonly restartPolicy?: string;
    readonly terminationGracePeriodSeconds?: number;
    readonly activeDeadlineSeconds?: number;
    readonly initContainers?: readonly RuntimeContainerSpec[];
    readonly containers: readonly RuntimeContainerSpec[];
  };
  readonly status?: {
    readonly qosClass?: string;
    readonly phase?: string;
    readonly conditions?: readonly RuntimePodCondition[];
    readonly podIP?: string;
    readonly startTime?: string;
    readonly initContainerStatuses?: readonly ReportedContainerStatus[];
    readonly containerStatuses?: readonly ReportedContainerStatus[];
  };
}

interface ReportedState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: { readonly exitCode?: number; readonly reason?: string; readonly startedAt?: string; readonly finishedAt?: string; readonly containerID?: string };
}

/** A container status as a kubelet reported it earlier (what a restarted agent adopts). */
export interface ReportedContainerStatus {
  readonly name: string;
  readonly state?: ReportedState;
  readonly lastState?: ReportedState;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly containerID?: string;
}

/** An event the kubelet records about the pod (fieldPath names the container, when it is about one). */
export interface RuntimeEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly fieldPath?: string;
  /** ms on the runtime's clock. */
  readonly at: number;
}

/** Timings of the simulated runtime; kubelet defaults in `defaultRuntimeTiming`. */
export interface RuntimeTiming {
  /** CrashLoopBackOff: first delay (kubelet 10 s), doubling up to `crashLoopMaxMs` (5 min). */
  readonly crashLoopInitialMs: number;
  readonly crashLoopMaxMs: number;
  /** ImagePullBackOff: first delay (10 s), doubling up to `imagePullMaxMs` (5 min). */
  readonly imagePullInitialMs: number;
  readonly imagePullMaxMs: number;
  /** A failed sandbox (no address) is retried this long after (the pod worker's 10 s back-off period). */
  readonly sandboxRetryMs: number;
  /** Simulated pull bandwidth: duration = image size / this. */
  readonly pullBytesPerSecond: number;
  /** How long a container takes to stop on SIGTERM unless `ekslab.io/terminate-after` says otherwise. */
  readonly terminateAfterMs: number;
  /** Heartbeat log period unless `ekslab.io/log-interval` says otherwise; 0 = none. */
  readonly logIntervalMs: number;
  /** After ErrImagePull the pod is synced again this soon and shows ImagePullBackOff. */
  readonly errorResyncMs: number;
}

export const defaultRuntimeTiming: RuntimeTiming = {
  crashLoopInitialMs: 10_000,
  crashLoopMaxMs: 300_000,
  imagePullInitialMs: 10_000,
  imagePullMaxMs: 300_000,
  sandboxRetryMs: 10_000,
  pullBytesPerSecond: 40 * 1024 * 1024,
  terminateAfterMs: 1_000,
  logIntervalMs: 10_000,
  errorResyncMs: 1_000,
};

/** What the runtime needs done outside itself before it can go on. */
export type RuntimeNeed =
  | { readonly kind: 'addNetwork'; readonly sandboxId: string }
  | { readonly kind: 'delNetwork'; readonly sandboxId: string }
  | { readonly kind: 'delete' };
