// The kubelet's /metrics/resource on the agent's ops /metrics: what the simulated containers use
// (`ekslab.io/cpu-millicores`, `ekslab.io/memory-mib`), per container, pod and hosted node (label `node`,
// since one agent hosts many nodes). Computed at scrape time from the pods' runtimes.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '@ekslab/runtime';
import type { NodeUsageSnapshot } from './pod-manager.js';

export interface ResourceMetricsOptions {
  readonly clock: Clock;
  readonly usage: (now: number) => NodeUsageSnapshot[];
  /** What a node uses besides its pods (system daemons). */
  readonly nodeBaseCpuMillicores: number;
  readonly nodeBaseMemoryMib: number;
}

const MIB = 1024 * 1024;

/**
 * Registers `container_cpu_usage_seconds_total`, `container_memory_working_set_bytes` (running containers),
 * `pod_cpu_usage_seconds_total`, `pod_memory_working_set_bytes`, `node_cpu_usage_seconds_total` and
 * `node_memory_working_set_bytes` (its pods plus the base). One snapshot serves all six within a scrape.
 */
export function registerResourceMetrics(registry: Registry, o: ResourceMetricsOptions): void {
  let cached: { at: number; nodes: NodeUsageSnapshot[] } | undefined;
  const snapshot = (): { at: number; nodes: NodeUsageSnapshot[] } => {
    const now = o.clock.now();
    // The six collectors of one scrape run back to back: compute once.
    if (cached === undefined || now - cached.at > 100) cached = { at: now, nodes: o.usage(now) };
    return cached;
  };
  const containerLabels = ['container', 'namespace', 'pod', 'node'] as const;
  const podLabels = ['namespace', 'pod', 'node'] as const;
  new Counter({
    name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the container in core-seconds', labelNames: containerLabels, registers: [registry],
    collect() {
      this.reset();
      for (const n of snapshot().nodes) for (const p of n.pods) for (const c of p.usage.containers) {
        this.inc({ container: c.name, namespace: p.namespace, pod: p.name, node: n.node }, c.cpuSeconds);
      }
    },
  });
  new Gauge({
    name: 'container_memory_working_set_bytes', help: 'Current working set of the container in bytes', labelNames: containerLabels, registers: [registry],
    collect() {
      this.reset();
      for (const n of snapshot().nodes) for (const p of n.pods) for (const c of p.usage.containers) {
        this.set({ container: c.name, namespace: p.namespace, pod: p.name, node: n.node }, c.memoryBytes);
      }
    },
  });
  new Counter({
    name: 'pod_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the pod in core-seconds', labelNames: podLabels, registers: [registry],
    collect() {
      this.reset();
      for (const n of snapshot().nodes) for (const p of n.pods) this.inc({ namespace: p.namespace, pod: p.name, node: n.node }, p.usage.cpuSeconds);
    },
  });
  new Gauge({
    name: 'pod_memory_working_set_bytes', help: 'Current working set of the pod in bytes', labelNames: podLabels, registers: [registry],
    collect() {
      this.reset();
      for (const n of snapshot().nodes) for (const p of n.pods) this.set({ namespace: p.namespace, pod: p.name, node: n.node }, p.usage.memoryBytes);
    },
  });
  new Counter({
    name: 'node_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the node in core-seconds', labelNames: ['node'], registers: [registry],
    collect() {
      this.reset();
      const { at, nodes } = snapshot();
      for (const n of nodes) {
        const base = (Math.max(0, at - n.since) / 1000) * (o.nodeBaseCpuMillicores / 1000);
        this.inc({ node: n.node }, base + n.retiredCpuSeconds + n.pods.reduce((s, p) => s + p.usage.cpuSeconds, 0));
      }
    },
  });
  new Gauge({
    name: 'node_memory_working_set_bytes', help: 'Current working set of the node in bytes', labelNames: ['node'], registers: [registry],
    collect() {
      this.reset();
      for (const n of snapshot().nodes) this.set({ node: n.node }, o.nodeBaseMemoryMib * MIB + n.pods.reduce((s, p) => s + p.usage.memoryBytes, 0));
    },
  });
}
