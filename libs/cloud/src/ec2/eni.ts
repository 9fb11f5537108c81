// Elastic network interfaces: create (with a primary address from the subnet), attach (device index,
// the instance type's ENI limit), detach, delete, and secondary addresses and /28 prefixes within the
// type's per-ENI limit (a prefix takes one slot, as on AWS). Each call is one etcd transaction over the
// ENI, its instance and its subnet's address chunks, and its events (through the transaction's outbox).
import type { CloudEventInput, NetworkInterfaceChanged } from '@ekslab/cloud-events';
import type { EtcdStore } from '@ekslab/storage';
import { CloudApiError, noFaults, type EventSink, type FaultGate } from '../ports.js';
import { formatIpv4, parseCidr, parseIpv4 } from './cidr.js';
import { newId } from './ids.js';
import { instanceType } from './instance-types.js';
import { allocateAddresses, allocatePrefixes, claimAddresses, prefixAddresses, releaseAddresses } from './ipam.js';
import { eniKey, instanceKey, type EniRecord, type InstanceRecord } from './records.js';
import { listAll, transact, type Tx } from './txn.js';
import { subnetIn } from './vpc.js';

export interface EniDeps {
  readonly store: EtcdStore;
  readonly events: EventSink;
  readonly faults?: FaultGate;
}

type EniAction = NetworkInterfaceChanged['action'];

const notFound = (id: string): CloudApiError => new CloudApiError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
const limitExceeded = (): CloudApiError => new CloudApiError('PrivateIpAddressLimitExceeded', 'Number of private addresses will exceed limit.');

export async function eniIn(tx: Tx, id: string): Promise<EniRecord> {
  const eni = await tx.get<EniRecord>(eniKey(id));
  if (!eni) throw notFound(id);
  return eni;
}

/** Creates an ENI in a transaction: a primary address (explicit, or the subnet's lowest free one). */
export async function createEniIn(tx: Tx, input: { subnetId: string; privateIpAddress?: string; description?: string; tags?: Record<string, string> }): Promise<EniRecord> {
  const subnet = await subnetIn(tx, input.subnetId);
  let primary: string;
  if (input.privateIpAddress !== undefined) {
    const n = parseIpv4(input.privateIpAddress);
    if (n === undefined) throw new CloudApiError('InvalidParameterValue', `Invalid value '${input.privateIpAddress}' for PrivateIpAddress.`);
    await claimAddresses(tx, subnet, [n]);
    primary = input.privateIpAddress;
  } else {
    [primary] = (await allocateAddresses(tx, subnet, 1)) as [string];
  }
  const id = newId('eni');
  const eni: EniRecord = {
    networkInterfaceId: id,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    description: input.description ?? '',
    status: 'available',
    privateIpAddress: primary,
    privateIpAddresses: [primary],
    ipv4Prefixes: [],
    tags: { ...input.tags },
  };
  if (await tx.get(eniKey(id))) throw new CloudApiError('InternalError', `id collision ${id}`);
  tx.put(eniKey(id), eni);
  return eni;
}

/** Deletes an ENI in a transaction and returns its addresses and prefixes to the subnet. */
export async function releaseEniIn(tx: Tx, eni: EniRecord): Promise<void> {
  const subnet = await subnetIn(tx, eni.subnetId);
  const addresses = [...eni.privateIpAddresses.map((a) => parseIpv4(a)!), ...eni.ipv4Prefixes.flatMap((p) => prefixAddresses(parseCidr(p)!.base))];
  await releaseAddresses(tx, subnet, addresses);
  tx.delete(eniKey(eni.networkInterfaceId));
}

/** The per-ENI slot limit while attached (addresses + prefixes); unattached ENIs are not limited. */
function slotLimit(eni: EniRecord): number {
  return eni.attachment ? (instanceType(eni.attachment.instanceType)?.ipv4PerEni ?? Infinity) : Infinity;
}
const slots = (eni: EniRecord): number => eni.privateIpAddresses.length + eni.ipv4Prefixes.length;

export class NetworkInterfaces {
  private readonly store: EtcdStore;
  private readonly events: EventSink;
  private readonly faults: FaultGate;

  constructor(deps: EniDeps) {
    this.store = deps.store;
    this.events = deps.events;
    this.faults = deps.faults ?? noFaults;
  }

