// The EC2 side assembled for the cloud service: Vpcs, NetworkInterfaces and Instances over one store,
// and the one long-running part, `start(signal)`: ensure the default VPC, then run the instance
// lifecycle loop. Every replica runs it (no leader election: each transition is a CAS).
import { sleep, systemClock, type Clock, type Logger } from '@ekslab/runtime';
import type { EtcdStore } from '@ekslab/storage';
import { noFaults, type EventSink, type FaultGate } from '../ports.js';
import { NetworkInterfaces } from './eni.js';
import { Instances, type InstanceTimings } from './instances.js';
import { drainOutbox } from './txn.js';
import { defaultVpcSpec, ensureDefaultVpc, Vpcs, type DefaultVpcSpec } from './vpc.js';

export interface Ec2Context {
  /** The cloud's store (prefix `/ekslab-cloud`). */
  readonly store: EtcdStore;
  readonly events: EventSink;
  readonly faults?: FaultGate;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  readonly timings?: Partial<InstanceTimings>;
  /** The VPC created at start (idempotently, same ids on every replica); `false` for none. Default {@link defaultVpcSpec}. */
  readonly defaultVpc?: DefaultVpcSpec | false;
  /** Pause between attempts to create the default VPC while etcd is unavailable; default 2 s. */
  readonly retryIntervalMs?: number;
  /** How often the outbox of undelivered events is drained; default 1 s. */
  readonly outboxIntervalMs?: number;
  /** Age before the drainer publishes an event its own call has not (yet) published; default 5 s. */
  readonly outboxMinAgeMs?: number;
}

export class Ec2 {
  readonly vpcs: Vpcs;
  readonly enis: NetworkInterfaces;
  readonly instances: Instances;
  private readonly ctx: Ec2Context;

  constructor(ctx: Ec2Context) {
    this.ctx = ctx;
    const faults = ctx.faults ?? noFaults;
    this.vpcs = new Vpcs({ store: ctx.store, faults });
    this.enis = new NetworkInterfaces({ store: ctx.store, events: ctx.events, faults });
    this.instances = new Instances({
      store: ctx.store,
      events: ctx.events,
      faults,
      vpcs: this.vpcs,
      clock: ctx.clock ?? systemClock,
      ...(ctx.timings ? { timings: ctx.timings } : {}),
      onError: (err) => ctx.log.warn({ err }, 'instance lifecycle pass failed; retrying'),
    });
  }

  /**
   * Ensures the default VPC (retrying while etcd is unavailable), then runs the instance lifecycle and
   * the outbox drainer (events whose call could not publish them) until `signal` aborts.
   */
  async start(signal: AbortSignal): Promise<void> {
    const spec = this.ctx.defaultVpc ?? defaultVpcSpec;
    // Fault injection must not stop the lab's own VPC from existing: bypass the gate here.
    const vpcs = new Vpcs({ store: this.ctx.store });
    for (let attempt = 1; spec && !signal.aborted; attempt++) {
      try {
        const { vpc, subnets } = await ensureDefaultVpc(vpcs, spec, signal);
        this.ctx.log.info({ vpcId: vpc.vpcId, subnets: subnets.map((s) => `${s.subnetId} ${s.availabilityZone} ${s.cidrBlock}${s.public ? ' public' : ''}`) }, 'default VPC ready');
        break;
      } catch (err) {
        if (signal.aborted) return;
        this.ctx.log.warn({ err, attempt }, 'cannot create the default VPC yet; retrying');
        await sleep(this.ctx.retryIntervalMs ?? 2_000, signal).catch(() => undefined);
      }
    }
    await Promise.all([this.instances.start(signal), this.drain(signal)]);
  }

  private async drain(signal: AbortSignal): Promise<void> {
    const clock = this.ctx.clock ?? systemClock;
    while (!signal.aborted) {
      try {
        const n = await drainOutbox(this.ctx.store, this.ctx.events, this.ctx.outboxMinAgeMs ?? 5_000, signal);
        if (n > 0) this.ctx.log.info({ events: n }, 'published events from the outbox');
      } catch (err) {
        if (signal.aborted) break;
        this.ctx.log.warn({ err }, 'cannot drain the event outbox yet; retrying');
      }
      await clock.sleep(this.ctx.outboxIntervalMs ?? 1_000, signal).catch(() => undefined);
    }
  }
}
