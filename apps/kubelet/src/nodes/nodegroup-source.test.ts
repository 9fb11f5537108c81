import { describe, expect, it } from 'vitest';
import { createLogger } from '@ekslab/runtime';
import { FakeClock } from '@ekslab/client';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { NodeApi, NodeSpec } from '../agent.js';
import type { AutoScalingGroup, CloudApi, Instance } from '../cloud/cloud-api.js';
import { RemoteCallError } from '../cloud/unary.js';
import { nodegroupAsgName, nodegroupId } from './nodegroup.js';
import { NodegroupSource, type IpamdNodes } from './nodegroup-source.js';

const log = createLogger('kubelet-test', 'fatal');

/** One node group's worth of cloud: a VPC with private subnets in a/b/c and whatever instances the test sets. */
class FakeCloud implements CloudApi {
  groups: AutoScalingGroup[] = [];
  instances = new Map<string, Instance>();
  creates = 0;
  describeAutoScalingGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
    return Promise.resolve(this.groups.filter((g) => names.length === 0 || names.includes(g.autoScalingGroupName)));
  }
  createAutoScalingGroup(req: Parameters<CloudApi['createAutoScalingGroup']>[0]): Promise<AutoScalingGroup> {
    this.creates++;
    if (this.groups.some((g) => g.autoScalingGroupName === req.autoScalingGroupName)) {
      return Promise.reject(new RemoteCallError('CreateAutoScalingGroup', GrpcStatus.ALREADY_EXISTS, 'AlreadyExists', 'exists', false));
    }
    const g: AutoScalingGroup = {
      autoScalingGroupName: req.autoScalingGroupName, autoScalingGroupArn: '', minSize: req.minSize, maxSize: req.maxSize,
      desiredCapacity: req.desiredCapacity ?? req.minSize, vpcZoneIdentifier: req.vpcZoneIdentifier, availabilityZones: [],
      instanceTypes: req.instanceTypes, capacityType: req.capacityType, tags: req.tags, createdTime: '', status: '', instances: [],
    };
    this.groups.push(g);
    return Promise.resolve(g);
  }
  describeVpcs() {
    return Promise.resolve([{ vpcId: 'vpc-1', cidrBlock: '10.0.0.0/16', cidrBlocks: [], tags: { Name: 'ekslab' } }]);
  }
  describeSubnets() {
    const s = (id: string, az: string, pub: boolean) => ({ subnetId: id, vpcId: 'vpc-1', availabilityZone: az, cidrBlock: '', availableIpAddressCount: 0, public: pub, tags: {} });
    return Promise.resolve([s('subnet-c', 'us-east-1c', false), s('subnet-pa', 'us-east-1a', true), s('subnet-a', 'us-east-1a', false), s('subnet-b', 'us-east-1b', false)]);
  }
  describeInstances(ids: readonly string[]): Promise<Instance[]> {
    return Promise.resolve(ids.map((id) => this.instances.get(id)).filter((i): i is Instance => i !== undefined));
  }
  describeInstanceTypes(names: readonly string[]) {
    return Promise.resolve(names.filter((n) => n === 'm5.large').map((n) => ({ instanceType: n, vcpus: 2, memoryMib: 8192, maximumNetworkInterfaces: 3, ipv4AddressesPerInterface: 10, eniMaxPods: 29 })));
  }
  close(): void {}

  /** Puts an instance into the group in `state`. */
  launch(id: string, az: string, ip: string, state: 'Pending' | 'InService' | 'Terminating' = 'InService'): void {
    const g = this.groups[0]!;
    g.instances = [...g.instances.filter((i) => i.instanceId !== id), { instanceId: id, availabilityZone: az, subnetId: '', instanceType: 'm5.large', lifecycle: 'on-demand', lifecycleState: state, healthStatus: 'Healthy', launchTime: '' }];
    this.instances.set(id, { instanceId: id, instanceType: 'm5.large', availabilityZone: az, subnetId: '', state: state === 'Pending' ? 'pending' : 'running', privateIpAddress: ip, privateDnsName: `ip-${ip.replaceAll('.', '-')}.ec2.internal`, lifecycle: 'on-demand', launchTime: '', tags: {} });
  }
}

class FakeHost {
  readonly nodes = new Map<string, NodeSpec>();
  addNode(spec: NodeSpec): void {
    this.nodes.set(spec.name, spec);
  }
  removeNode(name: string): boolean {
    return this.nodes.delete(name);
  }
}

class FakeIpamd implements IpamdNodes {
  readonly calls: string[] = [];
  failEnsure = 0;
  ensureNode(nodeName: string, instanceId: string) {
    this.calls.push(`ensure ${nodeName} ${instanceId}`);
    if (this.failEnsure-- > 0) return Promise.reject(new Error('not yet'));
    return Promise.resolve({ maxPods: 110, primaryIp: '' });
  }
  removeNode(nodeName: string) {
    this.calls.push(`remove ${nodeName}`);
    return Promise.resolve();
  }
}

