/** core/v1 pods: kube-apiserver's `printPod`, READY / STATUS / RESTARTS and the wide columns. */
import { age, ageColumn, col, name, nameColumn } from './columns.js';
import { humanDuration, parseTime } from './duration.js';
import { bool, num, rec, recs, str, type Json } from './fields.js';
import type { KubeObject, Printer } from './types.js';

/** `node.NodeUnreachablePodReason`: the node controller's reason for pods on a lost node. */
const nodeLostReason = 'NodeLost';

/** Restart count and the latest `lastState.terminated.finishedAt` among a set of containers. */
interface Restarts { count: number; last: number | null }

function addRestarts(into: Restarts, status: Json): void {
  into.count += num(status['restartCount']);
  const finished = parseTime(rec(rec(status['lastState'])['terminated'])['finishedAt']);
  if (finished !== null && (into.last === null || into.last < finished)) into.last = finished;
}

function conditionTrue(pod: Json, type: string): boolean {
  const found = recs(rec(pod['status'])['conditions']).find((c) => str(c['type']) === type);
  return found !== undefined && str(found['status']) === 'True';
}

function hasReadyCondition(pod: Json): boolean {
  return recs(rec(pod['status'])['conditions']).some((c) => str(c['type']) === 'Ready' && str(c['status']) === 'True');
}

/** A sidecar: an init container with `restartPolicy: Always`. */
function isRestartable(container: Json | undefined): boolean {
  return container !== undefined && str(container['restartPolicy']) === 'Always';
}

/** `Signal:9` / `ExitCode:1` for a terminated state without a reason. */
function exitText(terminated: Json): string {
  const signal = num(terminated['signal']);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(terminated['exitCode'])}`;
}

interface PodSummary { ready: number; total: number; reason: string; restarts: string }

/** READY, STATUS and RESTARTS exactly as `printPod` derives them. */
export function summarizePod(pod: Json, now: number): PodSummary {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const metadata = rec(pod['metadata']);
  const phase = str(status['phase']);
  let reason = str(status['reason']) || phase;
  for (const c of recs(status['conditions'])) {
    if (str(c['type']) === 'PodScheduled' && str(c['reason']) === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Json>();
  const initContainers = recs(spec['initContainers']);
  let total = recs(spec['containers']).length;
  for (const c of initContainers) {
    initSpecs.set(str(c['name']), c);
    if (isRestartable(c)) total++;
  }

  let ready = 0;
  let restarts: Restarts = { count: 0, last: null };
  const sidecarRestarts: Restarts = { count: 0, last: null };
  let initializing = false;
  const initStatuses = recs(status['initContainerStatuses']);
  for (const [i, container] of initStatuses.entries()) {
    const restartable = isRestartable(initSpecs.get(str(container['name'])));
    addRestarts(restarts, container);
    if (restartable) addRestarts(sidecarRestarts, container);
    const state = rec(container['state']);
    const terminated = state['terminated'] === undefined ? null : rec(state['terminated']);
    const waitingReason = str(rec(state['waiting'])['reason']);
    if (terminated !== null && num(terminated['exitCode']) === 0) continue;
    if (restartable && bool(container['started'])) {
      if (bool(container['ready'])) ready++;
      continue;
    }
    initializing = true;
    if (terminated !== null) {
      const why = str(terminated['reason']);
      reason = why === '' ? `Init:${exitText(terminated)}` : `Init:${why}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = { ...sidecarRestarts };
    let hasRunning = false;
    const statuses = recs(status['containerStatuses']);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      addRestarts(restarts, container);
      const state = rec(container['state']);
      const waitingReason = str(rec(state['waiting'])['reason']);
      const terminated = state['terminated'] === undefined ? null : rec(state['terminated']);
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (terminated !== null) {
        reason = str(terminated['reason']) || exitText(terminated);
      } else if (bool(container['ready']) && state['running'] !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasReadyCondition(pod) ? 'Running' : 'NotReady';
  }

  const deleting = typeof metadata['deletionTimestamp'] === 'string';
  if (deleting && str(status['reason']) === nodeLostReason) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartText = String(restarts.count);
  if (restarts.count !== 0 && restarts.last !== null) {
    restartText = `${restarts.count} (${humanDuration(now - restarts.last)} ago)`;
  }
  return { ready, total, reason, restarts: restartText };
}

/** `x/y` readiness gates whose condition is True, `<none>` without gates. */
function readinessGates(pod: Json): string {
  const gates = recs(rec(pod['spec'])['readinessGates']);
  if (gates.length === 0) return '<none>';
  const conditions = recs(rec(pod['status'])['conditions']);
  let met = 0;
  for (const gate of gates) {
    const found = conditions.find((c) => str(c['type']) === str(gate['conditionType']));
    if (found !== undefined && str(found['status']) === 'True') met++;
  }
  return `${met}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    col('IP', 'string', 'podStatus.podIP', 1),
    col('Node', 'string', 'podSpec.nodeName', 1),
    col('Nominated Node', 'string', 'podStatus.nominatedNodeName', 1),
    col('Readiness Gates', 'string', 'podSpec.readinessGates', 1),
  ],
  row(obj: KubeObject, now: number) {
    const pod = obj as Json;
    const s = summarizePod(pod, now);
    const status = rec(pod['status']);
    const ip = str(rec(recs(status['podIPs'])[0])['ip']);
    return [
      name(obj), `${s.ready}/${s.total}`, s.reason, s.restarts, age(obj, now),
      ip || '<none>', str(rec(pod['spec'])['nodeName']) || '<none>', str(status['nominatedNodeName']) || '<none>', readinessGates(pod),
    ];
  },
};
