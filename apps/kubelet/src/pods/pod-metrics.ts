import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What pod workers report (all optional to implement in tests). */
export interface PodMetrics {
  /** The pod became Ready for the first time, `ms` after the agent first saw it. */
  podReady(ms: number): void;
  /** A CNI ADD found no address or failed (FailedCreatePodSandBox). */
  sandboxFailed(): void;
  /** A pod sync failed on an API call and backs off. */
  syncFailed(): void;
}

/**
 * `ekslab_kubelet_pod_start_duration_seconds` (first seen → Ready, the kubelet's pod startup latency, the
 * SLO's 5 s), `ekslab_kubelet_sandbox_failures_total`, `ekslab_kubelet_pod_sync_errors_total` and
 * `ekslab_kubelet_pod_workers` (pods the agent runs).
 */
export class KubeletPodMetrics implements PodMetrics {
  private readonly start: Histogram;
  private readonly sandbox: Counter;
  private readonly sync: Counter;

  constructor(registry: Registry, workers: () => number) {
    this.start = new Histogram({
      name: 'ekslab_kubelet_pod_start_duration_seconds', help: 'Time from the agent first seeing a pod to the pod being Ready',
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300], registers: [registry],
    });
    this.sandbox = new Counter({ name: 'ekslab_kubelet_sandbox_failures_total', help: 'Pod sandboxes whose network setup failed', registers: [registry] });
    this.sync = new Counter({ name: 'ekslab_kubelet_pod_sync_errors_total', help: 'Pod syncs that failed on an API call', registers: [registry] });
    new Gauge({ name: 'ekslab_kubelet_pod_workers', help: 'Pods the agent runs on its hosted nodes', registers: [registry], collect() { this.set(workers()); } });
  }

  podReady(ms: number): void {
    this.start.observe(ms / 1000);
  }

  sandboxFailed(): void {
    this.sandbox.inc();
  }

  syncFailed(): void {
    this.sync.inc();
  }
}
