import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL_CONFIG, NoAvailableAddressError } from '@ekslab/ipamd';
import { createLogger } from '@ekslab/runtime';
import { CheckpointError, CheckpointFile } from './checkpoint.js';
import { FakeEc2 } from './ec2.fixture.js';
import { maxPods } from './max-pods.js';
import { EniConfigMissingError, InstanceNotFoundError, NodeIpam, type IpamSettings } from './node-ipam.js';

const log = createLogger('ipamd-test', 'fatal');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function settings(overrides: Partial<IpamSettings> = {}, pool: Partial<IpamSettings['pool']> = {}): IpamSettings {
  return {
    pool: { ...DEFAULT_POOL_CONFIG, ...pool }, maxEni: -1, customNetwork: false, eniConfig: new Map(), externalSnat: false,
    excludeSnatCidrs: [], insufficientCidrCooldownMs: 120_000, clusterName: 'lab', ...overrides,
  };
}

function setup(s: IpamSettings = settings(), free = 1000) {
  const ec2 = new FakeEc2();
  ec2.addSubnet('subnet-a', 'us-east-1a', '10.0.1', free);
  ec2.addSubnet('subnet-cn', 'us-east-1a', '100.64.1', 1000);
  const dir = mkdtempSync(join(tmpdir(), 'ipamd-unit-'));
  dirs.push(dir);
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const adopt = (instanceId: string, name = 'node-1') =>
    NodeIpam.adopt({ ec2, settings: s, checkpoint: new CheckpointFile(dir, name, false), log, now: () => now }, name, instanceId, AbortSignal.timeout(5_000));
  return { ec2, dir, clock, adopt };
}

const pod = (i: number, container = `c-${i}`) => ({ networkName: 'aws-cni', containerID: container, ifName: 'eth0', namespace: 'default', name: `pod-${i}` });

describe('ipamd — max pods (max-pods-calculator)', () => {
  it.each([
    ['m5.large', 3, 10, 2, false, false, 29],
    ['m5.large PD', 3, 10, 2, true, false, 110],
    ['m5.large custom networking', 3, 10, 2, false, true, 20],
    ['m5.24xlarge', 15, 50, 96, false, false, 250],
    ['t3.small', 3, 4, 2, false, false, 11],
  ])('%s → %i', (_n, maxEnis, ipv4PerEni, vcpus, prefixDelegation, customNetworking, want) => {
    expect(maxPods({ maxEnis, ipv4PerEni, vcpus, prefixDelegation, customNetworking })).toBe(want);
  });
});

describe('ipamd — checkpoint', () => {
  it('replays the journal over ipam.json; a torn last line is ignored; compact folds it in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipamd-unit-'));
    dirs.push(dir);
    const cp = new CheckpointFile(dir, 'n/1', false);
    const entry = (c: string, ip: string) => ({ networkName: 'aws-cni', containerID: c, ifName: 'eth0', ipv4: ip, allocationTimestamp: 1, metadata: {} });
    cp.compact([entry('a', '10.0.0.1')]);
    cp.append({ op: 'add', entry: entry('b', '10.0.0.2') });
    cp.append({ op: 'del', key: { networkName: 'aws-cni', containerID: 'a', ifName: 'eth0' } });
    cp.append({ op: 'add', entry: entry('c', '10.0.0.3') });
    cp.closeJournal();
    writeFileSync(cp.journalPath, readFileSync(cp.journalPath, 'utf8') + '{"op":"add","entry":{"netw');
    expect(cp.read().allocations.map((e) => e.containerID)).toEqual(['b', 'c']);
    cp.compact(cp.read().allocations);
    expect(readFileSync(cp.journalPath, 'utf8')).toBe('');
    expect(JSON.parse(readFileSync(cp.path, 'utf8'))).toMatchObject({ version: 'vpc-cni-ipam/1', allocations: [{ containerID: 'b' }, { containerID: 'c' }] });
    expect(cp.path).toBe(join(dir, 'n%2F1', 'ipam.json'));
  });
});

