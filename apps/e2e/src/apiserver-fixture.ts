import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcdCluster, type EtcdCluster } from '@ekslab/testing';
import { tokenOf, writeKubeconfig } from './kubectl.js';
import { ServiceProcess } from './process.js';

/** One built apiserver on a one-member etcd, with its own PKI, as most e2e suites need it. */
export interface ApiserverFixture {
  readonly etcd: EtcdCluster;
  readonly apiserver: ServiceProcess;
  readonly certDir: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** `127.0.0.1:<port>` of the gRPC resource API. */
  readonly grpcAddress: string;
  /** The lab CA (PEM). */
  readonly ca: string;
  /** The kubernetes-admin bearer token. */
  readonly adminToken: string;
  /** A kubeconfig file for kubernetes-admin. */
  readonly kubeconfig: string;
  /** Stops the apiserver and removes etcd. */
  dispose(): Promise<void>;
}

/** Starts etcd and the built apiserver (ports 0) and waits until both the REST and the gRPC API are served. */
export async function startApiserver(extraArgs: readonly string[] = []): Promise<ApiserverFixture> {
  const etcd = await startEtcdCluster({ members: 1 });
  const certDir = mkdtempSync(join(tmpdir(), 'ekslab-pki-'));
  const apiserver = new ServiceProcess('apiserver', [
    '--cert-dir', certDir, '--etcd-servers', etcd.endpoints.join(','), '--bind-address', '127.0.0.1', '--secure-port', '0',
    '--ops-address', '127.0.0.1', '--ops-port', '0', '--grpc-port', '0', ...extraArgs,
  ]);
  try {
    const [serving, grpc] = await Promise.all([
      apiserver.waitForLog((r) => r['msg'] === 'serving the Kubernetes API', 30_000),
      apiserver.waitForLog((r) => r['msg'] === 'serving the resource API over gRPC', 30_000),
    ]);
    const server = `https://127.0.0.1:${String(serving['port'])}`;
    const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
    const adminToken = tokenOf(join(certDir, 'tokens.csv'), 'kubernetes-admin');
    return {
      etcd, apiserver, certDir, server, ca, adminToken,
      grpcAddress: `127.0.0.1:${String(grpc['port'])}`,
      kubeconfig: writeKubeconfig(server, ca, adminToken),
      dispose: async () => {
        apiserver.dispose();
        await etcd.cleanup();
      },
    };
  } catch (err) {
    apiserver.dispose();
    await etcd.cleanup();
    throw err;
  }
}
