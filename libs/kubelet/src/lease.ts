// The node Lease and the kubelet's two heartbeat loops, as pure functions of a clock and a random source.
// Facts: component-helpers/apimachinery/lease (renew loop `wait.JitterUntil(sync, renewInterval, 0.04,
// sliding=true)`), pkg/kubelet (renewInterval = leaseDuration × 0.25; status loop `wait.JitterUntil(
// syncNodeStatus, nodeStatusUpdateFrequency, 0.04, sliding=true)`; a status patch only when something changed
// or nodeStatusReportFrequency has passed since the last one).

/** Namespace of node heartbeat leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface HeartbeatTiming {
  /** kubelet `nodeLeaseDurationSeconds`; default 40. */
  readonly leaseDurationSeconds: number;
  /** renewInterval = duration × this; the kubelet's `nodeLeaseRenewIntervalFraction` = 0.25 → 10 s. */
  readonly renewIntervalFraction: number;
  /** `nodeStatusUpdateFrequency`; default 10 s. */
  readonly statusUpdateFrequencyMs: number;
  /** `nodeStatusReportFrequency`; default 5 min. */
  readonly statusReportFrequencyMs: number;
  /** JitterUntil's maxFactor for both loops; 0.04. */
  readonly jitterFactor: number;
}

export const defaultHeartbeatTiming: HeartbeatTiming = {
  leaseDurationSeconds: 40,
  renewIntervalFraction: 0.25,
  statusUpdateFrequencyMs: 10_000,
  statusReportFrequencyMs: 5 * 60_000,
  jitterFactor: 0.04,
};

/** A Go metav1.MicroTime as JSON: RFC 3339 with exactly six fractional digits (`…T06:25:25.123000Z`). */
export function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A metav1.Time as JSON: RFC 3339 to the second. */
export function rfc3339(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface NodeLease {
  readonly apiVersion: 'coordination.k8s.io/v1';
  readonly kind: 'Lease';
  readonly metadata: {
    readonly name: string;
    readonly namespace: typeof NODE_LEASE_NAMESPACE;
    readonly ownerReferences?: ReadonlyArray<{ readonly apiVersion: 'v1'; readonly kind: 'Node'; readonly name: string; readonly uid: string }>;
  };
  readonly spec: { readonly holderIdentity: string; readonly leaseDurationSeconds: number; readonly renewTime: string };
}

/**
 * The Lease the kubelet writes for `node` at `now`. holderIdentity defaults to the node name (the kubelet's
 * choice). The owner reference to the Node is set once the Node's uid is known, as the kubelet's
 * `setNodeOwnerFunc` does, so deleting the Node garbage-collects its Lease.
 */
export function leaseFor(
  node: { readonly name: string; readonly uid?: string | undefined },
  now: Date,
  holder: string = node.name,
  leaseDurationSeconds: number = defaultHeartbeatTiming.leaseDurationSeconds,
): NodeLease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.name,
      namespace: NODE_LEASE_NAMESPACE,
      ...(node.uid === undefined ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }] }),
    },
    spec: { holderIdentity: holder, leaseDurationSeconds, renewTime: microTime(now) },
  };
}

/** A random source in [0, 1), injectable for tests. */
export type Random = () => number;

/**
 * wait.Jitter: `duration + random × maxFactor × duration` — only ever longer, never shorter (maxFactor ≤ 0
 * means 1.0, as in Go).
 */
export function jitter(durationMs: number, maxFactor: number, random: Random): number {
  const factor = maxFactor <= 0 ? 1 : maxFactor;
  return durationMs + random() * factor * durationMs;
}

/** The lease renew interval in ms: duration × fraction (40 s × 0.25 = 10 s). */
export function renewIntervalMs(timing: HeartbeatTiming = defaultHeartbeatTiming): number {
  return timing.leaseDurationSeconds * 1000 * timing.renewIntervalFraction;
}

/**
 * When the next lease renewal starts, given when the previous sync *finished* (JitterUntil is sliding: the
 * period is counted after the sync returns). Lies in [end + 10 s, end + 10.4 s) by default.
 */
export function nextLeaseRenewal(previousSyncEndMs: number, random: Random, timing: HeartbeatTiming = defaultHeartbeatTiming): number {
  return previousSyncEndMs + jitter(renewIntervalMs(timing), timing.jitterFactor, random);
}

/** When the next NodeStatus sync starts, given when the previous one finished: [end + 10 s, end + 10.4 s). */
export function nextStatusSync(previousSyncEndMs: number, random: Random, timing: HeartbeatTiming = defaultHeartbeatTiming): number {
  return previousSyncEndMs + jitter(timing.statusUpdateFrequencyMs, timing.jitterFactor, random);
}

/**
 * Whether a status sync at `nowMs` patches the Node: always when the status changed (see
 * `conditionsChanged`) or nothing was reported yet, otherwise once `nowMs ≥ lastReport + reportFrequency`.
 */
export function statusPatchDue(
  nowMs: number,
  lastReportMs: number | undefined,
  changed: boolean,
  timing: HeartbeatTiming = defaultHeartbeatTiming,
): boolean {
  if (changed || lastReportMs === undefined) return true;
  return nowMs >= lastReportMs + timing.statusReportFrequencyMs;
}

/**
 * Whether a lease renewed at `renewTimeMs` has expired at `nowMs` (renewTime + leaseDurationSeconds ≤ now),
 * the test the node lifecycle controller and leader electors apply.
 */
export function leaseExpired(renewTimeMs: number, nowMs: number, leaseDurationSeconds: number = defaultHeartbeatTiming.leaseDurationSeconds): boolean {
  return renewTimeMs + leaseDurationSeconds * 1000 <= nowMs;
}
