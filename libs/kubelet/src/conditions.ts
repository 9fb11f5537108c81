// Node conditions as the kubelet's status setters write them (pkg/kubelet/nodestatus/setters.go): the same
// reasons and messages, lastHeartbeatTime = now on every computation, lastTransitionTime kept until the
// status flips.

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type NodeConditionType = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'Ready';

export interface NodeCondition {
  readonly type: NodeConditionType;
  readonly status: ConditionStatus;
  readonly lastHeartbeatTime: string;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** What the simulated node reports about itself; all false/true = a healthy node. */
export interface NodeHealth {
  readonly memoryPressure: boolean;
  readonly diskPressure: boolean;
  readonly pidPressure: boolean;
  /**
   * Why the node is not ready, as the kubelet's readiness message (e.g. the CNI not initialised), or
   * undefined when ready.
   */
  readonly notReadyMessage?: string | undefined;
}

export const healthyNode: NodeHealth = { memoryPressure: false, diskPressure: false, pidPressure: false };

/** The kubelet's message while the VPC CNI has not written its config yet. */
export const CNI_NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

const texts: Record<Exclude<NodeConditionType, 'Ready'>, { readonly on: readonly [string, string]; readonly off: readonly [string, string] }> = {
  MemoryPressure: {
    on: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
    off: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  },
  DiskPressure: {
    on: ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
    off: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  },
  PIDPressure: {
    on: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
    off: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  },
};

/**
 * The four conditions for `health` at `now` (RFC 3339, seconds), in the kubelet's order. A condition in
 * `previous` with the same status keeps its lastTransitionTime; a new or flipped one takes `now`.
 */
export function nodeConditions(health: NodeHealth, now: string, previous: readonly NodeCondition[] = []): NodeCondition[] {
  const make = (type: NodeConditionType, status: ConditionStatus, reason: string, message: string): NodeCondition => {
    const prev = previous.find((c) => c.type === type);
    const lastTransitionTime = prev !== undefined && prev.status === status ? prev.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime, reason, message };
  };
  const pressure = (type: Exclude<NodeConditionType, 'Ready'>, on: boolean): NodeCondition => {
    const [reason, message] = on ? texts[type].on : texts[type].off;
    return make(type, on ? 'True' : 'False', reason, message);
  };
  const ready =
    health.notReadyMessage === undefined
      ? make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : make('Ready', 'False', 'KubeletNotReady', health.notReadyMessage);
  return [
    pressure('MemoryPressure', health.memoryPressure),
    pressure('DiskPressure', health.diskPressure),
    pressure('PIDPressure', health.pidPressure),
    ready,
  ];
}

/**
 * Whether two condition lists differ in anything but lastHeartbeatTime — the kubelet's
 * `nodeConditionsHaveChanged`, which decides whether a status patch is due before the report interval.
 */
export function conditionsChanged(a: readonly NodeCondition[], b: readonly NodeCondition[]): boolean {
  if (a.length !== b.length) return true;
  return a.some((c) => {
    const o = b.find((x) => x.type === c.type);
    return (
      o === undefined ||
      o.status !== c.status ||
      o.reason !== c.reason ||
      o.message !== c.message ||
      o.lastTransitionTime !== c.lastTransitionTime
    );
  });
}
