// aws-node's introspection endpoint (pkg/ipamd/introspect.go, 127.0.0.1:61679), JSON shaped as its
// datastore marshals. One ipamd serves many nodes, so each path takes `?node=<name>` and answers that
// node's document exactly as aws-node would; without it, an object of those documents keyed by node name.
//   /                       the paths, {"AvailableCommands": [...]}
//   /v1/enis                {"0": ENIInfos} (network card 0): TotalIPs, AssignedIPs, ENIs by id
//   /v1/pods                {"<name>_<namespace>_<sandbox>": {IP, DeviceNumber}} (aws-node ≤ 1.5's shape)
//   /v1/env-settings        the IPAM settings by aws-node variable name (also /v1/ipamd-env-settings)
//   /v1/nodes               ekslab-only: the served nodes with their instance, primary ENI and max pods
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prefixIps } from '@ekslab/ipamd';
import type { Logger } from '@ekslab/runtime';
import type { NodeIpam } from './node-ipam.js';
import type { Nodes } from './nodes.js';

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's net.IPMask marshals as base64 bytes. */
function maskOf(bits: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
  return bytes.toString('base64');
}

interface AddressInfoJson {
  Address: string;
  IPAMKey: { networkName: string; containerID: string; ifName: string };
  IPAMMetadata: { k8sPodNamespace?: string; k8sPodName?: string; interfacesCount?: number };
  AssignedTime: string;
  UnassignedTime: string;
}

/** datastore.ENIInfos of network card 0. Like aws-node, ContainerID and IfName are scrubbed. */
export function eniInfos(node: NodeIpam): Record<string, unknown> {
  const s = node.ds.snapshot();
  const prefixMode = node.ds.config.enablePrefixDelegation;
  const byIp = new Map<string, AddressInfoJson>();
  for (const a of s.assignments) {
    const alloc = node.allocation(a.podKey);
    byIp.set(a.ip, {
      Address: a.ip,
      IPAMKey: { networkName: alloc?.key.networkName ?? '', containerID: '', ifName: '' },
      IPAMMetadata: { k8sPodNamespace: alloc?.namespace ?? '', k8sPodName: alloc?.name ?? '', interfacesCount: 1 },
      AssignedTime: new Date(alloc?.assignedAt ?? 0).toISOString(),
      UnassignedTime: GO_ZERO_TIME,
    });
  }
  for (const c of s.cooling) {
    if (byIp.has(c.ip)) continue;
    byIp.set(c.ip, { Address: c.ip, IPAMKey: { networkName: '', containerID: '', ifName: '' }, IPAMMetadata: {}, AssignedTime: GO_ZERO_TIME, UnassignedTime: new Date(c.releasedAt).toISOString() });
  }
  const enis: Record<string, unknown> = {};
  let total = 0;
  const entry = (id: string, primary: boolean, cidrs: Record<string, unknown>, excluded: boolean): void => {
    const dev = node.devices.get(id);
    enis[id] = {
      ID: id, IsPrimary: primary, IsTrunk: false, IsEFA: false, DeviceNumber: dev?.deviceIndex ?? 0,
      AvailableIPv4Cidrs: cidrs, IPv6Cidrs: {}, IsExcludedForPodIPs: excluded,
      RouteTableID: (dev?.deviceIndex ?? 0) + 1, SubnetID: dev?.subnetId ?? '',
    };
  };
  for (const eni of s.enis) {
    const cidrs: Record<string, unknown> = {};
    const used = (ips: readonly string[]): Record<string, AddressInfoJson> =>
      Object.fromEntries(ips.flatMap((ip) => (byIp.has(ip) ? [[ip, byIp.get(ip)!]] : [])));
    if (prefixMode) {
      for (const p of eni.prefixes) {
        const [base] = p.split('/');
        cidrs[p] = { Cidr: { IP: base, Mask: maskOf(28) }, IPAddresses: used(prefixIps(p)), IsPrefix: true, AddressFamily: '4' };
        total += 16;
      }
    } else {
      for (const ip of eni.ips) {
        cidrs[`${ip}/32`] = { Cidr: { IP: ip, Mask: maskOf(32) }, IPAddresses: used([ip]), IsPrefix: false, AddressFamily: '4' };
        total += 1;
      }
    }
    entry(eni.id, eni.primary, cidrs, false);
  }
  // Custom networking: the primary ENI is attached but carries no pods.
  if (!enis[node.primaryEniId]) entry(node.primaryEniId, true, {}, true);
  return { '0': { TotalIPs: total, AssignedIPs: s.assignments.length, ENIs: enis } };
}

export function podInfos(node: NodeIpam): Record<string, { IP: string; DeviceNumber: number }> {
  const out: Record<string, { IP: string; DeviceNumber: number }> = {};
  for (const a of node.ds.snapshot().assignments) {
    const alloc = node.allocation(a.podKey);
    if (!alloc) continue;
    out[`${alloc.name}_${alloc.namespace}_${alloc.key.containerID}`] = { IP: a.ip, DeviceNumber: node.devices.get(a.eni)?.deviceIndex ?? 0 };
  }
  return out;
}

function nodeSummary(node: NodeIpam): Record<string, unknown> {
  return {
    instanceId: node.instance.instanceId, instanceType: node.instance.instanceType, availabilityZone: node.instance.availabilityZone,
    primaryEniId: node.primaryEniId, primaryIp: node.instance.privateIpAddress, maxPods: node.maxPods, podSubnetId: node.podSubnetId,
    insufficientCidrCooldown: node.inInsufficientCidrCooldown(),
  };
}

export class IntrospectionServer {
  private readonly server: Server;

  constructor(
    private readonly nodes: Nodes,
    private readonly envSettings: Record<string, unknown>,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const perNode = (render: (n: NodeIpam) => unknown): void => {
      const name = url.searchParams.get('node');
      if (name === null) return reply(200, Object.fromEntries(this.nodes.all().map((n) => [n.nodeName, render(n)])));
      const node = this.nodes.get(name);
      if (!node) return reply(404, { error: `node ${name} is not served by this ipamd` });
      reply(200, render(node));
    };
    switch (url.pathname) {
      case '/v1/enis':
        return perNode(eniInfos);
      case '/v1/pods':
        return perNode(podInfos);
      case '/v1/nodes':
        return perNode(nodeSummary);
      case '/v1/env-settings':
      case '/v1/ipamd-env-settings':
        return reply(200, this.envSettings);
      case '/':
        return reply(200, { AvailableCommands: ['/v1/enis', '/v1/pods', '/v1/nodes', '/v1/env-settings', '/v1/ipamd-env-settings'] });
      default:
        return reply(404, { error: `no such path ${url.pathname}` });
    }
  }

  async listen(address: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, address, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = (this.server.address() as AddressInfo).port;
    this.log.info({ address, port: bound }, 'serving introspection (/v1/enis /v1/pods /v1/env-settings)');
    return bound;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
