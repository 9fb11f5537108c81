// CNIBackend (ipamd) through the generated grpc-js stubs: a real Server on 127.0.0.1:0 that hands
// out addresses from a tiny pool, called through CNIBackendClient as the CNI plugin would.
import { Server, ServerCredentials, credentials } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddNetworkReply, AddNetworkRequest, CNIBackendClient, CNIBackendService, DelNetworkRequest } from './index.js';
import type { CNIBackendServer, DelNetworkReply } from './index.js';

/** ipamd in miniature: one ENI (device 0) with a fixed pool, keyed by container ID + interface. */
function tinyIpamd(pool: string[]) {
  const assigned = new Map<string, string>();
  const received: { add?: AddNetworkRequest; del?: DelNetworkRequest } = {};
  const impl: CNIBackendServer = {
    addNetwork: (call, callback) => {
      received.add = call.request;
      const key = `${call.request.containerId}/${call.request.ifName}`;
      const ip = assigned.get(key) ?? pool.find((candidate) => ![...assigned.values()].includes(candidate));
      if (!ip) {
        callback(null, AddNetworkReply.create({ success: false }));
        return;
      }
      assigned.set(key, ip);
      callback(
        null,
        AddNetworkReply.create({
          success: true,
          ipAddresses: [{ ipv4Addr: ip, ipv6Addr: '', deviceNumber: 0, routeTableId: 0 }],
          useExternalSnat: false,
          vpcV4Cidrs: ['192.168.0.0/16', '100.64.0.0/16'],
          vpcV6Cidrs: [],
          podVlanId: 0,
          networkPolicyMode: 'standard',
        }),
      );
    },
    delNetwork: (call, callback) => {
      received.del = call.request;
      const key = `${call.request.containerId}/${call.request.ifName}`;
      const ip = assigned.get(key);
      assigned.delete(key);
      // Releasing an unknown sandbox succeeds, as CNI DEL must be idempotent.
      callback(null, {
        success: true,
        ipAddresses: ip ? [{ ipv4Addr: ip, ipv6Addr: '', deviceNumber: 0, routeTableId: 0 }] : [],
        podVlanId: 0,
        networkPolicyMode: 'standard',
      });
    },
  };
  return { impl, received };
}

function unary<Res>(start: (callback: (err: ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(err) : resolve(res)));
  });
}

function addRequest(containerId: string, pod: string): AddNetworkRequest {
  return AddNetworkRequest.create({
    clientVersion: 'v1.19.0',
    k8sPodName: pod,
    k8sPodNamespace: 'default',
    k8sPodInfraContainerId: containerId,
    containerId,
    ifName: 'eth0',
    networkName: 'aws-cni',
    netns: `/var/run/netns/cni-${containerId}`,
    requiresMultiNicAttachment: false,
  });
}

describe('CNIBackend over grpc-js', () => {
  let server: Server;
  let client: CNIBackendClient;
  let ipamd: ReturnType<typeof tinyIpamd>;

  beforeAll(async () => {
    ipamd = tinyIpamd(['192.168.1.10', '192.168.1.11']);
    server = new Server();
    server.addService(CNIBackendService, ipamd.impl);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new CNIBackendClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('AddNetwork — every request field and the reply round-trip', async () => {
    const req = { ...addRequest('c1', 'web-0'), requiresMultiNicAttachment: true };
    const reply = await unary<AddNetworkReply>((cb) => client.addNetwork(req, cb));

    expect(ipamd.received.add).toEqual(req);
    expect(reply).toEqual({
      success: true,
      ipAddresses: [{ ipv4Addr: '192.168.1.10', ipv6Addr: '', deviceNumber: 0, routeTableId: 0 }],
      useExternalSnat: false,
      vpcV4Cidrs: ['192.168.0.0/16', '100.64.0.0/16'],
      vpcV6Cidrs: [],
      podVlanId: 0,
      podEniMac: '',
      podEniSubnetGw: '',
      parentIfIndex: 0,
      networkPolicyMode: 'standard',
    });
  });

  it('AddNetwork — an exhausted pool answers success=false', async () => {
    await unary((cb) => client.addNetwork(addRequest('c2', 'web-1'), cb));
    const reply = await unary<AddNetworkReply>((cb) => client.addNetwork(addRequest('c3', 'web-2'), cb));
    expect(reply.success).toBe(false);
    expect(reply.ipAddresses).toEqual([]);
  });

  it('DelNetwork — releases the address, and releasing again still succeeds', async () => {
    const req = DelNetworkRequest.create({
      clientVersion: 'v1.19.0',
      k8sPodName: 'web-0',
      k8sPodNamespace: 'default',
      k8sPodInfraContainerId: 'c1',
      reason: 'PodDeleted',
      containerId: 'c1',
      ifName: 'eth0',
      networkName: 'aws-cni',
    });
    const first = await unary<DelNetworkReply>((cb) => client.delNetwork(req, cb));
    expect(ipamd.received.del).toEqual(req);
    expect(first.success).toBe(true);
    expect(first.ipAddresses.map((a) => a.ipv4Addr)).toEqual(['192.168.1.10']);

    const again = await unary<DelNetworkReply>((cb) => client.delNetwork(req, cb));
    expect(again).toMatchObject({ success: true, ipAddresses: [] });
  });

  it('wire — field numbers match amazon-vpc-cni-k8s rpc.proto', () => {
    // K8S_POD_NAME = 1 (tag 0x0a), ClientVersion = 8 (tag 0x42): upstream's numbering, byte for byte.
    const bytes = AddNetworkRequest.encode(AddNetworkRequest.create({ k8sPodName: 'p', clientVersion: 'v' })).finish();
    expect([...bytes]).toEqual([0x0a, 1, 0x70, 0x42, 1, 0x76]);
  });
});
