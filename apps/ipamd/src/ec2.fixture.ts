// An in-memory EC2 for NodeIpam tests: one VPC, subnets with a free-address counter, instances with a
// primary ENI, the per-ENI slot limit and InsufficientFreeAddressesInSubnet, and a log of mutating calls.
import type { Ec2Instance, Ec2InstanceTypeInfo, Ec2NetworkInterface, Ec2Subnet, Ec2Vpc } from '@ekslab/proto';
import { Ec2Error, type Ec2Port } from './ec2.js';

const TYPES: Record<string, Ec2InstanceTypeInfo> = {
  'm5.large': { instanceType: 'm5.large', vcpus: 2, memoryMib: 8192, maximumNetworkInterfaces: 3, ipv4AddressesPerInterface: 10, eniMaxPods: 29 },
  't3.small': { instanceType: 't3.small', vcpus: 2, memoryMib: 2048, maximumNetworkInterfaces: 3, ipv4AddressesPerInterface: 4, eniMaxPods: 11 },
};

export class FakeEc2 implements Ec2Port {
  readonly calls: string[] = [];
  readonly enis = new Map<string, Ec2NetworkInterface>();
  readonly instances = new Map<string, Ec2Instance>();
  readonly subnets = new Map<string, Ec2Subnet & { next: number; free: number }>();
  private seq = 0;

  addSubnet(subnetId: string, az: string, base: string, free: number): void {
    this.subnets.set(subnetId, { subnetId, vpcId: 'vpc-1', availabilityZone: az, cidrBlock: `${base}.0/24`, availableIpAddressCount: free, public: false, tags: {}, next: 10, free });
  }

  launch(instanceType: string, subnetId: string): Ec2Instance {
    const id = `i-${++this.seq}`;
    const eni = this.newEni(subnetId);
    eni.attachment = { attachmentId: `attach-${id}`, instanceId: id, deviceIndex: 0, deleteOnTermination: true };
    eni.status = 'in-use';
    const s = this.subnets.get(subnetId)!;
    const inst: Ec2Instance = { instanceId: id, instanceType, availabilityZone: s.availabilityZone, subnetId, state: 'running', privateIpAddress: eni.privateIpAddress, privateDnsName: '', lifecycle: 'on-demand', launchTime: '', tags: {} };
    this.instances.set(id, inst);
    return inst;
  }

  private address(subnetId: string): string {
    const s = this.subnets.get(subnetId)!;
    if (s.free <= 0) throw new Ec2Error('Fake', 'InsufficientFreeAddressesInSubnet', 'The specified subnet does not have enough free addresses to satisfy the request.', true);
    s.free--;
    return `${s.cidrBlock.split('.').slice(0, 3).join('.')}.${s.next++}`;
  }

  private newEni(subnetId: string, tags: Record<string, string> = {}, description = ''): Ec2NetworkInterface {
    const ip = this.address(subnetId);
    const eni: Ec2NetworkInterface = { networkInterfaceId: `eni-${++this.seq}`, subnetId, vpcId: 'vpc-1', availabilityZone: this.subnets.get(subnetId)!.availabilityZone, description, status: 'available', privateIpAddress: ip, privateIpAddresses: [ip], ipv4Prefixes: [], tags };
    this.enis.set(eni.networkInterfaceId, eni);
    return eni;
  }

