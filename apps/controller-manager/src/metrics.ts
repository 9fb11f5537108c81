import { Gauge, type Registry } from 'prom-client';
import type { WorkQueue } from '@ekslab/client';

/**
 * The controller-manager's own metrics, named as kube-controller-manager names them:
 * `leader_election_master_status{name}` (1 while this replica leads) and `workqueue_depth{name}`.
 */
export class ControllerManagerMetrics {
  private readonly leader: Gauge;
  private readonly queues = new Map<string, WorkQueue<string>>();

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
  }

  setLeading(leading: boolean): void {
    this.leader.set({ name: this.leaseName }, leading ? 1 : 0);
  }

  /** The queue a controller currently runs with; undefined when it stopped (depth reads 0). */
  setQueue(name: string, queue: WorkQueue<string> | undefined): void {
    if (queue) this.queues.set(name, queue);
    else this.queues.delete(name);
  }
}
