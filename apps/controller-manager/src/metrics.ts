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

  constructor(registry: Registry, private readonly leaseName: string) {
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

  setLeading(leading: boolean): void {
    this.leader.set({ name: this.leaseName }, leading ? 1 : 0);
  }

  /** The queue a controller currently runs with; undefined when it stopped (depth reads 0). */
  setQueue<K>(name: string, queue: WorkQueue<K> | undefined): void {
    if (queue) this.queues.set(name, queue as WorkQueue<unknown>);
    else this.queues.delete(name);
  }
}
