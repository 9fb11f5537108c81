// VPCs (primary and secondary CIDR blocks) and subnets. A VPC record lists its subnets' CIDRs, so creating
// a subnet checks overlaps and writes the subnet, its address chunks and the VPC in one transaction: two
// replicas can never carve overlapping subnets.
import type { EtcdStore, StoredObject } from '@ekslab/storage';
import { CloudApiError, noFaults, type FaultGate } from '../ports.js';
import { carve, contains, formatCidr, overlaps, parseCidr, requireCidr, type Cidr } from './cidr.js';
import { newId, stableId } from './ids.js';
import { chunkKey, chunkPrefix, newChunks, type Chunk, type SubnetRef } from './ipam.js';
import { listAll, transact, type Tx } from './txn.js';

export interface VpcRecord extends StoredObject {
  readonly vpcId: string;
  readonly cidrBlock: string;
  cidrBlockAssociations: Array<{ associationId: string; cidrBlock: string; state: 'associated' }>;
  subnets: Array<{ subnetId: string; cidrBlock: string }>;
  readonly tags: Record<string, string>;
}

export interface SubnetRecord extends StoredObject {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
  /** MapPublicIpOnLaunch: a public subnet. */
  readonly public: boolean;
  readonly tags: Record<string, string>;
}

export interface SubnetDescription {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
  availableIpAddressCount: number;
  public: boolean;
  tags: Record<string, string>;
}

export const vpcKey = (id: string): string => `/ec2/vpcs/${id}`;
export const subnetKey = (id: string): string => `/ec2/subnets/${id}`;

/** The Availability Zones of the simulated region (us-east-1). */
export const availabilityZones: readonly string[] = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];

