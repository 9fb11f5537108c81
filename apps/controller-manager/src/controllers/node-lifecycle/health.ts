// The pure core of kube's node lifecycle controller (pkg/controller/nodelifecycle): node health from the
// Ready condition's heartbeats and the node Lease, zone states, and which taints a node's conditions call for.
import type { Condition, Node, Taint } from '../../controller-utils/index.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** What the controller remembers of a node between passes (kube's nodeHealthData). */
export interface NodeHealth {
  /** When the controller last saw the node alive (a new heartbeat or Lease renewal), ms. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The Ready condition's lastHeartbeatTime last seen. */
  heartbeat: string | undefined;
  /** The Lease's renewTime last seen. */
  renewTime: string | undefined;
}

/** The conditions kube sets to Unknown when a kubelet stops posting status (nodeConditionTypes). */
const unknownOnSilence = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface HealthVerdict {
  health: NodeHealth;
  /** The Ready condition as observed before this pass changed anything. */
  observed: Condition | undefined;
  /** The Ready condition after this pass (Unknown when the grace period ran out). */
  current: Condition | undefined;
  /** Conditions to write through nodes/status, when the node must be marked Unknown. */
  newConditions?: Condition[];
  /** The grace period that applied (startup grace until the node first reports). */
  gracePeriodMs: number;
}

const readyOf = (node: Node): Condition | undefined => node.status?.conditions?.find((c) => c.type === 'Ready');

/**
 * kube's tryUpdateNodeHealth: a new Ready heartbeat or a newer Lease renewTime moves the probe timestamp; past
 * probe + grace (monitor grace, or startup grace for a node that never reported), Ready, MemoryPressure,
 * DiskPressure and PIDPressure become Unknown with reason NodeStatusUnknown ("Kubelet stopped posting node
 * status.") — NodeStatusNeverUpdated for a node that never posted them.
 */
export function evaluateNodeHealth(node: Node, leaseRenewTime: string | undefined, saved: NodeHealth | undefined, nowMs: number, o: { monitorGraceMs: number; startupGraceMs: number }): HealthVerdict {
  const observed = readyOf(node);
  const created = Date.parse(node.metadata.creationTimestamp ?? '') || nowMs;
  const gracePeriodMs = observed ? o.monitorGraceMs : o.startupGraceMs;
  let health: NodeHealth;
  if (!saved) {
    health = { probeTimestamp: observed ? nowMs : created, readyTransitionTimestamp: nowMs, heartbeat: observed?.lastHeartbeatTime, renewTime: leaseRenewTime };
  } else {
    health = { ...saved };
    if (observed && observed.lastHeartbeatTime !== saved.heartbeat) {
      health.probeTimestamp = nowMs;
      health.heartbeat = observed.lastHeartbeatTime;
    }
    if (leaseRenewTime !== undefined && (saved.renewTime === undefined || Date.parse(leaseRenewTime) > Date.parse(saved.renewTime))) {
      health.probeTimestamp = nowMs;
      health.renewTime = leaseRenewTime;
    }
  }
  if (nowMs <= health.probeTimestamp + gracePeriodMs) return { health, observed, current: observed, gracePeriodMs };

  const at = rfc3339Micro(nowMs);
  const existing = node.status?.conditions ?? [];
  let changed = false;
  const conditions = existing.map((c) => ({ ...c }));
  for (const type of unknownOnSilence) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: rfc3339(created), lastTransitionTime: at });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at });
      changed = true;
    }
  }
  const current = conditions.find((c) => c.type === 'Ready');
  if (observed?.status !== current?.status) health.readyTransitionTimestamp = nowMs;
  return { health, observed, current, gracePeriodMs, ...(changed ? { newConditions: conditions } : {}) };
}

/**
 * kube's ComputeZoneState over the Ready conditions of a zone's nodes: FullDisruption when none is ready (and
 * some are not); PartialDisruption when more than 2 are not ready and they are at least `unhealthyThreshold` of
 * the zone; Normal otherwise.
 */
export function computeZoneState(readyConditions: readonly (Condition | undefined)[], unhealthyThreshold: number): { notReady: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === 'True') ready += 1;
    else notReady += 1;
  }
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

/**
 * The eviction (tainting) rate of a zone in a state, nodes/s (setLimiterInZone): Normal and FullDisruption →
 * --node-eviction-rate (kube's HealthyQPSFunc: a zone that is entirely down while others answer is evacuated at
 * the normal rate); PartialDisruption → --secondary-node-eviction-rate when the zone has more than
 * --large-cluster-size-threshold nodes, else 0 (ReducedQPSFunc). When every zone is fully disrupted the caller
 * stops all evictions instead.
 */
export function zoneEvictionRate(state: ZoneState, zoneSize: number, o: { evictionRate: number; secondaryEvictionRate: number; largeClusterThreshold: number }): number {
  if (state === 'PartialDisruption') return zoneSize <= o.largeClusterThreshold ? 0 : o.secondaryEvictionRate;
  return o.evictionRate;
}

/** The zone key kube uses (utilnode.GetZoneKey): `<region>:\0:<zone>`, "" when the node has neither label. */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const region = labels[REGION_LABEL] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels[ZONE_LABEL] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** The zone's name for logs and metrics. */
export const zoneName = (key: string): string => key.split(':\x00:').pop() ?? key;

/**
 * The NoSchedule taints kube's TaintNodesByCondition keeps in step with a node's conditions and spec
 * (nodeConditionToTaintKeyStatusMap + unschedulable).
 */
export function noScheduleTaintsFor(node: Node): string[] {
  const keys: string[] = [];
  const status = (type: string): string | undefined => node.status?.conditions?.find((c) => c.type === type)?.status;
  const ready = status('Ready');
  if (ready === 'False') keys.push(TAINT_NOT_READY);
  if (ready === 'Unknown') keys.push(TAINT_UNREACHABLE);
  if (status('MemoryPressure') === 'True') keys.push('node.kubernetes.io/memory-pressure');
  if (status('DiskPressure') === 'True') keys.push('node.kubernetes.io/disk-pressure');
  if (status('PIDPressure') === 'True') keys.push('node.kubernetes.io/pid-pressure');
  if (status('NetworkUnavailable') === 'True') keys.push('node.kubernetes.io/network-unavailable');
  if (node.spec?.unschedulable) keys.push('node.kubernetes.io/unschedulable');
  return keys;
}

/** The keys TaintNodesByCondition manages (only these are added or removed by it). */
export const conditionTaintKeys = new Set([
  TAINT_NOT_READY, TAINT_UNREACHABLE, 'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/pid-pressure', 'node.kubernetes.io/network-unavailable', 'node.kubernetes.io/unschedulable',
]);

/** A node's taints with `add` put in (timeAdded now for NoExecute) and `remove` taken out; undefined when unchanged. */
export function withTaints(taints: readonly Taint[], add: readonly Taint[], remove: (t: Taint) => boolean, nowMs: number): Taint[] | undefined {
  const kept = taints.filter((t) => !remove(t) || add.some((a) => a.key === t.key && a.effect === t.effect));
  const missing = add.filter((a) => !kept.some((t) => t.key === a.key && t.effect === a.effect));
  if (missing.length === 0 && kept.length === taints.length) return undefined;
  return [...kept, ...missing.map((a) => (a.effect === 'NoExecute' ? { ...a, timeAdded: rfc3339(nowMs) } : a))];
}

export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const rfc3339Micro = rfc3339;
