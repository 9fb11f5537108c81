import type { CacheReader, ResourceClient } from '@ekslab/client';
import type { Clock, Logger } from '@ekslab/runtime';
import type { EventRecorder } from '../../framework/recorder.js';
import type { ReplicaSet } from '../replicaset/types.js';
import type { Deployment } from './types.js';

/** What one Deployment sync uses: clients acting as deployment-controller, the ReplicaSet cache, events, time. */
export interface DeploymentDeps {
  readonly deployments: ResourceClient<Deployment>;
  readonly replicaSets: ResourceClient<ReplicaSet>;
  readonly rsCache: CacheReader<ReplicaSet>;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  /** Looks at the Deployment again after `ms` (a progress-deadline check). */
  readonly enqueueAfter: (d: Deployment, ms: number) => void;
}

/**
 * PUT deployments/<name>/status with `d` (status and annotations; the rest is ignored by the server) and
 * takes the new resourceVersion into `d`, so a later write in the same sync does not conflict with this one.
 */
export async function updateDeploymentStatus(deps: DeploymentDeps, d: Deployment, signal: AbortSignal): Promise<void> {
  const updated = await deps.deployments.update(d, { signal, namespace: d.metadata.namespace ?? '', subresource: 'status' });
  d.metadata.resourceVersion = updated.metadata.resourceVersion;
}