  /** CreateNetworkInterface. */
  async createNetworkInterface(input: { subnetId: string; privateIpAddress?: string; description?: string; tags?: Record<string, string> }, signal: AbortSignal): Promise<EniRecord> {
    await this.faults.enter('CreateNetworkInterface', {}, signal);
    return transact(
      this.store,
      signal,
      async (tx) => {
        const eni = await createEniIn(tx, input);
        tx.emit(eniEvent(eni, 'created', { addresses: [...eni.privateIpAddresses] }));
        return eni;
      },
      this.events,
    );
  }

  /**
   * AttachNetworkInterface at `deviceIndex`. `AttachmentLimitExceeded` past the type's max ENIs,
   * `InvalidParameterValue` for a taken device index, `InvalidNetworkInterface.InUse` if already attached,
   * `InvalidParameterCombination` for another AZ, `IncorrectInstanceState` unless pending or running.
   */
  async attachNetworkInterface(input: { networkInterfaceId: string; instanceId: string; deviceIndex: number; deleteOnTermination?: boolean }, signal: AbortSignal): Promise<{ attachmentId: string; eni: EniRecord }> {
    await this.faults.enter('AttachNetworkInterface', {}, signal);
    const eni = await transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, input.networkInterfaceId);
      const inst = await instanceIn(tx, input.instanceId);
      const attached = attachIn(tx, eni, inst, input.deviceIndex, input.deleteOnTermination ?? false);
      tx.emit(eniEvent(attached, 'attached'));
      return attached;
    }, this.events);
    return { attachmentId: eni.attachment!.attachmentId, eni };
  }

  /** DetachNetworkInterface by ENI id (AWS takes the attachment id; both are accepted). The primary ENI (device 0) cannot be detached. */
  async detachNetworkInterface(input: { networkInterfaceId?: string; attachmentId?: string }, signal: AbortSignal): Promise<EniRecord> {
    await this.faults.enter('DetachNetworkInterface', {}, signal);
    const id = input.networkInterfaceId ?? (await this.byAttachment(input.attachmentId ?? '', signal));
    return transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, id);
      const previous = eni.attachment;
      if (!previous) throw new CloudApiError('IncorrectState', `Network interface '${id}' is not attached`);
      if (previous.deviceIndex === 0) throw new CloudApiError('OperationNotPermitted', 'The network interface at device index 0 cannot be detached.');
      const inst = await tx.get<InstanceRecord>(instanceKey(previous.instanceId));
      if (inst) {
        inst.networkInterfaces = inst.networkInterfaces.filter((n) => n.networkInterfaceId !== id);
        tx.put(instanceKey(inst.instanceId), inst);
      }
      delete eni.attachment;
      eni.status = 'available';
      tx.put(eniKey(id), eni);
      tx.emit(eniEvent(eni, 'detached', { instanceId: previous.instanceId, deviceIndex: previous.deviceIndex }));
      return eni;
    }, this.events);
  }

  /** DeleteNetworkInterface: `InvalidNetworkInterface.InUse` while attached; its addresses return to the subnet. */
  async deleteNetworkInterface(networkInterfaceId: string, signal: AbortSignal): Promise<void> {
    await this.faults.enter('DeleteNetworkInterface', {}, signal);
    await transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, networkInterfaceId);
      if (eni.attachment) throw new CloudApiError('InvalidNetworkInterface.InUse', `Network interface '${networkInterfaceId}' is currently in use.`);
      await releaseEniIn(tx, eni);
      tx.emit(eniEvent(eni, 'deleted'));
    }, this.events);
  }

  /**
   * AssignPrivateIpAddresses: `secondaryPrivateIpAddressCount` addresses from the subnet, or the explicit
   * `privateIpAddresses`. All or none; `PrivateIpAddressLimitExceeded` past the type's per-ENI limit,
   * `InsufficientFreeAddressesInSubnet` when the subnet has too few.
   */
  async assignPrivateIpAddresses(input: { networkInterfaceId: string; secondaryPrivateIpAddressCount?: number; privateIpAddresses?: readonly string[] }, signal: AbortSignal): Promise<{ eni: EniRecord; assigned: string[] }> {
    await this.faults.enter('AssignPrivateIpAddresses', {}, signal);
    const explicit = input.privateIpAddresses ?? [];
    const count = explicit.length || (input.secondaryPrivateIpAddressCount ?? 0);
    if (count < 1) throw new CloudApiError('InvalidParameterValue', 'Either PrivateIpAddresses or SecondaryPrivateIpAddressCount must be given.');
    const nums = explicit.map((a) => {
      const n = parseIpv4(a);
      if (n === undefined) throw new CloudApiError('InvalidParameterValue', `Invalid value '${a}' for PrivateIpAddresses.`);
      return n;
    });
    const result = await transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, input.networkInterfaceId);
      if (slots(eni) + count > slotLimit(eni)) throw limitExceeded();
      const subnet = await subnetIn(tx, eni.subnetId);
      let assigned: string[];
      if (nums.length) {
        await claimAddresses(tx, subnet, nums);
        assigned = nums.map(formatIpv4);
      } else {
        assigned = await allocateAddresses(tx, subnet, count);
      }
      eni.privateIpAddresses.push(...assigned);
      tx.put(eniKey(eni.networkInterfaceId), eni);
      tx.emit(eniEvent(eni, 'ips-assigned', { addresses: assigned }));
      return { eni, assigned };
    }, this.events);
    return result;
  }

  /** UnassignPrivateIpAddresses: the addresses return to the subnet. The primary address cannot be unassigned. */
  async unassignPrivateIpAddresses(input: { networkInterfaceId: string; privateIpAddresses: readonly string[] }, signal: AbortSignal): Promise<EniRecord> {
    await this.faults.enter('UnassignPrivateIpAddresses', {}, signal);
    return transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, input.networkInterfaceId);
      for (const a of input.privateIpAddresses) {
        if (a === eni.privateIpAddress) throw new CloudApiError('InvalidParameterValue', `The primary private IP address ${a} of interface ${eni.networkInterfaceId} cannot be unassigned.`);
        if (!eni.privateIpAddresses.includes(a)) throw new CloudApiError('InvalidParameterValue', `Some of the specified addresses are not assigned to interface ${eni.networkInterfaceId}`);
      }
      await releaseAddresses(tx, await subnetIn(tx, eni.subnetId), input.privateIpAddresses.map((a) => parseIpv4(a)!));
      eni.privateIpAddresses = eni.privateIpAddresses.filter((a) => !input.privateIpAddresses.includes(a));
      tx.put(eniKey(eni.networkInterfaceId), eni);
      tx.emit(eniEvent(eni, 'ips-unassigned', { addresses: [...input.privateIpAddresses] }));
      return eni;
    }, this.events);
  }

  /**
   * AssignIpv4Prefixes: `ipv4PrefixCount` /28 prefixes, each an aligned block of 16 entirely free addresses
   * (so a fragmented subnet refuses with `InsufficientCidrBlocks` while single addresses remain). Each
   * prefix takes one of the ENI's address slots.
   */
  async assignIpv4Prefixes(input: { networkInterfaceId: string; ipv4PrefixCount: number }, signal: AbortSignal): Promise<{ eni: EniRecord; assigned: string[] }> {
    await this.faults.enter('AssignIpv4Prefixes', {}, signal);
    if (input.ipv4PrefixCount < 1) throw new CloudApiError('InvalidParameterValue', 'Ipv4PrefixCount must be at least 1.');
    const result = await transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, input.networkInterfaceId);
      if (slots(eni) + input.ipv4PrefixCount > slotLimit(eni)) throw limitExceeded();
      const assigned = await allocatePrefixes(tx, await subnetIn(tx, eni.subnetId), input.ipv4PrefixCount);
      eni.ipv4Prefixes.push(...assigned);
      tx.put(eniKey(eni.networkInterfaceId), eni);
      tx.emit(eniEvent(eni, 'prefixes-assigned', { addresses: assigned }));
      return { eni, assigned };
    }, this.events);
    return result;
  }

  /** UnassignIpv4Prefixes: the prefixes' addresses return to the subnet. */
  async unassignIpv4Prefixes(input: { networkInterfaceId: string; ipv4Prefixes: readonly string[] }, signal: AbortSignal): Promise<EniRecord> {
    await this.faults.enter('UnassignIpv4Prefixes', {}, signal);
    return transact(this.store, signal, async (tx) => {
      const eni = await eniIn(tx, input.networkInterfaceId);
      for (const p of input.ipv4Prefixes) {
        if (!eni.ipv4Prefixes.includes(p)) throw new CloudApiError('InvalidParameterValue', `Some of the specified prefixes are not assigned to interface ${eni.networkInterfaceId}`);
      }
      await releaseAddresses(tx, await subnetIn(tx, eni.subnetId), input.ipv4Prefixes.flatMap((p) => prefixAddresses(parseCidr(p)!.base)));
      eni.ipv4Prefixes = eni.ipv4Prefixes.filter((p) => !input.ipv4Prefixes.includes(p));
      tx.put(eniKey(eni.networkInterfaceId), eni);
      tx.emit(eniEvent(eni, 'prefixes-unassigned', { addresses: [...input.ipv4Prefixes] }));
      return eni;
    }, this.events);
  }

  /** DescribeNetworkInterfaces; unknown ids: `InvalidNetworkInterfaceID.NotFound`. */
  async describeNetworkInterfaces(filter: { networkInterfaceIds?: readonly string[]; instanceId?: string; subnetId?: string }, signal: AbortSignal): Promise<EniRecord[]> {
    await this.faults.enter('DescribeNetworkInterfaces', {}, signal);
    const all = await listAll<EniRecord>(this.store, '/ec2/enis/', signal);
    for (const id of filter.networkInterfaceIds ?? []) if (!all.some((e) => e.networkInterfaceId === id)) throw notFound(id);
    return all.filter(
      (e) =>
        (!filter.networkInterfaceIds?.length || filter.networkInterfaceIds.includes(e.networkInterfaceId)) &&
        (!filter.instanceId || e.attachment?.instanceId === filter.instanceId) &&
        (!filter.subnetId || e.subnetId === filter.subnetId),
    );
  }

  private async byAttachment(attachmentId: string, signal: AbortSignal): Promise<string> {
    const all = await listAll<EniRecord>(this.store, '/ec2/enis/', signal);
    const eni = all.find((e) => e.attachment?.attachmentId === attachmentId);
    if (!eni) throw new CloudApiError('InvalidAttachmentID.NotFound', `The attachment ID '${attachmentId}' does not exist`);
    return eni.networkInterfaceId;
  }
}

