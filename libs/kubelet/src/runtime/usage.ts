// What a pod's simulated containers use, as the kubelet's /metrics/resource reports it (cAdvisor's numbers):
// computed from the runtime's state when asked, so a scrape costs O(containers) and nothing ticks per pod.
import type { PodRuntime } from './machine.js';

export interface ContainerUsage {
  readonly name: string;
  /** CPU seconds of the running instance (a restart starts a new counter, as a new cgroup does). */
  readonly cpuSeconds: number;
  readonly memoryBytes: number;
}

export interface PodUsage {
  /** Running containers only (the kubelet reports no usage for stopped ones). */
  readonly containers: readonly ContainerUsage[];
  /** CPU seconds of every instance of every container (the pod cgroup's counter). */
  readonly cpuSeconds: number;
  readonly memoryBytes: number;
}

const MIB = 1024 * 1024;

export function podUsage(rt: PodRuntime, now: number): PodUsage {
  const containers: ContainerUsage[] = [];
  let cpuSeconds = 0;
  let memoryBytes = 0;
  for (const c of rt.allContainers()) {
    cpuSeconds += c.cpuRetiredSeconds;
    if (c.running === undefined) continue;
    const cpu = c.cpuSeconds(now);
    const memory = Math.round(c.behaviour.memoryMib * MIB);
    cpuSeconds += cpu;
    memoryBytes += memory;
    containers.push({ name: c.name, cpuSeconds: cpu, memoryBytes: memory });
  }
  return { containers, cpuSeconds, memoryBytes };
}