  private eni(id: string): Ec2NetworkInterface {
    const e = this.enis.get(id);
    if (!e) throw new Ec2Error('Fake', 'InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`, false);
    return e;
  }

  private room(e: Ec2NetworkInterface, n: number): void {
    const inst = e.attachment ? this.instances.get(e.attachment.instanceId) : undefined;
    const limit = inst ? TYPES[inst.instanceType]!.ipv4AddressesPerInterface : Infinity;
    if (e.privateIpAddresses.length + e.ipv4Prefixes.length + n > limit) throw new Ec2Error('Fake', 'PrivateIpAddressLimitExceeded', 'Number of private addresses will exceed limit.', false);
  }

  describeInstance(id: string): Promise<Ec2Instance | undefined> {
    return Promise.resolve(this.instances.get(id));
  }
  describeInstanceType(t: string): Promise<Ec2InstanceTypeInfo | undefined> {
    return Promise.resolve(TYPES[t]);
  }
  describeSubnet(id: string): Promise<Ec2Subnet | undefined> {
    return Promise.resolve(this.subnets.get(id));
  }
  describeVpc(vpcId: string): Promise<Ec2Vpc | undefined> {
    return Promise.resolve({ vpcId, cidrBlock: '10.0.0.0/16', cidrBlocks: ['10.0.0.0/16', '100.64.0.0/16'], tags: {} });
  }
  describeNetworkInterfaces(filter: { instanceId?: string }): Promise<Ec2NetworkInterface[]> {
    const all = [...this.enis.values()].map((e) => structuredClone(e));
    return Promise.resolve(filter.instanceId ? all.filter((e) => e.attachment?.instanceId === filter.instanceId) : all);
  }
  createNetworkInterface(input: { subnetId: string; description: string; tags: Record<string, string> }): Promise<Ec2NetworkInterface> {
    this.calls.push('CreateNetworkInterface');
    return Promise.resolve(structuredClone(this.newEni(input.subnetId, input.tags, input.description)));
  }
  attachNetworkInterface(input: { eniId: string; instanceId: string; deviceIndex: number }): Promise<void> {
    this.calls.push('AttachNetworkInterface');
    const e = this.eni(input.eniId);
    const attached = [...this.enis.values()].filter((x) => x.attachment?.instanceId === input.instanceId).length;
    if (attached >= TYPES[this.instances.get(input.instanceId)!.instanceType]!.maximumNetworkInterfaces) {
      return Promise.reject(new Ec2Error('Fake', 'AttachmentLimitExceeded', 'Interface count exceeds the limit', false));
    }
    e.attachment = { attachmentId: `attach-${e.networkInterfaceId}`, instanceId: input.instanceId, deviceIndex: input.deviceIndex, deleteOnTermination: true };
    e.status = 'in-use';
    return Promise.resolve();
  }
  detachNetworkInterface(id: string): Promise<void> {
    this.calls.push('DetachNetworkInterface');
    const e = this.eni(id);
    delete e.attachment;
    e.status = 'available';
    return Promise.resolve();
  }
  deleteNetworkInterface(id: string): Promise<void> {
    this.calls.push('DeleteNetworkInterface');
    const e = this.eni(id);
    this.subnets.get(e.subnetId)!.free += e.privateIpAddresses.length + 16 * e.ipv4Prefixes.length;
    this.enis.delete(id);
    return Promise.resolve();
  }
  async assignPrivateIpAddresses(id: string, count: number): Promise<string[]> {
    this.calls.push('AssignPrivateIpAddresses');
    const e = this.eni(id);
    this.room(e, count);
    const s = this.subnets.get(e.subnetId)!;
    if (s.free < count) throw new Ec2Error('Fake', 'InsufficientFreeAddressesInSubnet', 'The specified subnet does not have enough free addresses to satisfy the request.', true);
    const ips = Array.from({ length: count }, () => this.address(e.subnetId));
    e.privateIpAddresses.push(...ips);
    return Promise.resolve(ips);
  }
  unassignPrivateIpAddresses(id: string, ips: readonly string[]): Promise<void> {
    this.calls.push('UnassignPrivateIpAddresses');
    const e = this.eni(id);
    e.privateIpAddresses = e.privateIpAddresses.filter((ip) => !ips.includes(ip));
    this.subnets.get(e.subnetId)!.free += ips.length;
    return Promise.resolve();
  }
  async assignIpv4Prefixes(id: string, count: number): Promise<string[]> {
    this.calls.push('AssignIpv4Prefixes');
    const e = this.eni(id);
    this.room(e, count);
    const prefixes = Array.from({ length: count }, () => `10.9.${++this.seq}.0/28`);
    e.ipv4Prefixes.push(...prefixes);
    return Promise.resolve(prefixes);
  }
  unassignIpv4Prefixes(id: string, prefixes: readonly string[]): Promise<void> {
    this.calls.push('UnassignIpv4Prefixes');
    const e = this.eni(id);
    e.ipv4Prefixes = e.ipv4Prefixes.filter((p) => !prefixes.includes(p));
    return Promise.resolve();
  }
}
