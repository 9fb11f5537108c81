import { credentials as grpcCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { LogsServiceClient } from '@ekslab/proto';
import { failure } from './http/status.js';

/**
 * How the apiserver reaches node agents (kube-apiserver's kubelet client). Agents serve the gRPC
 * `ekslab.kubelet.v1.LogsService` on the node's InternalIP at `status.daemonEndpoints.kubeletEndpoint.Port`.
 */
export interface NodeAgentOptions {
  /** Port used when the Node publishes none (kube-apiserver --kubelet-port, 10250). */
  readonly defaultPort?: number;
  /**
   * Channel credentials for agents. Default: plaintext — the lab's agents do not serve TLS yet (kube-apiserver
   * presents --kubelet-client-certificate over TLS); pass TLS credentials once they do.
   */
  readonly credentials?: ChannelCredentials;
  /** Replaces the client factory (tests). */
  readonly logsClient?: (address: string) => LogsServiceClient;
}

export const defaultKubeletPort = 10250;

/**
 * Node annotation naming where the node's simulated kubelet really listens (`host:port`). Simulated nodes'
 * InternalIPs are VPC addresses that exist only in the cloud's bookkeeping, so the agent hosting them
 * publishes its own reachable address here; it wins over InternalIP + kubeletEndpoint.
 */
export const AGENT_ENDPOINT_ANNOTATION = 'ekslab.io/agent-endpoint';

export interface NodeLike {
  readonly metadata: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly status?: {
    readonly addresses?: readonly { readonly type?: string; readonly address?: string }[];
    readonly daemonEndpoints?: { readonly kubeletEndpoint?: { readonly Port?: number } };
  };
}

/**
 * `host:port` of a node's agent: the {@link AGENT_ENDPOINT_ANNOTATION} when set, else the first InternalIP address and the kubelet endpoint port (the default
 * port when 0 or absent). A node without an InternalIP is 500 with kube-apiserver's connection-info
 * message (`no preferred addresses found; known addresses: [{Hostname n1}]`).
 */
export function agentAddress(node: NodeLike, defaultPort = defaultKubeletPort): string {
  const published = node.metadata.annotations?.[AGENT_ENDPOINT_ANNOTATION];
  if (published) return published;
  const addresses = node.status?.addresses ?? [];
  const ip = addresses.find((a) => a.type === 'InternalIP' && a.address)?.address;
  if (!ip) {
    throw failure(500, '', `no preferred addresses found; known addresses: [${addresses.map((a) => `{${a.type ?? ''} ${a.address ?? ''}}`).join(' ')}]`);
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultPort;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** One gRPC channel per agent address, reused across requests; idle channels release their connection. */
export class NodeAgents {
  private readonly clients = new Map<string, LogsServiceClient>();

  constructor(private readonly options: NodeAgentOptions = {}) {}

  get defaultPort(): number {
    return this.options.defaultPort ?? defaultKubeletPort;
  }

  logs(address: string): LogsServiceClient {
    if (this.options.logsClient) return this.options.logsClient(address);
    let client = this.clients.get(address);
    if (!client) {
      client = new LogsServiceClient(address, this.options.credentials ?? grpcCredentials.createInsecure(), {
        'grpc.client_idle_timeout_ms': 60_000,
      });
      this.clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
