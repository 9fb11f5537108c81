// The gRPC listener of the apiserver: ResourceService on its own port, with the HTTPS server's TLS
// certificate and client-certificate CA, and the REST server's options (auth, limits, timeouts).
import { Server, ServerCredentials, experimental } from '@grpc/grpc-js';
import { ResourceServiceService } from '@ekslab/proto';
import type { ApiServerOptions } from '../http/server.js';
import { createResourceService } from './service.js';

export interface GrpcTls {
  readonly certPem: string;
  readonly keyPem: string;
  /** CA of client certificates: a client may present one (then it authenticates as its subject) or none. */
  readonly caPem: string;
}

export interface GrpcListenOptions {
  readonly address: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Unset: plaintext (tests of the gRPC layer only; bearer tokens would travel in the clear). */
  readonly tls?: GrpcTls;
}

export interface GrpcListener {
  readonly port: number;
  /** Stops accepting calls and cancels the running ones (open watches end). */
  close(): void;
}

/**
 * A CertificateProvider with fixed PEMs. grpc-js's `createSsl(..., checkClientCertificate)` either never
 * asks for a client certificate or rejects connections without one; this one (through
 * createCertificateProviderServerCredentials) asks but does not require, as the HTTPS server does. It
 * answers listeners on a microtask because grpc-js registers its own watcher only after subscribing.
 */
class StaticCertificates implements experimental.CertificateProvider {
  constructor(private readonly tls: GrpcTls) {}
  addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    queueMicrotask(() => listener({ caCertificate: Buffer.from(this.tls.caPem) }));
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    queueMicrotask(() => listener({ certificate: Buffer.from(this.tls.certPem), privateKey: Buffer.from(this.tls.keyPem) }));
  }
  removeIdentityCertificateListener(): void {}
}

/** TLS server credentials that request, but do not require, a client certificate signed by `caPem`. */
export function grpcServerCredentials(tls: GrpcTls): ServerCredentials {
  const certs = new StaticCertificates(tls);
  // One provider for both roles (grpc-js swaps the two arguments internally, so either order works).
  return experimental.createCertificateProviderServerCredentials(certs, certs, false);
}

/**
 * Serves ResourceService until `close()`. Messages larger than `maxRequestBytes` are refused by grpc-js
 * with RESOURCE_EXHAUSTED and no Status trailer (REST answers 413 with one). Responses are not limited:
 * clients raise their own receive limit (4 MiB by default) or page their lists.
 */
export async function listenGrpc(api: ApiServerOptions, listen: GrpcListenOptions): Promise<GrpcListener> {
  const server = new Server({
    'grpc.max_receive_message_length': api.maxRequestBytes,
    // Like kube-apiserver's HTTP/2: keep idle component connections, drop dead ones.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
  server.addService(ResourceServiceService, createResourceService(api));
  const credentials = listen.tls ? grpcServerCredentials(listen.tls) : ServerCredentials.createInsecure();
  const host = listen.address.includes(':') ? `[${listen.address}]` : listen.address;
  const port = await new Promise<number>((resolve, reject) => {
    // grpc-js says only "No address added" when the port is taken: name the address.
    server.bindAsync(`${host}:${listen.port}`, credentials, (err, bound) => (err ? reject(new Error(`cannot serve gRPC on ${host}:${listen.port} (port in use?): ${err.message}`, { cause: err })) : resolve(bound)));
  });
  return { port, close: () => server.forceShutdown() };
}
