// The node's CNI plugin as the simulated runtime uses it: aws-cni's calls to ipamd's CNIBackend (one
// AddNetwork per sandbox, DelNetwork on teardown), naming the node in gRPC metadata. Without an ipamd the
// agent hands out addresses from a local range.
import { Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import { AddNetworkRequest, CNIBackendClient, DelNetworkRequest, IPAMD_NODE_METADATA_KEY, type AddNetworkReply, type DelNetworkReply } from '@ekslab/proto';

export interface SandboxRef {
  readonly node: string;
  readonly namespace: string;
  readonly pod: string;
  readonly sandboxId: string;
}

/** `ip` on success; `undefined` when ipamd has no address (success=false). Transport failures reject. */
export interface CniPort {
  add(s: SandboxRef, signal: AbortSignal): Promise<string | undefined>;
  del(s: SandboxRef, reason: string, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** The aws-cni version the simulated plugin reports (ClientVersion). */
const CNI_VERSION = 'v1.19.2';
const NETWORK = 'aws-cni';

function call<Res>(signal: AbortSignal, start: (md: Metadata, cb: (err: ServiceError | null, res: Res) => void) => { cancel(): void }, node: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const md = new Metadata();
    md.set(IPAMD_NODE_METADATA_KEY, node);
    const onAbort = (): void => c.cancel();
    const c = start(md, (err, res) => {
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(res);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class GrpcCni implements CniPort {
  private readonly client: CNIBackendClient;

  constructor(endpoint: string, private readonly deadlineMs = 10_000) {
    this.client = new CNIBackendClient(endpoint, credentials.createInsecure());
  }

  async add(s: SandboxRef, signal: AbortSignal): Promise<string | undefined> {
    const req = AddNetworkRequest.create({
      k8sPodName: s.pod, k8sPodNamespace: s.namespace, k8sPodInfraContainerId: s.sandboxId, containerId: s.sandboxId,
      netns: `/var/run/netns/cni-${s.sandboxId.slice(0, 8)}`, ifName: 'eth0', networkName: NETWORK, clientVersion: CNI_VERSION,
    });
    const reply = await call<AddNetworkReply>(signal, (md, cb) => this.client.addNetwork(req, md, { deadline: Date.now() + this.deadlineMs }, cb), s.node);
    const ip = reply.ipAddresses.find((a) => a.ipv4Addr !== '')?.ipv4Addr;
    return reply.success && ip !== undefined ? ip : undefined;
  }

  async del(s: SandboxRef, reason: string, signal: AbortSignal): Promise<void> {
    const req = DelNetworkRequest.create({
      k8sPodName: s.pod, k8sPodNamespace: s.namespace, k8sPodInfraContainerId: s.sandboxId, containerId: s.sandboxId,
      ifName: 'eth0', networkName: NETWORK, clientVersion: CNI_VERSION, reason,
    });
    await call<DelNetworkReply>(signal, (md, cb) => this.client.delNetwork(req, md, { deadline: Date.now() + this.deadlineMs }, cb), s.node);
  }

  close(): void {
    this.client.close();
  }
}

/** Addresses from one IPv4 CIDR, keyed by sandbox; for an agent run without ipamd. */
export class LocalCni implements CniPort {
  private readonly base: number;
  private readonly size: number;
  private readonly bySandbox = new Map<string, number>();
  private readonly used = new Set<number>();
  private next = 0;

  constructor(cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (m === null || Number(m[5]) > 30) throw new Error(`--local-pod-cidr ${cidr}: not an IPv4 CIDR of /30 or wider`);
    const ip = ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
    this.size = 2 ** (32 - Number(m[5]));
    this.base = ip - (ip % this.size);
  }

  add(s: SandboxRef): Promise<string | undefined> {
    let offset = this.bySandbox.get(s.sandboxId);
    for (let i = 0; offset === undefined && i < this.size - 2; i++) {
      const candidate = 1 + ((this.next + i) % (this.size - 2));
      if (!this.used.has(candidate)) offset = candidate;
    }
    if (offset === undefined) return Promise.resolve(undefined);
    this.next = offset;
    this.used.add(offset);
    this.bySandbox.set(s.sandboxId, offset);
    const ip = this.base + offset;
    return Promise.resolve([ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'));
  }

  del(s: SandboxRef): Promise<void> {
    const offset = this.bySandbox.get(s.sandboxId);
    if (offset !== undefined) this.used.delete(offset);
    this.bySandbox.delete(s.sandboxId);
    return Promise.resolve();
  }

  close(): void {}
}
