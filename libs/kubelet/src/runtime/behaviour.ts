// How a simulated container behaves, set per pod (or per container) by annotations. This is the one place
// that documents them. A plain image with no annotations runs forever, is ready at once and logs a heartbeat.
//
// Every key may be suffixed with `.<container>` to apply to one container only
// (`ekslab.io/exit-code.migrate: "3"`); the suffixed key wins over the pod-wide one. Pod-wide keys apply to
// regular containers; init containers read only their suffixed keys (they default to exiting 0 after
// `initRunForMs`, 1 s). A sidecar (an init container with `restartPolicy: Always`) also reads only its
// suffixed keys, but runs forever by default like a regular container.
//
// | annotation                     | value              | default                         | effect |
// |--------------------------------|--------------------|---------------------------------|--------|
// | `ekslab.io/run-for`            | duration           | forever                         | the container exits (with `exit-code`) this long after it started |
// | `ekslab.io/crash-after`        | duration           | —                               | same as run-for with exit code 1 unless `exit-code` says otherwise |
// | `ekslab.io/exit-code`          | integer 0–255      | 0 (1 with crash-after)          | the code the container exits with |
// | `ekslab.io/ready-after`        | duration           | readinessProbe initialDelaySeconds, else 0 | readiness turns true this long after start |
// | `ekslab.io/liveness-fail-after`| duration           | never                           | liveness fails this long after start: Unhealthy ×failureThreshold, Killing, restart |
// | `ekslab.io/startup-after`      | duration           | the startupProbe's initialDelaySeconds + periodSeconds × (successThreshold − 1) | with a startupProbe: the probe (run at initialDelaySeconds + k × periodSeconds) succeeds from this long after start; each earlier run is an Unhealthy `Startup probe failed: …`, and failureThreshold of them kill and restart the container. Until it succeeds the container is not started, readiness and liveness do not run |
// | `ekslab.io/unready-after`      | duration           | never                           | readiness starts failing this long after start (runs every readinessProbe periodSeconds, default 10 s: Unhealthy `Readiness probe failed: …`); after failureThreshold (3) failures the container is not ready (pod Ready/ContainersReady False); it is not restarted |
// | `ekslab.io/unready-for`        | duration           | forever                         | how long readiness keeps failing after `unready-after`; the first probe run after that makes it ready again (flapping) |
// | `ekslab.io/terminate-after`    | duration           | the agent's default (1 s)       | how long the container takes to stop on SIGTERM; beyond the grace period it is killed (137) |
// | `ekslab.io/image-missing`      | `true`             | false                           | the image cannot be pulled (as any image whose repository starts with `missing/`) |
// | `ekslab.io/log-lines`          | text, `\n`-separated| image/command lines            | the lines the container prints when it starts |
// | `ekslab.io/log-interval`       | duration           | the agent's default (10 s)      | period of the heartbeat log line; `0` = none |
// | `ekslab.io/cpu-millicores`     | number ≥ 0         | 1                               | CPU the running container uses, in millicores: `container_cpu_usage_seconds_total` grows at this rate on the agent's /metrics |
// | `ekslab.io/memory-mib`         | number ≥ 0         | 8                               | the running container's working set, MiB (`container_memory_working_set_bytes`) |
//
// Durations are Go-style (`1.5s`, `500ms`, `2m`, `1h30m`) or plain seconds (`3`). A malformed value is
// ignored (the default applies), as a real workload would not crash the kubelet.

const PREFIX = 'ekslab.io/';

export const BEHAVIOUR_ANNOTATIONS = {
  runFor: `${PREFIX}run-for`,
  crashAfter: `${PREFIX}crash-after`,
  exitCode: `${PREFIX}exit-code`,
  readyAfter: `${PREFIX}ready-after`,
  livenessFailAfter: `${PREFIX}liveness-fail-after`,
  terminateAfter: `${PREFIX}terminate-after`,
  imageMissing: `${PREFIX}image-missing`,
  logLines: `${PREFIX}log-lines`,
  logInterval: `${PREFIX}log-interval`,
  startupAfter: `${PREFIX}startup-after`,
  unreadyAfter: `${PREFIX}unready-after`,
  unreadyFor: `${PREFIX}unready-for`,
  cpuMillicores: `${PREFIX}cpu-millicores`,
  memoryMib: `${PREFIX}memory-mib`,
} as const;

