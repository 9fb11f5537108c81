import { credentials, Server, ServerCredentials, status } from '@grpc/grpc-js';
import {
  cloudErrorFromServiceError,
  Ec2ServiceClient,
  type AssignPrivateIpAddressesResponse,
  type CreateNetworkInterfaceResponse,
  type CreateSubnetResponse,
  type CreateVpcResponse,
  type DescribeInstancesResponse,
  type DescribeInstanceTypesResponse,
  type DescribeNetworkInterfacesResponse,
  type RunInstancesResponse,
} from '@ekslab/proto';
import { systemClock } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSink } from '../ports.js';
import { Ec2 } from './ec2.js';
import { NetworkInterfaces } from './eni.js';
import { registerEc2Service } from './grpc.js';
import { Instances } from './instances.js';
import { Vpcs } from './vpc.js';

const noEvents: EventSink = { publish: () => Promise.resolve() };

describe('Ec2Service over gRPC', () => {
  const etcd = useEtcdCluster({ members: 1 });
  let store: EtcdStore;
  let server: Server;
  let client: Ec2ServiceClient;
  beforeAll(async () => {
    store = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    const vpcs = new Vpcs({ store });
    server = new Server();
    registerEc2Service(server, { vpcs, enis: new NetworkInterfaces({ store, events: noEvents }), instances: new Instances({ store, events: noEvents, vpcs, clock: systemClock }), log: console });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    client = new Ec2ServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
    store.close();
  });

  // grpc-js methods are overloaded; the response type is named at each call.
  const call = <Res>(fn: (...args: never[]) => unknown, req: object): Promise<Res> =>
    new Promise((resolve, reject) =>
      (fn as unknown as (req: object, cb: (err: Error | null, res: Res) => void) => unknown).call(client, req, (err, res) => (err ? reject(err) : resolve(res))),
    );

  it('grpc — a /28 over the wire: 11 addresses, then InsufficientFreeAddressesInSubnet as RESOURCE_EXHAUSTED with the AWS code trailer', async () => {
    const { vpc } = await call<CreateVpcResponse>(client.createVpc, { cidrBlock: '10.30.0.0/16', tags: {} });
    const { subnet } = await call<CreateSubnetResponse>(client.createSubnet, { vpcId: vpc!.vpcId, availabilityZone: 'us-east-1a', cidrBlock: '10.30.0.0/28', ipv4NetmaskLength: 0, public: false, tags: {} });
    expect(subnet).toMatchObject({ cidrBlock: '10.30.0.0/28', availableIpAddressCount: 11 });
    const { instances } = await call<RunInstancesResponse>(client.runInstances, { instanceType: 'm5.large', subnetId: subnet!.subnetId, count: 1, lifecycle: '', tags: {}, clientToken: '' });
    expect(instances[0]!.privateDnsName).toBe('ip-10-30-0-4.ec2.internal');
    const { networkInterfaces } = await call<DescribeNetworkInterfacesResponse>(client.describeNetworkInterfaces, { networkInterfaceIds: [], instanceId: instances[0]!.instanceId, subnetId: '' });
    const eni = networkInterfaces[0]!.networkInterfaceId;
    const { assignedPrivateIpAddresses } = await call<AssignPrivateIpAddressesResponse>(client.assignPrivateIpAddresses, { networkInterfaceId: eni, secondaryPrivateIpAddressCount: 9, privateIpAddresses: [] });
    expect(assignedPrivateIpAddresses).toHaveLength(9);
    const { networkInterface } = await call<CreateNetworkInterfaceResponse>(client.createNetworkInterface, { subnetId: subnet!.subnetId, privateIpAddress: '', description: '', tags: {} });
    expect(networkInterface!.privateIpAddress).toBe('10.30.0.14');
    const err = await call<CreateNetworkInterfaceResponse>(client.createNetworkInterface, { subnetId: subnet!.subnetId, privateIpAddress: '', description: '', tags: {} }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(cloudErrorFromServiceError(err)).toMatchObject({ code: 'InsufficientFreeAddressesInSubnet', message: 'The specified subnet does not have enough free addresses to satisfy the request.', retryable: true });
    const missing = await call<DescribeInstancesResponse>(client.describeInstances, { instanceIds: ['i-0123456789abcdef0'], tags: {} }).catch((e: unknown) => e);
    expect((missing as { code: number }).code).toBe(status.NOT_FOUND);
    expect(cloudErrorFromServiceError(missing)?.code).toBe('InvalidInstanceID.NotFound');
    const types = await call<DescribeInstanceTypesResponse>(client.describeInstanceTypes, { instanceTypes: ['m5.large'] });
    expect(types.instanceTypes).toEqual([{ instanceType: 'm5.large', vcpus: 2, memoryMib: 8192, maximumNetworkInterfaces: 3, ipv4AddressesPerInterface: 10, eniMaxPods: 29 }]);
  });

  it('Ec2.start — creates the default VPC, then moves instances pending → running on the system clock', async () => {
    const ac = new AbortController();
    const warnings: unknown[] = [];
    const ec2 = new Ec2({ store, events: noEvents, log: { info: () => undefined, warn: (o: unknown) => void warnings.push(o) }, timings: { pendingMs: 200, reconcileIntervalMs: 50 } });
    const done = ec2.start(ac.signal);
    try {
      await waitFor(async () => (await ec2.vpcs.describeSubnets({}, ac.signal)).filter((s) => s.cidrBlock.startsWith('10.0.')).length === 6, { timeoutMs: 20_000, description: 'six default subnets' });
      const subnet = (await ec2.vpcs.describeSubnets({}, ac.signal)).find((s) => s.cidrBlock === '10.0.0.0/19')!;
      expect(subnet).toMatchObject({ availabilityZone: 'us-east-1a', public: false, availableIpAddressCount: 8192 - 5 });
      const [inst] = await ec2.instances.runInstances({ instanceType: 'c5.xlarge', subnetId: subnet.subnetId }, ac.signal);
      await waitFor(async () => (await ec2.instances.describeInstances({ instanceIds: [inst!.instanceId] }, ac.signal))[0]!.state === 'running', { timeoutMs: 10_000, description: 'instance running' });
    } finally {
      ac.abort();
      await done;
    }
    expect(warnings).toEqual([]);
  });
});
