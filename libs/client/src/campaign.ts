import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@ekslab/runtime';
import type { ResourceServiceClient } from '@ekslab/proto';
import { LeaderElector } from './leader-elector.js';
import { LEASES_GVR, ResourceLeaseStore, type Lease } from './lease.js';
import { ResourceClient } from './resource-client.js';

export interface CampaignOptions {
  readonly service: ResourceServiceClient;
  /** Bearer token of the component's identity (e.g. system:kube-scheduler). */
  readonly token: string;
  readonly namespace: string;
  readonly name: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly log: Logger;
  /** Runs while this replica leads; `leading` aborts when leadership is lost. */
  onLeading(leading: AbortSignal): Promise<void>;
  /** Told when leadership starts and ends (metrics). */
  onLeadingChanged?(leading: boolean): void;
  /** What the leader does, for the logs ("controllers", "scheduling"). */
  readonly work: string;
}

/**
 * Campaigns for a Lease until `signal` aborts, as kube's components do: identity `<hostname>_<uuid>`, the
 * Lease released at once on a graceful stop, and a new campaign after leadership is lost. Not a fence (see
 * LeaderElector): the work must tolerate a brief overlap of two leaders.
 */
export async function campaignForLease(o: CampaignOptions, signal: AbortSignal): Promise<void> {
  const leases = new ResourceClient<Lease>({ service: o.service, gvr: LEASES_GVR, token: o.token });
  const elector = new LeaderElector({
    lock: new ResourceLeaseStore(leases, o.namespace, o.name),
    leaseDurationMs: o.leaseDurationMs,
    renewDeadlineMs: o.renewDeadlineMs,
    retryPeriodMs: o.retryPeriodMs,
    // A graceful stop hands the Lease over at once instead of after leaseDuration.
    releaseOnCancel: true,
    logger: o.log,
  });
  const identity = `${hostname()}_${randomUUID()}`;
  while (!signal.aborted) {
    await elector.run({
      identity,
      onStartedLeading: async (leading) => {
        o.onLeadingChanged?.(true);
        o.log.info({ identity }, `leading: starting ${o.work}`);
        await o.onLeading(leading);
      },
      onStoppedLeading: () => {
        o.onLeadingChanged?.(false);
        o.log.info({ identity }, `stopped leading: ${o.work} stopped`);
      },
      onNewLeader: (holder) => o.log.info({ leader: holder, identity }, 'new leader'),
    }, signal);
  }
}
