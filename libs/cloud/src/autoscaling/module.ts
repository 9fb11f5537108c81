// One call that assembles Auto Scaling for the cloud service: the API (whose changes wake the reconciler)
// and the reconciler to `start(signal)` on every replica (no leader election: see reconciler.ts).
import type { Clock } from '@ekslab/runtime';
import type { EtcdStore } from '@ekslab/storage';
import type { Ec2Port, EventSink } from '../ports.js';
import { AutoScalingReconciler } from './reconciler.js';
import type { ReconcilerOptions } from './reconciler.js';
import { AutoScalingService } from './service.js';
import { AsgStore } from './store.js';

export interface AutoScalingDeps {
  /** An EtcdStore with the cloud's prefix (`/ekslab-cloud`). */
  readonly etcd: EtcdStore;
  readonly ec2: Ec2Port;
  readonly events: EventSink;
  readonly clock: Clock;
  /** This replica's id (claims name it). */
  readonly owner: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly tuning?: Pick<ReconcilerOptions, 'intervalMs' | 'claimTimeoutMs' | 'zoneBackoffMs' | 'maxStepsPerPass' | 'onError'>;
}

export function createAutoScaling(deps: AutoScalingDeps): { service: AutoScalingService; reconciler: AutoScalingReconciler } {
  const store = new AsgStore(deps.etcd);
  const reconciler = new AutoScalingReconciler({ store, ec2: deps.ec2, events: deps.events, clock: deps.clock, owner: deps.owner, ...deps.tuning });
  const service = new AutoScalingService({
    store,
    ec2: deps.ec2,
    events: deps.events,
    clock: deps.clock,
    onChange: () => reconciler.kick(),
    ...(deps.region !== undefined ? { region: deps.region } : {}),
    ...(deps.accountId !== undefined ? { accountId: deps.accountId } : {}),
  });
  return { service, reconciler };
}