/** The `eni` event for `eni` as it is now. */
export function eniEvent(eni: EniRecord, action: EniAction, extra: Partial<NetworkInterfaceChanged> = {}): CloudEventInput {
  return {
    kind: 'eni',
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    availabilityZone: eni.availabilityZone,
    action,
    ...(eni.attachment ? { instanceId: eni.attachment.instanceId, deviceIndex: eni.attachment.deviceIndex } : {}),
    ...extra,
  };
}

export async function instanceIn(tx: Tx, id: string): Promise<InstanceRecord> {
  const inst = await tx.get<InstanceRecord>(instanceKey(id));
  if (!inst) throw new CloudApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  return inst;
}

/** Attaches `eni` to `inst` in a transaction (the checks of attachNetworkInterface). */
export function attachIn(tx: Tx, eni: EniRecord, inst: InstanceRecord, deviceIndex: number, deleteOnTermination: boolean): EniRecord {
  if (inst.state !== 'pending' && inst.state !== 'running') throw new CloudApiError('IncorrectInstanceState', `The instance '${inst.instanceId}' is not in a valid state for this operation.`);
  if (eni.attachment) throw new CloudApiError('InvalidNetworkInterface.InUse', `Interface: [${eni.networkInterfaceId}] in use.`);
  if (eni.availabilityZone !== inst.availabilityZone) throw new CloudApiError('InvalidParameterCombination', `You may not attach a network interface to an instance if they are not in the same availability zone`);
  const type = instanceType(inst.instanceType)!;
  if (inst.networkInterfaces.length + 1 > type.maxEnis) throw new CloudApiError('AttachmentLimitExceeded', `Interface count ${inst.networkInterfaces.length + 1} exceeds the limit for ${inst.instanceType}`);
  if (!Number.isInteger(deviceIndex) || deviceIndex < 0 || deviceIndex >= type.maxEnis) throw new CloudApiError('InvalidParameterValue', `Invalid value '${deviceIndex}' for DeviceIndex.`);
  if (inst.networkInterfaces.some((n) => n.deviceIndex === deviceIndex)) throw new CloudApiError('InvalidParameterValue', `Instance '${inst.instanceId}' already has an interface attached at device index '${deviceIndex}'.`);
  if (slots(eni) > type.ipv4PerEni) throw limitExceeded();
  eni.attachment = { attachmentId: newId('eni-attach'), instanceId: inst.instanceId, deviceIndex, deleteOnTermination, instanceType: inst.instanceType };
  eni.status = 'in-use';
  inst.networkInterfaces.push({ networkInterfaceId: eni.networkInterfaceId, deviceIndex });
  tx.put(eniKey(eni.networkInterfaceId), eni);
  tx.put(instanceKey(inst.instanceId), inst);
  return eni;
}
