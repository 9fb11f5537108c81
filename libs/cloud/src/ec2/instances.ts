// EC2 instances: RunInstances / TerminateInstances / DescribeInstances (the Ec2Port Auto Scaling and ELB
// use), each instance with a primary ENI at device index 0 and a primary address from its subnet.
// Lifecycle pending → running → shutting-down → terminated → gone is level-based: a record carries when
// it moves on next (`nextTransitionAt`), and every replica's reconcile loop advances due records with a
// CAS, so exactly one replica makes (and announces) each transition, and a replica's crash delays
// nothing for longer than one loop interval of another.
import type { CloudEventInput, InstanceState } from '@ekslab/cloud-events';
import type { Clock } from '@ekslab/runtime';
import { NotFoundError, type EtcdStore } from '@ekslab/storage';
import { createHash } from 'node:crypto';
import { CloudApiError, noFaults, type Ec2Port, type EventSink, type FaultGate, type InstanceSummary, type RunInstancesInput } from '../ports.js';
import { privateDnsName } from './cidr.js';
import { createEniIn, eniEvent, instanceIn, releaseEniIn } from './eni.js';
import { newId } from './ids.js';
import { instanceType } from './instance-types.js';
import { clientTokenKey, eniKey, instanceKey, type ClientTokenRecord, type EniRecord, type InstanceRecord } from './records.js';
import { listAll, transact, type Tx } from './txn.js';
import { subnetIn, subnetKey, type SubnetRecord, type Vpcs } from './vpc.js';

export interface InstanceTimings {
  /** pending → running; default 3 s. */
  readonly pendingMs: number;
  /** shutting-down → terminated; default 2 s. */
  readonly shuttingDownMs: number;
  /** How long a terminated instance stays visible in DescribeInstances; default 1 h (as EC2). */
  readonly terminatedRetentionMs: number;
  /** Spot interruption notice before the instance is reclaimed; default 2 min (EC2's warning). */
  readonly spotWarningMs: number;
  /** How often the reconcile loop looks for due transitions; default 500 ms. */
  readonly reconcileIntervalMs: number;
}

export const defaultInstanceTimings: InstanceTimings = {
  pendingMs: 3_000,
  shuttingDownMs: 2_000,
  terminatedRetentionMs: 3_600_000,
  spotWarningMs: 120_000,
  reconcileIntervalMs: 500,
};

export interface InstanceDeps {
  readonly store: EtcdStore;
  readonly events: EventSink;
  readonly vpcs: Vpcs;
  readonly clock: Clock;
  readonly faults?: FaultGate;
  readonly timings?: Partial<InstanceTimings>;
  /** Called with errors of the reconcile loop (it keeps going). */
  readonly onError?: (err: unknown) => void;
}

/** Largest RunInstances count: one transaction holds every record (etcd's 128 ops per txn). */
export const MAX_RUN_COUNT = 20;

export class Instances implements Ec2Port {
  private readonly store: EtcdStore;
  private readonly events: EventSink;
  private readonly vpcs: Vpcs;
  private readonly clock: Clock;
  private readonly faults: FaultGate;
  readonly timings: InstanceTimings;
  private readonly onError: (err: unknown) => void;

  constructor(deps: InstanceDeps) {
    this.store = deps.store;
    this.events = deps.events;
    this.vpcs = deps.vpcs;
    this.clock = deps.clock;
    this.faults = deps.faults ?? noFaults;
    this.timings = { ...defaultInstanceTimings, ...deps.timings };
    this.onError = deps.onError ?? (() => undefined);
  }