describe('ipamd — node IPAM', () => {
  it('adopt: the primary ENI, max pods; a reconcile pass fills one ENI\'s worth (WARM_ENI_TARGET=1) and assigns make no EC2 call', async () => {
    const { ec2, adopt } = setup();
    const inst = ec2.launch('m5.large', 'subnet-a');
    const node = await adopt(inst.instanceId);
    expect(node.maxPods).toBe(29);
    expect(node.primaryEniId).toMatch(/^eni-/);
    await node.reconcile(AbortSignal.timeout(5_000));
    expect(node.gauges()).toMatchObject({ enis: 1, totalIps: 9, assignedIps: 0 });
    const calls = ec2.calls.length;
    const a = node.assign(pod(0));
    expect(ec2.calls.length).toBe(calls);
    expect(node.assign(pod(0))).toEqual(a); // idempotent
    expect(a.deviceNumber).toBe(0);
    await node.reconcile(AbortSignal.timeout(5_000));
    expect(node.gauges()).toMatchObject({ enis: 2, totalIps: 18, assignedIps: 1 });
    const second = [...ec2.enis.values()].find((e) => e.attachment?.deviceIndex === 1)!;
    expect(second.description).toBe(`aws-K8S-${inst.instanceId}`);
    expect(second.tags).toMatchObject({ 'node.k8s.amazonaws.com/instance_id': inst.instanceId, 'cluster.k8s.amazonaws.com/name': 'lab' });
  });

  it('unassign: idempotent; the address cools down before it is handed out again', async () => {
    const { ec2, adopt, clock } = setup(settings({}, { warmEniTarget: 0, warmIpTarget: 2, minimumIpTarget: 2 }));
    const node = await adopt(ec2.launch('m5.large', 'subnet-a').instanceId);
    await node.reconcile(AbortSignal.timeout(5_000));
    const a = node.assign(pod(0));
    await node.reconcile(AbortSignal.timeout(5_000)); // WARM_IP_TARGET=2: one more
    expect(node.unassign(pod(0))?.ip).toBe(a.ip);
    expect(node.unassign(pod(0))).toBeUndefined();
    await node.reconcile(AbortSignal.timeout(5_000));
    expect(node.assign(pod(1)).ip).not.toBe(a.ip);
    clock.advance(30_000);
    expect(node.assign(pod(2)).ip).toBe(a.ip);
  });

  it('restart: the checkpoint (ipam.json) is re-attached to the ENIs EC2 reports; stale rows are dropped', async () => {
    const { ec2, adopt, dir } = setup();
    const inst = ec2.launch('m5.large', 'subnet-a');
    const first = await adopt(inst.instanceId);
    await first.reconcile(AbortSignal.timeout(5_000));
    const held = [0, 1, 2].map((i) => first.assign(pod(i)).ip);
    first.unassign(pod(1));
    const file = JSON.parse(readFileSync(join(dir, 'node-1', 'ipam.json'), 'utf8')) as { version: string; allocations: unknown[] };
    expect(file).toEqual({ version: 'vpc-cni-ipam/1', allocations: [] }); // written at adopt; changes since are journalled
    expect(readFileSync(join(dir, 'node-1', 'ipam.journal'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(new CheckpointFile(dir, 'node-1').read().allocations).toEqual([
      { networkName: 'aws-cni', containerID: 'c-0', ifName: 'eth0', ipv4: held[0], allocationTimestamp: 1_000_000 * 1e6, metadata: { k8sPodNamespace: 'default', k8sPodName: 'pod-0', interfacesCount: 1 } },
      expect.objectContaining({ containerID: 'c-2', ipv4: held[2] }),
    ]);
    // An address that EC2 no longer has on the ENI (released behind our back) must not come back.
    const primary = [...ec2.enis.values()].find((e) => e.attachment?.deviceIndex === 0)!;
    primary.privateIpAddresses = primary.privateIpAddresses.filter((ip) => ip !== held[2]);
    const second = await adopt(inst.instanceId);
    // Adopt compacts: ipam.json holds the surviving allocation, the journal is empty.
    expect((JSON.parse(readFileSync(join(dir, 'node-1', 'ipam.json'), 'utf8')) as { allocations: Array<{ ipv4: string }> }).allocations.map((e) => e.ipv4)).toEqual([held[0]]);
    expect(readFileSync(join(dir, 'node-1', 'ipam.journal'), 'utf8')).toBe('');
    expect(second.assign(pod(0)).ip).toBe(held[0]);
    expect(second.ds.get('aws-cni/c-2/eth0')).toBeUndefined();
    const fresh = [3, 4, 5, 6].map((i) => second.assign(pod(i)).ip);
    expect(fresh).not.toContain(held[0]);
    expect(new Set(fresh).size).toBe(4);
  });

  it('adopt deletes ENIs it created for the instance but never attached (a crash between Create and Attach)', async () => {
    const { ec2, adopt } = setup();
    const inst = ec2.launch('m5.large', 'subnet-a');
    const leaked = await ec2.createNetworkInterface({ subnetId: 'subnet-a', description: 'x', tags: { 'node.k8s.amazonaws.com/instance_id': inst.instanceId } });
    await adopt(inst.instanceId);
    expect(ec2.enis.has(leaked.networkInterfaceId)).toBe(false);
  });

  it('subnet exhaustion: AddNetwork fails; no EC2 grow during the insufficient-CIDR cooldown; a freed address succeeds', async () => {
    const { ec2, adopt, clock } = setup(settings({ insufficientCidrCooldownMs: 120_000 }), 10);
    const node = await adopt(ec2.launch('m5.large', 'subnet-a').instanceId); // 9 free left
    await node.reconcile(AbortSignal.timeout(5_000)); // 9 warm, 0 free in the subnet
    for (let i = 0; i < 9; i++) node.assign(pod(i));
    await node.reconcile(AbortSignal.timeout(5_000)); // CreateNetworkInterface fails
    expect(node.inInsufficientCidrCooldown()).toBe(true);
    expect(() => node.assign(pod(9))).toThrow(NoAvailableAddressError);
    expect(() => node.assign(pod(9))).toThrow('AssignPodIPAddress: no available IP/Prefix addresses');
    const calls = ec2.calls.length;
    clock.advance(60_000);
    await node.reconcile(AbortSignal.timeout(5_000));
    expect(ec2.calls.length).toBe(calls);
    clock.advance(61_000);
    await node.reconcile(AbortSignal.timeout(5_000));
    expect(ec2.calls.length).toBeGreaterThan(calls); // tries the cloud again after 120 s
    const freed = node.unassign(pod(0))!.ip;
    clock.advance(30_000);
    expect(node.assign(pod(10)).ip).toBe(freed);
  });

  it('prefix delegation: /28 prefixes, max pods 110, addresses carved from the prefix', async () => {
    const { ec2, adopt } = setup(settings({}, { enablePrefixDelegation: true }));
    const node = await adopt(ec2.launch('m5.large', 'subnet-a').instanceId);
    expect(node.maxPods).toBe(110);
    await node.reconcile(AbortSignal.timeout(5_000));
    expect(node.gauges()).toMatchObject({ totalIps: 16, totalPrefixes: 1 });
    const a = node.assign(pod(0));
    expect(a.prefix).toMatch(/\/28$/);
    expect(a.ip).toBe(a.prefix!.replace('/28', ''));
  });

  it('custom networking: pods come from the ENIConfig subnet on a secondary ENI; the primary ENI stays out; no ENIConfig → error', async () => {
    const cn = settings({ customNetwork: true, eniConfig: new Map([['us-east-1a', 'subnet-cn']]) });
    const { ec2, adopt } = setup(cn);
    const inst = ec2.launch('m5.large', 'subnet-a');
    const node = await adopt(inst.instanceId);
    expect(node.maxPods).toBe(20);
    await node.reconcile(AbortSignal.timeout(5_000));
    const a = node.assign(pod(0));
    expect(a.ip).toMatch(/^100\.64\.1\./);
    expect(a.deviceNumber).toBe(1);
    const primary = [...ec2.enis.values()].find((e) => e.attachment?.deviceIndex === 0)!;
    expect(primary.privateIpAddresses).toHaveLength(1);
    const other = setup(settings({ customNetwork: true }));
    await expect(other.adopt(other.ec2.launch('m5.large', 'subnet-a').instanceId)).rejects.toThrow(EniConfigMissingError);
  });

  it('adopt fails for an unknown or terminated instance; a foreign checkpoint version is refused', async () => {
    const { ec2, adopt, dir } = setup();
    await expect(adopt('i-nope')).rejects.toThrow(InstanceNotFoundError);
    const inst = ec2.launch('m5.large', 'subnet-a');
    ec2.instances.set(inst.instanceId, { ...inst, state: 'terminated' });
    await expect(adopt(inst.instanceId)).rejects.toThrow(/not running \(state terminated\)/);
    ec2.instances.set(inst.instanceId, inst);
    mkdirSync(join(dir, 'node-1'), { recursive: true });
    writeFileSync(join(dir, 'node-1', 'ipam.json'), JSON.stringify({ version: 'vpc-cni-ipam/0', allocations: [] }));
    await expect(adopt(inst.instanceId)).rejects.toThrow(CheckpointError);
  });
});