function setup(cloud = new FakeCloud(), ipamd?: IpamdNodes) {
  const host = new FakeHost();
  const source = new NodegroupSource({
    cloud, ipamd, host, nodeApi: () => ({}) as NodeApi, clock: new FakeClock(0), log,
    nodegroup: { clusterName: 'ekslab', nodegroup: 'ng-1', minSize: 1, maxSize: 9, desiredSize: 6, instanceTypes: ['m5.large'], capacityType: 'ON_DEMAND', subnetIds: [], vpcName: 'ekslab' },
    availabilityZone: 'us-east-1b', region: 'us-east-1', amiId: 'ami-1', kubernetesVersion: 'v1.33.0', syncPeriodMs: 1_000, concurrency: 4,
  });
  return { cloud, host, source, signal: new AbortController().signal };
}

describe('NodegroupSource', () => {
  it('node group — the Auto Scaling group is named eks-<nodegroup>-<uuid>, the same for every agent', () => {
    expect(nodegroupId('ekslab', 'ng-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nodegroupAsgName('ekslab', 'ng-1')).toBe(`eks-ng-1-${nodegroupId('ekslab', 'ng-1')}`);
    expect(nodegroupAsgName('ekslab', 'ng-1')).not.toBe(nodegroupAsgName('other', 'ng-1'));
  });

  it('node group — created once over the private subnets of every AZ, with EKS tags; a second agent adopts it', async () => {
    const a = setup();
    await a.source.sync(a.signal);
    const [g] = a.cloud.groups;
    expect(g).toMatchObject({ autoScalingGroupName: nodegroupAsgName('ekslab', 'ng-1'), vpcZoneIdentifier: 'subnet-a,subnet-b,subnet-c', desiredCapacity: 6, maxSize: 9, capacityType: 'on-demand' });
    expect(g!.tags).toMatchObject({ 'eks:cluster-name': 'ekslab', 'eks:nodegroup-name': 'ng-1', 'kubernetes.io/cluster/ekslab': 'owned' });
    const b = setup(a.cloud);
    await b.source.sync(b.signal);
    expect([a.cloud.groups.length, a.cloud.creates]).toEqual([1, 1]);
  });

  it('hosting — only InService instances of its AZ, with name, IP, providerID facts and max pods 29; terminations stop hosting', async () => {
    const { cloud, host, source, signal } = setup();
    await source.sync(signal);
    cloud.launch('i-a1', 'us-east-1a', '10.0.1.10');
    cloud.launch('i-b1', 'us-east-1b', '10.0.32.10');
    cloud.launch('i-b2', 'us-east-1b', '10.0.32.11');
    cloud.launch('i-b3', 'us-east-1b', '10.0.32.12', 'Pending');
    await source.sync(signal);
    expect([...host.nodes.keys()].sort()).toEqual(['ip-10-0-32-10.ec2.internal', 'ip-10-0-32-11.ec2.internal']);
    expect(host.nodes.get('ip-10-0-32-10.ec2.internal')!.input).toMatchObject({
      instanceId: 'i-b1', privateIp: '10.0.32.10', availabilityZone: 'us-east-1b', region: 'us-east-1', maxPods: 29, architecture: 'amd64',
      instanceType: { name: 'm5.large', vcpus: 2, memoryMiB: 8192 }, nodegroup: 'ng-1', capacityType: 'ON_DEMAND',
    });
    cloud.launch('i-b3', 'us-east-1b', '10.0.32.12', 'InService');
    cloud.launch('i-b1', 'us-east-1b', '10.0.32.10', 'Terminating');
    await source.sync(signal);
    expect([...host.nodes.keys()].sort()).toEqual(['ip-10-0-32-11.ec2.internal', 'ip-10-0-32-12.ec2.internal']);
    expect(source.hostedInstances().sort()).toEqual(['i-b2', 'i-b3']);
  });

  it('ipamd — EnsureNode before hosting (its max pods wins), retried until it succeeds; RemoveNode when the instance goes', async () => {
    const ipamd = new FakeIpamd();
    ipamd.failEnsure = 1;
    const { cloud, host, source, signal } = setup(new FakeCloud(), ipamd);
    await source.sync(signal);
    cloud.launch('i-b1', 'us-east-1b', '10.0.32.10');
    await source.sync(signal);
    expect(host.nodes.size).toBe(0);
    await source.sync(signal);
    expect(host.nodes.get('ip-10-0-32-10.ec2.internal')?.input.maxPods).toBe(110);
    cloud.groups[0]!.instances = [];
    await source.sync(signal);
    expect(host.nodes.size).toBe(0);
    expect(ipamd.calls).toEqual(['ensure ip-10-0-32-10.ec2.internal i-b1', 'ensure ip-10-0-32-10.ec2.internal i-b1', 'remove ip-10-0-32-10.ec2.internal']);
  });
});

