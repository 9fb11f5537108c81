import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from '@ekslab/apiserver';
import { untilAborted, withOpsServer, type Logger } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { info, type Config } from './config.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** Serves the Kubernetes API on `--secure-port` until `signal` aborts; ready while etcd answers. */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  const store = new EtcdStore({ endpoints: [...config.etcdServers], prefix: config.etcdPrefix, requestTimeoutMs: config.etcdRequestTimeout });
  try {
    await withOpsServer(info.service, config, log, async (ops) => {
      ops.readiness.add('etcd', async (s) => {
        await store.currentRevision({ signal: s });
      });
      const handler = createApiHandler({
        store, log, gitVersion: config.kubernetesVersion, maxRequestBytes: config.maxRequestBytes,
        bookmarkIntervalMs: config.watchBookmarkInterval, minRequestTimeoutMs: config.minRequestTimeout,
      });
      const server = createServer(handler);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.securePort, config.bindAddress, () => resolve());
      });
      log.info({ address: config.bindAddress, port: (server.address() as AddressInfo).port, etcd: config.etcdServers }, 'serving the Kubernetes API');
      await untilAborted(signal);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  } finally {
    store.close();
  }
}
