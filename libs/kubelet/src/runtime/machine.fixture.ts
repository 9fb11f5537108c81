// The fake-clock harness of the runtime's tests: drives one PodRuntime as the agent's pod worker does.
import { ImageCache } from './images.js';
import { PodRuntime } from './machine.js';
import { podStatus, type ApiPodStatus } from './status.js';
import { defaultRuntimeTiming, type RuntimeEvent, type RuntimePod, type RuntimeTiming } from './types.js';

export const T0 = 1_700_000_000_000;

export function pod(over: { annotations?: Record<string, string>; spec?: Partial<RuntimePod['spec']> } = {}): RuntimePod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u-1', ...(over.annotations ? { annotations: over.annotations } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'nginx:1.27' }], ...over.spec },
    status: { qosClass: 'BestEffort' },
  };
}

/** Drives one PodRuntime as the agent's pod worker does, with a fake network and a manual clock. */
export class Harness {
  now = T0;
  readonly events: RuntimeEvent[] = [];
  readonly calls: string[] = [];
  readonly rt: PodRuntime;
  status!: ApiPodStatus;

  constructor(p: RuntimePod, timing: Partial<RuntimeTiming> = {}, readonly images = new ImageCache(), public addresses: string[] = ['10.0.1.5']) {
    this.rt = new PodRuntime(p, { nodeName: 'n1', nodeIp: '10.0.0.10', images, timing: { ...defaultRuntimeTiming, ...timing } }, this.now);
    this.sync();
  }

  sync(): void {
    this.rt.advance(this.now);
    for (let need = this.rt.need(); need !== undefined; need = this.rt.need()) {
      this.calls.push(need.kind);
      if (need.kind === 'addNetwork') {
        const ip = this.addresses.shift();
        if (ip === undefined) this.rt.networkFailed(undefined, this.now);
        else this.rt.networkAdded(ip, this.now);
      } else if (need.kind === 'delNetwork') this.rt.networkDeleted(this.now);
      else this.rt.deleted();
      this.rt.advance(this.now);
    }
    this.events.push(...this.rt.takeEvents());
    this.status = podStatus(this.rt, { ip: '10.0.0.10' }, this.status?.conditions ?? [], this.now);
  }

  /** Moves time, syncing at every wake-up on the way (as the timer heap would). */
  advanceTo(t: number): void {
    for (;;) {
      const wake = this.rt.nextWake();
      if (wake === undefined || wake > t) break;
      this.now = Math.max(this.now, wake);
      this.sync();
    }
    this.now = t;
    this.sync();
  }

  advance(ms: number): void {
    this.advanceTo(this.now + ms);
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }

  container(name = 'app') {
    return this.status.containerStatuses.find((c) => c.name === name) ?? this.status.initContainerStatuses?.find((c) => c.name === name);
  }
}

export const cond = (s: ApiPodStatus, type: string) => s.conditions.find((c) => c.type === type);
