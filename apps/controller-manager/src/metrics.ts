import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WorkQueue } from '@ekslab/client';

/**
 * The controller-manager's own metrics, named as kube-controller-manager names them:
 * `leader_election_master_status{name}` (1 while this replica leads), and per controller queue
 * `workqueue_depth{name}`, `workqueue_adds_total{name}`, `workqueue_retries_total{name}` and
 * `workqueue_work_duration_seconds{name}` (how long one reconcile took).
 */
export class ControllerManagerMetrics {
  private readonly leader: Gauge;
  private readonly queues = new Map<string, WorkQueue<unknown>>();
  readonly adds: Counter;
  readonly retries: Counter;
  readonly workDuration: Histogram;

  private nodeCollectorMetrics: NodeCollectorMetrics | undefined;

  constructor(readonly registry: Registry, private readonly leaseName: string) {
    this.leader = new Gauge({ name: 'leader_election_master_status', help: 'Whether this replica is the leader (1) or not (0)', labelNames: ['name'], registers: [registry] });
    this.leader.set({ name: leaseName }, 0);
    const queues = this.queues;
    new Gauge({
      name: 'workqueue_depth', help: 'Current depth of a controller\'s workqueue', labelNames: ['name'], registers: [registry],
      collect() {
        this.reset();
        for (const [name, q] of queues) this.set({ name }, q.len());
      },
    });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by a workqueue', labelNames: ['name'], registers: [registry] });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by a workqueue', labelNames: ['name'], registers: [registry] });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from a workqueue takes', labelNames: ['name'], registers: [registry],
      buckets: [1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10],
    });
  }

  /** The node lifecycle controller's metrics (kube's node_collector_*), registered on first use. */
  nodeCollector(): NodeCollectorMetrics {
    const registers = [this.registry];
    this.nodeCollectorMetrics ??= {
      zoneHealth: new Gauge({ name: 'node_collector_zone_health', help: 'Gauge measuring percentage of healthy nodes per zone.', labelNames: ['zone'], registers }),
      zoneSize: new Gauge({ name: 'node_collector_zone_size', help: 'Gauge measuring number of registered Nodes per zones.', labelNames: ['zone'], registers }),
      unhealthyNodes: new Gauge({ name: 'node_collector_unhealthy_nodes_in_zone', help: 'Gauge measuring number of not Ready Nodes per zones.', labelNames: ['zone'], registers }),
      evictions: new Counter({ name: 'node_collector_evictions_total', help: 'Number of Node evictions that happened since current instance of NodeController started.', labelNames: ['zone'], registers }),
    };
    return this.nodeCollectorMetrics;
  }

  setLeading(leading: boolean): void {
    this.leader.set({ name: this.leaseName }, leading ? 1 : 0);
  }

  /** The queue a controller currently runs with; undefined when it stopped (depth reads 0). */
  setQueue<K>(name: string, queue: WorkQueue<K> | undefined): void {
    if (queue) this.queues.set(name, queue as WorkQueue<unknown>);
    else this.queues.delete(name);
  }
}

export interface NodeCollectorMetrics {
  readonly zoneHealth: Gauge;
  readonly zoneSize: Gauge;
  readonly unhealthyNodes: Gauge;
  readonly evictions: Counter;
}