/** Reads a subnet inside a transaction: InvalidSubnetID.NotFound if absent. */
export async function subnetIn(tx: Tx, subnetId: string): Promise<SubnetRecord & SubnetRef> {
  const s = await tx.get<SubnetRecord>(subnetKey(subnetId));
  if (!s) throw new CloudApiError('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  return { ...s, cidr: parseCidr(s.cidrBlock)! };
}

export interface CreateSubnetInput {
  readonly vpcId: string;
  readonly availabilityZone: string;
  /** Either a CIDR inside one of the VPC's blocks, or `prefixLength` to carve the first free block of that size. */
  readonly cidrBlock?: string;
  readonly prefixLength?: number;
  readonly public?: boolean;
  readonly tags?: Record<string, string>;
  /** A fixed id (the default VPC's subnets use stable ids); default a new random one. */
  readonly subnetId?: string;
}

export interface VpcDeps {
  readonly store: EtcdStore;
  readonly faults?: FaultGate;
}

export class Vpcs {
  private readonly store: EtcdStore;
  private readonly faults: FaultGate;

  constructor(deps: VpcDeps) {
    this.store = deps.store;
    this.faults = deps.faults ?? noFaults;
  }

  /** CreateVpc. The block must be /16 … /28 (`InvalidVpc.Range`). `vpcId` fixes the id; creating an existing id returns it. */
  async createVpc(input: { cidrBlock: string; tags?: Record<string, string>; vpcId?: string }, signal: AbortSignal): Promise<VpcRecord> {
    await this.faults.enter('CreateVpc', {}, signal);
    const cidr = requireCidr(input.cidrBlock, 'InvalidVpc.Range');
    checkSize(cidr, input.cidrBlock, 'InvalidVpc.Range');
    const vpcId = input.vpcId ?? newId('vpc');
    return transact(this.store, signal, async (tx) => {
      const existing = await tx.get<VpcRecord>(vpcKey(vpcId));
      if (existing) return existing;
      const vpc: VpcRecord = {
        vpcId,
        cidrBlock: formatCidr(cidr),
        cidrBlockAssociations: [{ associationId: stableId('vpc-cidr-assoc', `${vpcId}/${formatCidr(cidr)}`), cidrBlock: formatCidr(cidr), state: 'associated' }],
        subnets: [],
        tags: { ...input.tags },
      };
      tx.put(vpcKey(vpcId), vpc);
      return vpc;
    });
  }

  /** AssociateVpcCidrBlock: a secondary block (e.g. 100.64.0.0/16). Overlap with the VPC's blocks: `InvalidVpc.Range`. Idempotent for a block already associated. */
  async associateVpcCidrBlock(vpcId: string, cidrBlock: string, signal: AbortSignal): Promise<VpcRecord> {
    await this.faults.enter('AssociateVpcCidrBlock', {}, signal);
    const cidr = requireCidr(cidrBlock, 'InvalidVpc.Range');
    checkSize(cidr, cidrBlock, 'InvalidVpc.Range');
    return transact(this.store, signal, async (tx) => {
      const vpc = await vpcIn(tx, vpcId);
      if (vpc.cidrBlockAssociations.some((a) => a.cidrBlock === formatCidr(cidr))) return vpc;
      const clash = vpc.cidrBlockAssociations.find((a) => overlaps(parseCidr(a.cidrBlock)!, cidr));
      if (clash) throw new CloudApiError('InvalidVpc.Range', `The CIDR '${cidrBlock}' overlaps with the CIDR '${clash.cidrBlock}' of the VPC.`);
      if (vpc.cidrBlockAssociations.length >= 5) throw new CloudApiError('CidrLimitExceeded', `This network '${vpcId}' has met its maximum number of allowed CIDRs: 5`);
      vpc.cidrBlockAssociations.push({ associationId: stableId('vpc-cidr-assoc', `${vpcId}/${formatCidr(cidr)}`), cidrBlock: formatCidr(cidr), state: 'associated' });
      tx.put(vpcKey(vpcId), vpc);
      return vpc;
    });
  }

  /**
   * CreateSubnet. Errors as EC2: `InvalidSubnet.Range` (not inside a VPC block, or not /16 … /28),
   * `InvalidSubnet.Conflict` (overlaps another subnet), `InsufficientCidrBlocks` (no free block of
   * `prefixLength` left), `InvalidParameterValue` (unknown AZ). With a fixed `subnetId` that already
   * exists with the same CIDR, returns it (so replicas creating the default VPC together agree).
   */
  async createSubnet(input: CreateSubnetInput, signal: AbortSignal): Promise<SubnetDescription> {
    await this.faults.enter('CreateSubnet', { availabilityZone: input.availabilityZone }, signal);
    if (!availabilityZones.includes(input.availabilityZone)) {
      throw new CloudApiError('InvalidParameterValue', `Value (${input.availabilityZone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${availabilityZones.join(', ')}.`);
    }
    let requested: Cidr | undefined;
    if (input.cidrBlock !== undefined) {
      requested = requireCidr(input.cidrBlock, 'InvalidSubnet.Range');
      checkSize(requested, input.cidrBlock, 'InvalidSubnet.Range');
    } else if (input.prefixLength === undefined || input.prefixLength < 16 || input.prefixLength > 28) {
      throw new CloudApiError('InvalidParameterValue', 'Either CidrBlock or an Ipv4NetmaskLength between 16 and 28 is required.');
    }
    const subnetId = input.subnetId ?? newId('subnet');
    const record = await transact(this.store, signal, async (tx) => {
      const existing = await tx.get<SubnetRecord>(subnetKey(subnetId));
      if (existing) {
        if (requested && existing.cidrBlock !== formatCidr(requested)) throw new CloudApiError('InvalidSubnet.Conflict', `The CIDR '${input.cidrBlock}' conflicts with another subnet`);
        return existing;
      }
      const vpc = await vpcIn(tx, input.vpcId);
      const blocks = vpc.cidrBlockAssociations.map((a) => parseCidr(a.cidrBlock)!);
      const taken = vpc.subnets.map((s) => parseCidr(s.cidrBlock)!);
      let cidr: Cidr;
      if (requested) {
        if (!blocks.some((b) => contains(b, requested))) throw new CloudApiError('InvalidSubnet.Range', `The CIDR '${input.cidrBlock}' is invalid.`);
        if (taken.some((t) => overlaps(t, requested))) throw new CloudApiError('InvalidSubnet.Conflict', `The CIDR '${input.cidrBlock}' conflicts with another subnet`);
        cidr = requested;
      } else {
        const carved = carve(blocks, taken, input.prefixLength!);
        if (!carved) throw new CloudApiError('InsufficientCidrBlocks', 'The specified VPC does not have enough free cidr blocks to satisfy the request.', true);
        cidr = carved;
      }
      const subnet: SubnetRecord = {
        subnetId,
        vpcId: vpc.vpcId,
        availabilityZone: input.availabilityZone,
        cidrBlock: formatCidr(cidr),
        public: input.public ?? false,
        tags: { ...input.tags },
      };
      vpc.subnets.push({ subnetId, cidrBlock: subnet.cidrBlock });
      tx.put(vpcKey(vpc.vpcId), vpc);
      tx.put(subnetKey(subnetId), subnet);
      newChunks(subnetId, cidr).forEach((c, i) => tx.put(chunkKey(subnetId, i), c));
      return subnet;
    });
    const [described] = await this.describeSubnets({ subnetIds: [record.subnetId] }, signal);
    return described!;
  }

  /** DescribeSubnets with an exact AvailableIpAddressCount (summed over the subnet's chunks at one revision). */
  async describeSubnets(filter: { subnetIds?: readonly string[]; vpcId?: string }, signal: AbortSignal): Promise<SubnetDescription[]> {
    await this.faults.enter('DescribeSubnets', {}, signal);
    const subnets = await listAll<SubnetRecord>(this.store, '/ec2/subnets/', signal);
    const wanted = subnets.filter((s) => (!filter.subnetIds?.length || filter.subnetIds.includes(s.subnetId)) && (!filter.vpcId || s.vpcId === filter.vpcId));
    for (const id of filter.subnetIds ?? []) {
      if (!subnets.some((s) => s.subnetId === id)) throw new CloudApiError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    }
    return Promise.all(
      wanted.map(async (s) => {
        const chunks = await listAll<Chunk>(this.store, chunkPrefix(s.subnetId), signal);
        return {
          subnetId: s.subnetId,
          vpcId: s.vpcId,
          availabilityZone: s.availabilityZone,
          cidrBlock: s.cidrBlock,
          availableIpAddressCount: chunks.reduce((n, c) => n + c.free, 0),
          public: s.public,
          tags: s.tags,
        };
      }),
    );
  }

  async describeVpcs(signal: AbortSignal): Promise<VpcRecord[]> {
    await this.faults.enter('DescribeVpcs', {}, signal);
    return listAll<VpcRecord>(this.store, '/ec2/vpcs/', signal);
  }
}

async function vpcIn(tx: Tx, vpcId: string): Promise<VpcRecord> {
  const vpc = await tx.get<VpcRecord>(vpcKey(vpcId));
  if (!vpc) throw new CloudApiError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  return vpc;
}

function checkSize(cidr: Cidr, text: string, code: string): void {
  if (cidr.prefixLength < 16 || cidr.prefixLength > 28) throw new CloudApiError(code, `The CIDR '${text}' is invalid.`);
}

export interface DefaultVpcSpec {
  readonly name: string;
  readonly cidrBlock: string;
  readonly secondaryCidrBlocks: readonly string[];
  /** One private and one public subnet per zone. */
  readonly zones: readonly string[];
}

/** The lab's default VPC: 10.0.0.0/16 plus 100.64.0.0/16, a private /19 and a public /22 in each of three AZs. */
export const defaultVpcSpec: DefaultVpcSpec = {
  name: 'ekslab',
  cidrBlock: '10.0.0.0/16',
  secondaryCidrBlocks: ['100.64.0.0/16'],
  zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
};

/**
 * Creates the default VPC and its subnets if missing. Ids are derived from the spec, so replicas doing
 * this at the same time converge on one VPC and the same subnets. Private subnets: 10.0.0.0/19,
 * 10.0.32.0/19, 10.0.64.0/19; public: 10.0.96.0/22, 10.0.100.0/22, 10.0.104.0/22 (one pair per zone).
 */
export async function ensureDefaultVpc(vpcs: Vpcs, spec: DefaultVpcSpec, signal: AbortSignal): Promise<{ vpc: VpcRecord; subnets: SubnetDescription[] }> {
  const vpcId = stableId('vpc', spec.name);
  await vpcs.createVpc({ cidrBlock: spec.cidrBlock, vpcId, tags: { Name: spec.name } }, signal);
  for (const block of spec.secondaryCidrBlocks) await vpcs.associateVpcCidrBlock(vpcId, block, signal);
  const base = parseCidr(spec.cidrBlock)!.base;
  const subnets: SubnetDescription[] = [];
  for (const [i, zone] of spec.zones.entries()) {
    const priv = formatCidr({ base: base + i * 8192, prefixLength: 19 });
    const pub = formatCidr({ base: base + 3 * 8192 + i * 1024, prefixLength: 22 });
    subnets.push(await vpcs.createSubnet({ vpcId, availabilityZone: zone, cidrBlock: priv, public: false, subnetId: stableId('subnet', `${spec.name}/${priv}`), tags: { Name: `${spec.name}-private-${zone}`, 'kubernetes.io/role/internal-elb': '1' } }, signal));
    subnets.push(await vpcs.createSubnet({ vpcId, availabilityZone: zone, cidrBlock: pub, public: true, subnetId: stableId('subnet', `${spec.name}/${pub}`), tags: { Name: `${spec.name}-public-${zone}`, 'kubernetes.io/role/elb': '1' } }, signal));
  }
  const vpc = (await vpcs.describeVpcs(signal)).find((v) => v.vpcId === vpcId)!;
  return { vpc, subnets };
}