  /**
   * RunInstances: `count` instances (default 1, at most {@link MAX_RUN_COUNT}) in `subnetId`, all or none.
   * With a `clientToken`, repeating the call returns the first call's instances and launches nothing;
   * the same token with other parameters is `IdempotentParameterMismatch`.
   */
  async runInstances(input: RunInstancesInput, signal: AbortSignal): Promise<InstanceSummary[]> {
    const type = instanceType(input.instanceType);
    const count = input.count ?? 1;
    // The subnet's AZ for the fault gate (impaired AZs); a missing subnet fails later, inside the transaction.
    const subnet = await this.store.get<SubnetRecord>(subnetKey(input.subnetId), { signal }).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw new CloudApiError('ServiceUnavailable', 'The service is unavailable. Please try again shortly.', true, { cause: err });
    });
    await this.faults.enter('RunInstances', { instanceType: input.instanceType, ...(subnet ? { availabilityZone: subnet.availabilityZone } : {}) }, signal);
    if (!type) throw new CloudApiError('InvalidParameterValue', `Invalid value '${input.instanceType}' for InstanceType.`);
    if (!Number.isInteger(count) || count < 1 || count > MAX_RUN_COUNT) throw new CloudApiError('InvalidParameterValue', `Invalid value '${count}' for MinCount/MaxCount: between 1 and ${MAX_RUN_COUNT}.`);
    const lifecycle = input.lifecycle ?? 'on-demand';
    const digest = createHash('sha256').update(JSON.stringify([input.instanceType, input.subnetId, count, lifecycle, input.tags ?? {}])).digest('hex');
    const now = this.clock.now();
    const records = await transact(this.store, signal, async (tx) => {
      if (input.clientToken !== undefined) {
        const token = await tx.get<ClientTokenRecord>(clientTokenKey(input.clientToken));
        if (token) {
          if (token.request !== digest) throw new CloudApiError('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that is already deleted or has other parameters. Please use a different client token.');
          const previous = await Promise.all(token.instanceIds.map((id) => tx.get<InstanceRecord>(instanceKey(id))));
          return previous.filter((r): r is InstanceRecord => r !== undefined);
        }
      }
      const s = await subnetIn(tx, input.subnetId);
      const records: InstanceRecord[] = [];
      for (let i = 0; i < count; i++) {
        const eni = await createEniIn(tx, { subnetId: s.subnetId, description: 'Primary network interface' }).catch((err: unknown) => {
          if (err instanceof CloudApiError && err.code === 'InsufficientFreeAddressesInSubnet') {
            throw new CloudApiError(err.code, `There are not enough free addresses in subnet '${s.subnetId}' to satisfy the requested number of instances.`, true);
          }
          throw err;
        });
        const instanceId = newId('i');
        if (await tx.get(instanceKey(instanceId))) throw new CloudApiError('InternalError', `id collision ${instanceId}`);
        const rec: InstanceRecord = {
          instanceId,
          instanceType: type.name,
          availabilityZone: s.availabilityZone,
          subnetId: s.subnetId,
          vpcId: s.vpcId,
          state: 'pending',
          lifecycle,
          launchTime: new Date(now).toISOString(),
          privateIpAddress: eni.privateIpAddress,
          privateDnsName: privateDnsName(eni.privateIpAddress),
          tags: { ...input.tags },
          networkInterfaces: [{ networkInterfaceId: eni.networkInterfaceId, deviceIndex: 0 }],
          nextTransitionAt: now + this.timings.pendingMs,
          ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
        };
        eni.attachment = { attachmentId: newId('eni-attach'), instanceId, deviceIndex: 0, deleteOnTermination: true, instanceType: type.name };
        eni.status = 'in-use';
        tx.put(eniKey(eni.networkInterfaceId), eni);
        tx.put(instanceKey(instanceId), rec);
        tx.emit(eniEvent(eni, 'created', { addresses: [...eni.privateIpAddresses] }));
        tx.emit(eniEvent(eni, 'attached'));
        tx.emit(stateEvent(rec, null));
        records.push(rec);
      }
      if (input.clientToken !== undefined) {
        const token: ClientTokenRecord = { clientToken: input.clientToken, instanceIds: records.map((r) => r.instanceId), request: digest };
        tx.put(clientTokenKey(input.clientToken), token);
      }
      return records;
    }, this.events);
    return records.map(summary);
  }

  /** TerminateInstances: pending or running instances go to shutting-down; unknown ids fail the whole call (`InvalidInstanceID.NotFound`). */
  async terminateInstances(instanceIds: readonly string[], signal: AbortSignal): Promise<void> {
    await this.faults.enter('TerminateInstances', {}, signal);
    const now = this.clock.now();
    await transact(this.store, signal, async (tx) => {
      for (const id of new Set(instanceIds)) {
        const inst = await instanceIn(tx, id);
        if (inst.state !== 'pending' && inst.state !== 'running' && inst.state !== 'stopped' && inst.state !== 'stopping') continue;
        const previous = inst.state;
        inst.state = 'shutting-down';
        inst.stateReason = 'Client.UserInitiatedShutdown: User initiated shutdown';
        inst.nextTransitionAt = now + this.timings.shuttingDownMs;
        tx.put(instanceKey(id), inst);
        tx.emit(stateEvent(inst, previous));
      }
    }, this.events);
  }

  /** DescribeInstances (terminated ones included until their retention ends); unknown ids: `InvalidInstanceID.NotFound`. */
  async describeInstances(filter: { instanceIds?: readonly string[]; tags?: Readonly<Record<string, string>> }, signal: AbortSignal): Promise<InstanceSummary[]> {
    await this.faults.enter('DescribeInstances', {}, signal);
    const all = await listAll<InstanceRecord>(this.store, '/ec2/instances/', signal);
    for (const id of filter.instanceIds ?? []) {
      if (!all.some((r) => r.instanceId === id)) throw new CloudApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    }
    return all
      .filter((r) => !filter.instanceIds?.length || filter.instanceIds.includes(r.instanceId))
      .filter((r) => Object.entries(filter.tags ?? {}).every(([k, v]) => r.tags[k] === v))
      .map(summary);
  }

  describeSubnets(filter: { subnetIds?: readonly string[] }, signal: AbortSignal): ReturnType<Ec2Port['describeSubnets']> {
    return this.vpcs.describeSubnets(filter, signal);
  }

  /**
   * Chaos: EC2 reclaims a Spot instance. Publishes `spot-interruption` now, with the action time
   * `spotWarningMs` ahead, when the instance goes to shutting-down. Repeating it changes nothing.
   * `UnsupportedOperation` for an on-demand instance, `IncorrectInstanceState` unless pending or running.
   */
  async interruptSpot(instanceId: string, signal: AbortSignal): Promise<{ actionTime: string }> {
    const now = this.clock.now();
    const inst = await transact(this.store, signal, async (tx) => {
      const inst = await instanceIn(tx, instanceId);
      if (inst.lifecycle !== 'spot') throw new CloudApiError('UnsupportedOperation', `The instance '${instanceId}' is not a Spot Instance.`);
      if (inst.spotInterruptionAt !== undefined) return inst;
      if (inst.state !== 'pending' && inst.state !== 'running') throw new CloudApiError('IncorrectInstanceState', `The instance '${instanceId}' is not in a valid state for this operation.`);
      inst.spotInterruptionAt = now + this.timings.spotWarningMs;
      tx.put(instanceKey(instanceId), inst);
      tx.emit({ kind: 'spot-interruption', instanceId, availabilityZone: inst.availabilityZone, action: 'terminate', actionTime: new Date(inst.spotInterruptionAt).toISOString() });
      return inst;
    }, this.events);
    return { actionTime: new Date(inst.spotInterruptionAt!).toISOString() };
  }

  /** One pass of the lifecycle: advances every instance whose transition is due. Returns how many moved. */
  async reconcileOnce(signal: AbortSignal): Promise<number> {
    const all = await listAll<InstanceRecord>(this.store, '/ec2/instances/', signal);
    let moved = 0;
    for (const r of all) {
      if (!this.due(r, this.clock.now())) continue;
      const did = await transact(this.store, signal, async (tx) => {
        const inst = await tx.get<InstanceRecord>(instanceKey(r.instanceId));
        const now = this.clock.now();
        if (!inst || !this.due(inst, now)) return false;
        await this.advance(tx, inst, now);
        return true;
      }, this.events);
      if (did) moved++;
    }
    return moved;
  }

  /** Runs the reconcile loop until `signal` aborts. Every replica runs it (no leader election needed). */
  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.reconcileOnce(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.onError(err);
      }
      await this.clock.sleep(this.timings.reconcileIntervalMs, signal).catch(() => undefined);
    }
  }

  private due(r: InstanceRecord, now: number): boolean {
    if (r.state === 'running' && r.spotInterruptionAt !== undefined) return r.spotInterruptionAt <= now;
    return r.nextTransitionAt !== undefined && r.nextTransitionAt <= now;
  }

  private async advance(tx: Tx, inst: InstanceRecord, now: number): Promise<void> {
    const previous = inst.state;
    const key = instanceKey(inst.instanceId);
    switch (inst.state) {
      case 'pending':
        inst.state = 'running';
        // A Spot interruption during pending takes effect once running (its time may have passed).
        delete inst.nextTransitionAt;
        break;
      case 'running':
        inst.state = 'shutting-down';
        inst.stateReason = 'Server.SpotInstanceTermination: Spot instance termination';
        inst.nextTransitionAt = now + this.timings.shuttingDownMs;
        break;
      case 'shutting-down':
        inst.state = 'terminated';
        inst.nextTransitionAt = now + this.timings.terminatedRetentionMs;
        for (const n of inst.networkInterfaces) {
          // Absent (deleted meanwhile) is fine; any other failure aborts the transition.
          const eni = await tx.get<EniRecord>(eniKey(n.networkInterfaceId));
          if (!eni) continue;
          const attachment = eni.attachment;
          if (attachment?.deleteOnTermination) {
            await releaseEniIn(tx, eni);
            tx.emit(eniEvent(eni, 'deleted'));
          } else {
            delete eni.attachment;
            eni.status = 'available';
            tx.put(eniKey(eni.networkInterfaceId), eni);
            tx.emit(eniEvent(eni, 'detached', attachment ? { instanceId: attachment.instanceId, deviceIndex: attachment.deviceIndex } : {}));
          }
        }
        inst.networkInterfaces = [];
        break;
      case 'terminated':
        tx.delete(key);
        return;
      default:
        delete inst.nextTransitionAt;
    }
    tx.put(key, inst);
    tx.emit(stateEvent(inst, previous));
  }
}

/** The `instance-state` event for `inst` having moved from `previous`. */
function stateEvent(inst: InstanceRecord, previous: InstanceState | null): CloudEventInput {
  const asg = inst.tags['aws:autoscaling:groupName'];
  return {
    kind: 'instance-state',
    instanceId: inst.instanceId,
    availabilityZone: inst.availabilityZone,
    instanceType: inst.instanceType,
    previousState: previous,
    state: inst.state,
    privateIpAddress: inst.privateIpAddress,
    privateDnsName: inst.privateDnsName,
    ...(asg ? { autoScalingGroupName: asg } : {}),
    ...(inst.stateReason && inst.state !== 'running' && inst.state !== 'pending' ? { reason: inst.stateReason } : {}),
  };
}

function summary(r: InstanceRecord): InstanceSummary {
  return {
    instanceId: r.instanceId,
    instanceType: r.instanceType,
    availabilityZone: r.availabilityZone,
    subnetId: r.subnetId,
    state: r.state,
    privateIpAddress: r.privateIpAddress,
    privateDnsName: r.privateDnsName,
    lifecycle: r.lifecycle,
    launchTime: r.launchTime,
    tags: r.tags,
  };
}