/** Simulated usage of a container that sets none. */
export const DEFAULT_CPU_MILLICORES = 1;
export const DEFAULT_MEMORY_MIB = 8;

/** What one container does once started. Times in ms from its start. */
export interface ContainerBehaviour {
  /** When it exits on its own; undefined = never. */
  readonly exitAfterMs: number | undefined;
  readonly exitCode: number;
  /** Explicit readiness delay; undefined = from the readinessProbe (or at once). */
  readonly readyAfterMs: number | undefined;
  readonly livenessFailAfterMs: number | undefined;
  /** How long it takes to stop after SIGTERM; undefined = the agent's default. */
  readonly terminateAfterMs: number | undefined;
  readonly imageMissing: boolean;
  /** Lines printed at start; undefined = the default image/command lines. */
  readonly logLines: readonly string[] | undefined;
  readonly logIntervalMs: number | undefined;
  /** When a startupProbe first succeeds; undefined = from the probe's own timing. */
  readonly startupAfterMs: number | undefined;
  /** When readiness starts failing, and for how long (undefined = never / forever). */
  readonly unreadyAfterMs: number | undefined;
  readonly unreadyForMs: number | undefined;
  readonly cpuMillicores: number;
  readonly memoryMib: number;
}

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`1h2m3.5s`, `250ms`) or plain seconds (`3`, `0.5`) in ms; undefined when malformed or negative. */
export function parseDuration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === s.length && matched > 0 ? Math.round(total) : undefined;
}

/**
 * Go's time.Duration.String for whole-ms durations, as the kubelet prints back-off delays:
 * `10s`, `1m20s`, `5m0s`, `1.5s`, `300ms`.
 */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

type Annotations = Readonly<Record<string, string>> | undefined;

function lookup(annotations: Annotations, key: string, container: string, podWide: boolean): string | undefined {
  return annotations?.[`${key}.${container}`] ?? (podWide ? annotations?.[key] : undefined);
}

function exitCodeOf(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,3}$/.test(raw.trim())) return undefined;
  const n = Number(raw);
  return n <= 255 ? n : undefined;
}

/** Default run time of an init container (it then exits 0). */
export const DEFAULT_INIT_RUN_FOR_MS = 1000;

function quantity(raw: string | undefined, fallback: number): number {
  if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw.trim())) return fallback;
  return Number(raw);
}

/** The behaviour of `container` from the pod's annotations (see the table above); `sidecar`: a restartable init container. */
export function containerBehaviour(annotations: Annotations, container: string, init: boolean, sidecar = false): ContainerBehaviour {
  const get = (key: string): string | undefined => lookup(annotations, key, container, !init);
  const runFor = parseDuration(get(BEHAVIOUR_ANNOTATIONS.runFor));
  const crashAfter = parseDuration(get(BEHAVIOUR_ANNOTATIONS.crashAfter));
  const explicitCode = exitCodeOf(get(BEHAVIOUR_ANNOTATIONS.exitCode));
  const exitAfterMs = crashAfter ?? runFor ?? (init && !sidecar ? DEFAULT_INIT_RUN_FOR_MS : undefined);
  const exitCode = explicitCode ?? (crashAfter !== undefined && runFor === undefined ? 1 : 0);
  const lines = get(BEHAVIOUR_ANNOTATIONS.logLines);
  return {
    exitAfterMs,
    exitCode,
    readyAfterMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.readyAfter)),
    livenessFailAfterMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.livenessFailAfter)),
    terminateAfterMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.terminateAfter)),
    imageMissing: get(BEHAVIOUR_ANNOTATIONS.imageMissing) === 'true',
    logLines: lines === undefined ? undefined : lines.split('\n').filter((l) => l !== ''),
    logIntervalMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.logInterval)),
    startupAfterMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.startupAfter)),
    unreadyAfterMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.unreadyAfter)),
    unreadyForMs: parseDuration(get(BEHAVIOUR_ANNOTATIONS.unreadyFor)),
    cpuMillicores: quantity(get(BEHAVIOUR_ANNOTATIONS.cpuMillicores), DEFAULT_CPU_MILLICORES),
    memoryMib: quantity(get(BEHAVIOUR_ANNOTATIONS.memoryMib), DEFAULT_MEMORY_MIB),
  };
}
