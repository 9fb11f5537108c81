import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AgentMetrics, TaskKind } from './agent.js';

/**
 * The agent's metrics: `ekslab_kubelet_nodes_registered_total{adopted}`,
 * `ekslab_kubelet_lease_renewals_total{timeliness="on_time"|"late"}` (late: started more than `lateAfterMs`
 * after it was due), `ekslab_kubelet_lease_renewal_lateness_seconds`, `ekslab_kubelet_api_errors_total{task}`,
 * `ekslab_kubelet_node_status_patches_total` and `ekslab_kubelet_hosted_nodes`.
 */
export class KubeletMetrics implements AgentMetrics {
  private readonly registered: Counter;
  private readonly renewals: Counter;
  private readonly lateness: Histogram;
  private readonly errors: Counter;
  private readonly statusPatches: Counter;
  private readonly hosted: Gauge;

  constructor(registry: Registry, private readonly lateAfterMs: number) {
    this.registered = new Counter({ name: 'ekslab_kubelet_nodes_registered_total', help: 'Nodes registered (created) or adopted (already there)', labelNames: ['adopted'], registers: [registry] });
    this.renewals = new Counter({ name: 'ekslab_kubelet_lease_renewals_total', help: 'Node lease renewals started, on time or late', labelNames: ['timeliness'], registers: [registry] });
    this.lateness = new Histogram({
      name: 'ekslab_kubelet_lease_renewal_lateness_seconds', help: 'How long after it was due a node lease renewal started',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    });
    this.errors = new Counter({ name: 'ekslab_kubelet_api_errors_total', help: 'Failed node API tasks', labelNames: ['task'], registers: [registry] });
    this.statusPatches = new Counter({ name: 'ekslab_kubelet_node_status_patches_total', help: 'NodeStatus patches written', registers: [registry] });
    this.hosted = new Gauge({ name: 'ekslab_kubelet_hosted_nodes', help: 'Nodes this agent hosts now', registers: [registry] });
  }

  nodeRegistered(_name: string, adopted: boolean): void {
    this.registered.inc({ adopted: String(adopted) });
  }

  leaseRenewal(lateMs: number): void {
    this.renewals.inc({ timeliness: lateMs > this.lateAfterMs ? 'late' : 'on_time' });
    this.lateness.observe(lateMs / 1000);
  }

  apiError(task: TaskKind): void {
    this.errors.inc({ task });
  }

  statusPatched(): void {
    this.statusPatches.inc();
  }

  hostedNodes(count: number): void {
    this.hosted.set(count);
  }
}
