import type { CloudEventInput } from '@ekslab/cloud-events';
import type { Clock } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudApiError, type EventSink, type FaultGate } from '../ports.js';
import { parseCidr, parseIpv4 } from './cidr.js';
import { NetworkInterfaces } from './eni.js';
import { drainOutbox } from './txn.js';
import { Instances } from './instances.js';
import { chunkPrefix, usedOffsets, type Chunk } from './ipam.js';
import type { EniRecord } from './records.js';
import { ensureDefaultVpc, defaultVpcSpec, Vpcs } from './vpc.js';

const signal = new AbortController().signal;
const code = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof CloudApiError ? err.code : `unexpected: ${String(err)}`),
  );

class ManualClock implements Clock {
  t = Date.parse('2026-11-22T05:00:00Z');
  now(): number {
    return this.t;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

class CapturingSink implements EventSink {
  readonly events: CloudEventInput[] = [];
  publish(event: CloudEventInput): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

interface Replica {
  store: EtcdStore;
  vpcs: Vpcs;
  enis: NetworkInterfaces;
  instances: Instances;
  sink: CapturingSink;
  clock: ManualClock;
}

describe('EC2 on etcd (two replicas sharing one etcd)', () => {
  const etcd = useEtcdCluster({ members: 1 });
  const replicas: Replica[] = [];
  let vpcId = '';
  // One sink for all replicas, as they share one stream: events appear in the order they were published.
  const sink = new CapturingSink();
  const replica = (): Replica => {
    const store = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    const clock = new ManualClock();
    const vpcs = new Vpcs({ store });
    const r = { store, sink, clock, vpcs, enis: new NetworkInterfaces({ store, events: sink }), instances: new Instances({ store, events: sink, vpcs, clock }) };
    replicas.push(r);
    return r;
  };
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    a = replica();
    b = replica();
    vpcId = (await a.vpcs.createVpc({ cidrBlock: '10.20.0.0/16' }, signal)).vpcId;
    await a.vpcs.associateVpcCidrBlock(vpcId, '100.64.0.0/16', signal);
  });
  afterAll(() => replicas.forEach((r) => r.store.close()));

  const subnet = async (cidrBlock: string, az = 'us-east-1a'): Promise<string> => (await a.vpcs.createSubnet({ vpcId, availabilityZone: az, cidrBlock }, signal)).subnetId;
  const available = async (subnetId: string): Promise<number> => (await a.vpcs.describeSubnets({ subnetIds: [subnetId] }, signal))[0]!.availableIpAddressCount;

  it('subnets — a /28 yields exactly 11 addresses, the 12th is InsufficientFreeAddressesInSubnet, released ones return', async () => {
    const id = await subnet('10.20.0.0/28');
    expect(await available(id)).toBe(11);
    const eni = await a.enis.createNetworkInterface({ subnetId: id }, signal);
    expect(eni.privateIpAddress).toBe('10.20.0.4');
    const { assigned } = await b.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, secondaryPrivateIpAddressCount: 10 }, signal);
    expect(new Set([eni.privateIpAddress, ...assigned]).size).toBe(11);
    expect(await available(id)).toBe(0);
    expect(await code(a.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, secondaryPrivateIpAddressCount: 1 }, signal))).toBe('InsufficientFreeAddressesInSubnet');
    expect(await code(a.enis.createNetworkInterface({ subnetId: id }, signal))).toBe('InsufficientFreeAddressesInSubnet');
    await a.enis.unassignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, privateIpAddresses: assigned.slice(0, 3) }, signal);
    expect(await available(id)).toBe(3);
    expect((await b.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, secondaryPrivateIpAddressCount: 3 }, signal)).assigned.sort()).toEqual(assigned.slice(0, 3).sort());
    await a.enis.unassignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, privateIpAddresses: assigned }, signal);
    await a.enis.deleteNetworkInterface(eni.networkInterfaceId, signal);
    expect(await available(id)).toBe(11);
  });

  it('subnets — overlapping CIDRs are InvalidSubnet.Conflict, outside the VPC InvalidSubnet.Range, carving finds free blocks', async () => {
    await subnet('10.20.1.0/24');
    expect(await code(subnet('10.20.1.128/25'))).toBe('InvalidSubnet.Conflict');
    expect(await code(subnet('10.21.0.0/24'))).toBe('InvalidSubnet.Range');
    expect(await code(subnet('10.20.2.0/29'))).toBe('InvalidSubnet.Range');
    const secondary = await a.vpcs.createSubnet({ vpcId, availabilityZone: 'us-east-1b', cidrBlock: '100.64.0.0/17' }, signal);
    expect(secondary.availableIpAddressCount).toBe(32768 - 5);
    const carved = await a.vpcs.createSubnet({ vpcId, availabilityZone: 'us-east-1b', prefixLength: 17 }, signal);
    expect(carved.cidrBlock).toBe('10.20.128.0/17');
    expect(await code(a.vpcs.createSubnet({ vpcId, availabilityZone: 'us-east-1b', prefixLength: 16 }, signal))).toBe('InsufficientCidrBlocks');
  });

  it('ENIs — m5.large: 3 ENIs × 10 addresses, a prefix takes one slot', async () => {
    const id = await subnet('10.20.3.0/24');
    const [inst] = await a.instances.runInstances({ instanceType: 'm5.large', subnetId: id }, signal);
    const [primary] = await a.enis.describeNetworkInterfaces({ instanceId: inst!.instanceId }, signal);
    expect(primary).toMatchObject({ privateIpAddress: inst!.privateIpAddress, attachment: { deviceIndex: 0 }, status: 'in-use' });
    expect(await code(a.enis.assignPrivateIpAddresses({ networkInterfaceId: primary!.networkInterfaceId, secondaryPrivateIpAddressCount: 10 }, signal))).toBe('PrivateIpAddressLimitExceeded');
    await a.enis.assignPrivateIpAddresses({ networkInterfaceId: primary!.networkInterfaceId, secondaryPrivateIpAddressCount: 9 }, signal);
    expect(await code(b.enis.assignPrivateIpAddresses({ networkInterfaceId: primary!.networkInterfaceId, secondaryPrivateIpAddressCount: 1 }, signal))).toBe('PrivateIpAddressLimitExceeded');
    const e1 = await a.enis.createNetworkInterface({ subnetId: id }, signal);
    const e2 = await a.enis.createNetworkInterface({ subnetId: id }, signal);
    const e3 = await a.enis.createNetworkInterface({ subnetId: id }, signal);
    await a.enis.attachNetworkInterface({ networkInterfaceId: e1.networkInterfaceId, instanceId: inst!.instanceId, deviceIndex: 1 }, signal);
    expect(await code(b.enis.attachNetworkInterface({ networkInterfaceId: e2.networkInterfaceId, instanceId: inst!.instanceId, deviceIndex: 1 }, signal))).toBe('InvalidParameterValue');
    await b.enis.attachNetworkInterface({ networkInterfaceId: e2.networkInterfaceId, instanceId: inst!.instanceId, deviceIndex: 2 }, signal);
    expect(await code(a.enis.attachNetworkInterface({ networkInterfaceId: e3.networkInterfaceId, instanceId: inst!.instanceId, deviceIndex: 3 }, signal))).toBe('AttachmentLimitExceeded');
    expect(await code(a.enis.deleteNetworkInterface(e1.networkInterfaceId, signal))).toBe('InvalidNetworkInterface.InUse');
    // Prefixes: 8 addresses + 1 prefix fill e1's 10 slots.
    await a.enis.assignPrivateIpAddresses({ networkInterfaceId: e1.networkInterfaceId, secondaryPrivateIpAddressCount: 8 }, signal);
    const { assigned } = await a.enis.assignIpv4Prefixes({ networkInterfaceId: e1.networkInterfaceId, ipv4PrefixCount: 1 }, signal);
    expect(parseCidr(assigned[0]!)?.prefixLength).toBe(28);
    expect(await code(a.enis.assignIpv4Prefixes({ networkInterfaceId: e1.networkInterfaceId, ipv4PrefixCount: 1 }, signal))).toBe('PrivateIpAddressLimitExceeded');
    await a.enis.detachNetworkInterface({ networkInterfaceId: e2.networkInterfaceId }, signal);
    await a.enis.attachNetworkInterface({ networkInterfaceId: e3.networkInterfaceId, instanceId: inst!.instanceId, deviceIndex: 2 }, signal);
    const events = a.sink.events.filter((e) => e.kind === 'eni' && e.networkInterfaceId === e3.networkInterfaceId).map((e) => (e.kind === 'eni' ? e.action : ''));
    expect(events).toEqual(['created', 'attached']);
  });

  it('prefixes — aligned /28 blocks only; a fragmented subnet refuses a prefix while single addresses remain', async () => {
    const id = await subnet('10.20.4.0/26'); // blocks .0 (reserved .0–.3), .16, .32, .48 (holds the broadcast)
    const eni = await a.enis.createNetworkInterface({ subnetId: id }, signal); // takes .4
    const { assigned } = await a.enis.assignIpv4Prefixes({ networkInterfaceId: eni.networkInterfaceId, ipv4PrefixCount: 1 }, signal);
    expect(assigned).toEqual(['10.20.4.16/28']);
    expect(await available(id)).toBe(59 - 1 - 16);
    await a.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, privateIpAddresses: ['10.20.4.40'] }, signal);
    expect(await code(a.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, privateIpAddresses: ['10.20.4.40'] }, signal))).toBe('InvalidIPAddress.InUse');
    const refused = a.enis.assignIpv4Prefixes({ networkInterfaceId: eni.networkInterfaceId, ipv4PrefixCount: 1 }, signal);
    await expect(refused).rejects.toThrow('The specified subnet does not have enough free cidr blocks to satisfy the request.');
    expect(await code(refused)).toBe('InsufficientCidrBlocks');
    expect(await available(id)).toBe(41);
    expect((await a.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, secondaryPrivateIpAddressCount: 1 }, signal)).assigned).toEqual(['10.20.4.5']);
    await a.enis.unassignIpv4Prefixes({ networkInterfaceId: eni.networkInterfaceId, ipv4Prefixes: ['10.20.4.16/28'] }, signal);
    expect(await available(id)).toBe(56);
  });

  it('property — concurrent assignments through two replicas never hand out an address twice and counts stay exact', async () => {
    const id = await subnet('10.20.5.0/24'); // 251 usable
    const enis = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).enis.createNetworkInterface({ subnetId: id }, signal)));
    // 16 writers (8 per replica) take 130 requests of 1–3 addresses from a shared queue.
    const requests = Array.from({ length: 130 }, (_, i) => i);
    const results: string[][] = [];
    const worker = async (r: Replica): Promise<void> => {
      for (let i = requests.shift(); i !== undefined; i = requests.shift()) {
        const eni = enis[i % enis.length]!;
        results.push(
          await r.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, secondaryPrivateIpAddressCount: 1 + (i % 3) }, signal).then(
            (x) => x.assigned,
            (err: unknown) => {
              expect(err).toBeInstanceOf(CloudApiError);
              expect((err as CloudApiError).code).toBe('InsufficientFreeAddressesInSubnet');
              return [] as string[];
            },
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, i) => worker(i % 2 ? a : b)));
    expect(results).toHaveLength(130);
    const handed = [...enis.map((e) => e.privateIpAddress), ...results.flat()];
    expect(new Set(handed).size).toBe(handed.length);
    // 6 primaries + 130 requests of 1–3 (259 addresses) ask for more than 251: the subnet ends full or nearly so.
    const left = await available(id);
    expect(handed.length).toBe(251 - left);
    expect(left).toBeLessThan(3);
    await expectConsistent(a, id);
  }, 90_000);

  it('durability — a replica whose etcd client closes mid-burst loses nothing it acknowledged', async () => {
    const id = await subnet('10.20.6.0/24');
    const c = replica();
    const eni = await c.enis.createNetworkInterface({ subnetId: id }, signal);
    const acked: string[] = [];
    const burst = Promise.all(
      Array.from({ length: 60 }, () =>
        c.enis.assignPrivateIpAddresses({ networkInterfaceId: eni.networkInterfaceId, secondaryPrivateIpAddressCount: 1 }, signal).then(
          (x) => void acked.push(...x.assigned),
          () => undefined,
        ),
      ),
    );
    await waitFor(() => acked.length >= 5, { timeoutMs: 20_000, description: 'five acknowledged assignments' });
    c.store.close();
    await burst;
    const [after] = await a.enis.describeNetworkInterfaces({ networkInterfaceIds: [eni.networkInterfaceId] }, signal);
    for (const ip of acked) expect(after!.privateIpAddresses).toContain(ip);
    await expectConsistent(a, id);
  });

  it('instances — lifecycle with events, client token, release of ENI and addresses, retention', async () => {
    const id = await subnet('10.20.7.0/24', 'us-east-1c');
    const { instances, sink, clock } = a;
    const before = await available(id);
    const [inst] = await instances.runInstances({ instanceType: 't3.large', subnetId: id, clientToken: 'tok-1', tags: { 'aws:autoscaling:groupName': 'ng-1' } }, signal);
    expect(inst!.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(inst!.privateDnsName).toBe(`ip-${inst!.privateIpAddress.replaceAll('.', '-')}.ec2.internal`);
    expect(inst!.state).toBe('pending');
    expect(await available(id)).toBe(before - 1);
    const again = await b.instances.runInstances({ instanceType: 't3.large', subnetId: id, clientToken: 'tok-1', tags: { 'aws:autoscaling:groupName': 'ng-1' } }, signal);
    expect(again.map((i) => i.instanceId)).toEqual([inst!.instanceId]);
    expect(await code(b.instances.runInstances({ instanceType: 'm5.large', subnetId: id, clientToken: 'tok-1' }, signal))).toBe('IdempotentParameterMismatch');
    expect(await available(id)).toBe(before - 1);

    // Transitions as announced by either replica (whichever won each one).
    const states = (): string[] =>
      sink.events.flatMap((e) => (e.kind === 'instance-state' && e.instanceId === inst!.instanceId ? [`${e.previousState}→${e.state}`] : []));
    expect(states()).toEqual(['null→pending']);
    expect(await instances.reconcileOnce(signal)).toBe(0);
    clock.t += instances.timings.pendingMs;
    b.clock.t = clock.t;
    await Promise.all([instances.reconcileOnce(signal), b.instances.reconcileOnce(signal)]);
    expect((await instances.describeInstances({ instanceIds: [inst!.instanceId] }, signal))[0]!.state).toBe('running');
    // Exactly one replica made (and announced) the transition.
    expect(states()).toEqual(['null→pending', 'pending→running']);

    await instances.terminateInstances([inst!.instanceId], signal);
    clock.t += instances.timings.shuttingDownMs;
    await instances.reconcileOnce(signal);
    const [gone] = await instances.describeInstances({ instanceIds: [inst!.instanceId] }, signal);
    expect(gone!.state).toBe('terminated');
    expect(states()).toEqual(['null→pending', 'pending→running', 'running→shutting-down', 'shutting-down→terminated']);
    expect(sink.events.some((e) => e.kind === 'eni' && e.action === 'deleted' && e.instanceId === inst!.instanceId)).toBe(true);
    expect(await available(id)).toBe(before);
    expect(await instances.describeInstances({ tags: { 'aws:autoscaling:groupName': 'ng-1' } }, signal)).toHaveLength(1);
    clock.t += instances.timings.terminatedRetentionMs;
    await instances.reconcileOnce(signal);
    expect(await code(instances.describeInstances({ instanceIds: [inst!.instanceId] }, signal))).toBe('InvalidInstanceID.NotFound');
    expect(await code(instances.terminateInstances(['i-00000000000000000'], signal))).toBe('InvalidInstanceID.NotFound');
  });

  it('instances — a Spot interruption warns two minutes ahead, then terminates', async () => {
    const id = await subnet('10.20.8.0/24', 'us-east-1b');
    const { instances, sink, clock } = a;
    const [spot] = await instances.runInstances({ instanceType: 'm5.xlarge', subnetId: id, lifecycle: 'spot' }, signal);
    clock.t += instances.timings.pendingMs;
    await instances.reconcileOnce(signal);
    const { actionTime } = await instances.interruptSpot(spot!.instanceId, signal);
    expect(Date.parse(actionTime) - clock.t).toBe(120_000);
    expect(sink.events.filter((e) => e.kind === 'spot-interruption' && e.instanceId === spot!.instanceId)).toEqual([
      { kind: 'spot-interruption', instanceId: spot!.instanceId, availabilityZone: 'us-east-1b', action: 'terminate', actionTime },
    ]);
    clock.t += 119_000;
    await instances.reconcileOnce(signal);
    expect((await instances.describeInstances({ instanceIds: [spot!.instanceId] }, signal))[0]!.state).toBe('running');
    clock.t += 1_000;
    await instances.reconcileOnce(signal);
    expect((await instances.describeInstances({ instanceIds: [spot!.instanceId] }, signal))[0]!.state).toBe('shutting-down');
    const [ondemand] = await instances.runInstances({ instanceType: 'm5.xlarge', subnetId: id }, signal);
    expect(await code(instances.interruptSpot(ondemand!.instanceId, signal))).toBe('UnsupportedOperation');
  });

  it('faults — RunInstances asks the gate with the subnet\'s AZ; an impaired AZ fails the launch and takes nothing', async () => {
    const id = await subnet('10.20.10.0/28', 'us-east-1c');
    const asked: Array<[string, string | undefined]> = [];
    const gate: FaultGate = {
      enter: (api, context) => {
        asked.push([api, context.availabilityZone]);
        if (api === 'RunInstances' && context.availabilityZone === 'us-east-1c') {
          return Promise.reject(new CloudApiError('InsufficientInstanceCapacity', 'We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1c).', true));
        }
        return Promise.resolve();
      },
    };
    const impaired = new Instances({ store: a.store, events: sink, vpcs: a.vpcs, clock: a.clock, faults: gate });
    expect(await code(impaired.runInstances({ instanceType: 'm5.large', subnetId: id }, signal))).toBe('InsufficientInstanceCapacity');
    expect(asked).toEqual([['RunInstances', 'us-east-1c']]);
    expect(await available(id)).toBe(11);
  });

  it('outbox — a change whose event cannot be published still commits, and the drainer delivers the event later', async () => {
    const id = await subnet('10.20.9.0/28');
    let down = true;
    const delivered: CloudEventInput[] = [];
    const flaky: EventSink = {
      publish: (e) => {
        if (down) return Promise.reject(new Error('NATS is down'));
        delivered.push(e);
        return Promise.resolve();
      },
    };
    const enis = new NetworkInterfaces({ store: a.store, events: flaky });
    const eni = await enis.createNetworkInterface({ subnetId: id }, signal);
    expect(delivered).toEqual([]);
    expect(await available(id)).toBe(10);
    const pending = (await a.store.list('/ec2/outbox/')).items;
    expect(pending.map((r) => (r['event'] as { networkInterfaceId?: string }).networkInterfaceId)).toContain(eni.networkInterfaceId);
    down = false;
    expect(await drainOutbox(a.store, flaky, 0, signal)).toBe(pending.length);
    expect(delivered).toContainEqual(expect.objectContaining({ kind: 'eni', action: 'created', networkInterfaceId: eni.networkInterfaceId, addresses: [eni.privateIpAddress] }));
    expect((await a.store.list('/ec2/outbox/')).items).toEqual([]);
  });

  it('default VPC — two replicas creating it at once agree on one VPC with three private and three public subnets', async () => {
    const [x, y] = await Promise.all([ensureDefaultVpc(a.vpcs, defaultVpcSpec, signal), ensureDefaultVpc(b.vpcs, defaultVpcSpec, signal)]);
    expect(x.vpc.vpcId).toBe(y.vpc.vpcId);
    expect(x.subnets.map((s) => s.subnetId)).toEqual(y.subnets.map((s) => s.subnetId));
    const subnets = await a.vpcs.describeSubnets({ vpcId: x.vpc.vpcId }, signal);
    expect(subnets.map((s) => [s.availabilityZone, s.public, s.cidrBlock]).sort()).toEqual([
      ['us-east-1a', false, '10.0.0.0/19'], ['us-east-1a', true, '10.0.96.0/22'],
      ['us-east-1b', false, '10.0.32.0/19'], ['us-east-1b', true, '10.0.100.0/22'],
      ['us-east-1c', false, '10.0.64.0/19'], ['us-east-1c', true, '10.0.104.0/22'],
    ]);
    expect(x.vpc.cidrBlockAssociations.map((c) => c.cidrBlock)).toEqual(['10.0.0.0/16', '100.64.0.0/16']);
  });
});

/** The subnet's bitmap marks exactly the reserved addresses and those the ENIs hold. */
async function expectConsistent(r: Replica, subnetId: string): Promise<void> {
  const [s] = await r.vpcs.describeSubnets({ subnetIds: [subnetId] }, signal);
  const cidr = parseCidr(s!.cidrBlock)!;
  const chunks = (await r.store.list<Chunk>(chunkPrefix(subnetId))).items;
  const used = chunks.flatMap(usedOffsets).sort((x, y) => x - y);
  const enis: EniRecord[] = await r.enis.describeNetworkInterfaces({ subnetId }, signal);
  const held = enis.flatMap((e) => e.privateIpAddresses.map((ip) => parseIpv4(ip)! - cidr.base));
  const expected = [...new Set([0, 1, 2, 3, cidr.size - 1, ...held])].sort((x, y) => x - y);
  expect(held.length).toBe(new Set(held).size);
  expect(used).toEqual(expected);
  expect(s!.availableIpAddressCount).toBe(cidr.size - expected.length);
}
