import { failure } from '../http/status.js';

// pods/{name}/log: the PodLogOptions of the query, and the pod/container checks kube-apiserver and the
// kubelet make before any log is read. Pure functions over JSON objects.

/** core/v1 PodLogOptions as the query carries them (absent numbers: unset). */
export interface PodLogOptions {
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: string;
  readonly limitBytes?: number;
}

/** runtime.Convert_Slice_string_To_bool: absent, "0", "f", "false", "n", "no" (any case) are false; anything else true. */
function parseBool(raw: string | null): boolean {
  return raw !== null && !['0', 'f', 'false', 'n', 'no'].includes(raw.toLowerCase());
}

/** strconv.ParseInt of a query value; 400 BadRequest with Go's message when it is not a number. */
function parseInt64(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  if (!/^[+-]?\d+$/.test(raw)) throw failure(400, 'BadRequest', `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  if (!Number.isSafeInteger(Number(raw))) throw failure(400, 'BadRequest', `strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
  return Number(raw);
}

/**
 * The query's PodLogOptions, validated as ValidatePodLogOptions (pkg/apis/core/validation): 422 Invalid
 * `PodLogOptions "<pod>" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0`,
 * limitBytes and sinceSeconds > 0, sinceTime and sinceSeconds not both.
 */
export function podLogOptions(pod: string, q: URLSearchParams): PodLogOptions {
  const sinceTime = q.get('sinceTime') ?? undefined;
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    throw failure(400, 'BadRequest', `parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as RFC3339`);
  }
  const o: PodLogOptions = {
    container: q.get('container') ?? '',
    follow: parseBool(q.get('follow')),
    previous: parseBool(q.get('previous')),
    timestamps: parseBool(q.get('timestamps')),
    ...defined('tailLines', parseInt64(q.get('tailLines'))),
    ...defined('sinceSeconds', parseInt64(q.get('sinceSeconds'))),
    ...defined('limitBytes', parseInt64(q.get('limitBytes'))),
    ...(sinceTime !== undefined ? { sinceTime } : {}),
  };
  const causes: Array<{ reason: string; message: string; field: string }> = [];
  const invalid = (field: string, value: number, detail: string) => causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field });
  if (o.tailLines !== undefined && o.tailLines < 0) invalid('tailLines', o.tailLines, 'must be greater than or equal to 0');
  if (o.limitBytes !== undefined && o.limitBytes < 1) invalid('limitBytes', o.limitBytes, 'must be greater than 0');
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified', field: '' });
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0');
  }
  if (causes.length > 0) {
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    throw failure(422, 'Invalid', `PodLogOptions ${JSON.stringify(pod)} is invalid: ${list.length === 1 ? list[0]! : `[${list.join(', ')}]`}`, { name: pod, kind: 'PodLogOptions', causes });
  }
  return o;
}

function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  if (value !== undefined) out[key] = value;
  return out;
}

interface ContainerLike { readonly name?: string }
export interface PodLike {
  readonly metadata: { readonly name?: string };
  readonly spec?: { readonly initContainers?: readonly ContainerLike[]; readonly containers?: readonly ContainerLike[]; readonly ephemeralContainers?: readonly ContainerLike[]; readonly nodeName?: string };
  readonly status?: {
    readonly containerStatuses?: readonly ContainerStatus[];
    readonly initContainerStatuses?: readonly ContainerStatus[];
    readonly ephemeralContainerStatuses?: readonly ContainerStatus[];
  };
}
interface ContainerState {
  readonly waiting?: { readonly reason?: string };
  readonly running?: object;
  readonly terminated?: { readonly containerID?: string };
}
interface ContainerStatus {
  readonly name: string;
  readonly containerID?: string;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

/** Names in podutil.VisitContainers order: init containers, containers, ephemeral containers. */
const containerNames = (pod: PodLike): string[] =>
  [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name ?? '');

/**
 * The container whose log is read (pod strategy's validateContainer): the one asked for, which must
 * exist, or the pod's only container; 400 BadRequest otherwise, worded as kube-apiserver.
 */
export function logContainer(pod: PodLike, container: string): string {
  const name = pod.metadata.name ?? '';
  if (container === '') {
    const containers = pod.spec?.containers ?? [];
    if (containers.length === 1) return containers[0]!.name ?? '';
    if (containers.length === 0) throw failure(400, 'BadRequest', `a container name must be specified for pod ${name}`);
    throw failure(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`);
  }
  if (!containerNames(pod).includes(container)) throw failure(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  return container;
}

/**
 * Whether the container has a log to read, from the pod status the node agent reported: the kubelet's
 * validateContainerLogStatus, with its messages (400 BadRequest, as kube-apiserver relays them):
 * `container "c" in pod "p" is waiting to start: ContainerCreating`, `… is terminated`,
 * `previous terminated container "c" in pod "p" not found`, `… is not available`.
 */
export function checkContainerLogStatus(pod: PodLike, container: string, previous: boolean): void {
  const podName = pod.metadata.name ?? '';
  const s = pod.status;
  const status = [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])].find((c) => c.name === container);
  const c = JSON.stringify(container);
  const p = JSON.stringify(podName);
  const bad = (message: string): never => {
    throw failure(400, 'BadRequest', message);
  };
  if (!status) return bad(`container ${c} in pod ${p} is not available`);
  const last = status.lastState?.terminated;
  const { waiting, running, terminated } = status.state ?? {};
  if (previous) {
    if (!last?.containerID) bad(`previous terminated container ${c} in pod ${p} not found`);
    return;
  }
  if (running) return;
  if (terminated) {
    if (!terminated.containerID && !last?.containerID) bad(`container ${c} in pod ${p} is terminated`);
    return;
  }
  if (last) {
    if (!last.containerID) bad(`container ${c} in pod ${p} is terminated`);
    return;
  }
  if (waiting) {
    switch (waiting.reason) {
      case 'ErrImagePull': return bad(`container ${c} in pod ${p} is waiting to start: image can't be pulled`);
      case 'ImagePullBackOff': return bad(`container ${c} in pod ${p} is waiting to start: trying and failing to pull image`);
      default: return bad(`container ${c} in pod ${p} is waiting to start: ${waiting.reason ?? ''}`);
    }
  }
  bad(`container ${c} in pod ${p} is waiting to start - no logs yet`);
}
