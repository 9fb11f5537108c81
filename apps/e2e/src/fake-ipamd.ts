// A CNIBackend server standing in for ipamd in the kubelet agent's e2e tests: addresses from a list, able to run dry.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { AddNetworkReply, CNIBackendService, IPAMD_NODE_METADATA_KEY, type CNIBackendServer } from '@ekslab/proto';

export interface CniCall {
  readonly node: string;
  readonly pod: string;
  readonly sandbox: string;
}

/**
 * ipamd in miniature: hands out `pool` addresses per sandbox (idempotent), releases them on DelNetwork.
 * The pool is 10.0.80.11 onwards, `size` addresses (default 8, so a test can run it dry; at most 240).
 */
export class FakeIpamd {
  readonly pool: string[];
  readonly assigned = new Map<string, string>();
  readonly adds: CniCall[] = [];
  readonly dels: CniCall[] = [];
  private readonly server = new Server();
  port = 0;

  constructor(size = 8) {
    this.pool = Array.from({ length: Math.min(size, 240) }, (_, i) => `10.0.80.${11 + i}`);
  }

  async start(): Promise<void> {
    const impl: CNIBackendServer = {
      addNetwork: (call, cb) => {
        const node = String(call.metadata.get(IPAMD_NODE_METADATA_KEY)[0] ?? '');
        const r = call.request;
        this.adds.push({ node, pod: `${r.k8sPodNamespace}/${r.k8sPodName}`, sandbox: r.containerId });
        const ip = this.assigned.get(r.containerId) ?? this.pool.shift();
        if (ip === undefined) {
          cb(null, AddNetworkReply.create({ success: false }));
          return;
        }
        this.assigned.set(r.containerId, ip);
        cb(null, AddNetworkReply.create({ success: true, ipAddresses: [{ ipv4Addr: ip, ipv6Addr: '', deviceNumber: 0, routeTableId: 0 }] }));
      },
      delNetwork: (call, cb) => {
        const node = String(call.metadata.get(IPAMD_NODE_METADATA_KEY)[0] ?? '');
        const r = call.request;
        this.dels.push({ node, pod: `${r.k8sPodNamespace}/${r.k8sPodName}`, sandbox: r.containerId });
        const ip = this.assigned.get(r.containerId);
        this.assigned.delete(r.containerId);
        if (ip !== undefined) this.pool.push(ip);
        cb(null, { success: true, ipAddresses: [], podVlanId: 0, networkPolicyMode: '' });
      },
    };
    this.server.addService(CNIBackendService, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
