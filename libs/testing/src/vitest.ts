import { afterAll, beforeAll } from 'vitest';
import { startEtcdCluster } from './etcd-cluster.js';
import type { EtcdCluster, EtcdClusterOptions } from './etcd-cluster.js';
import { startNats } from './nats-cluster.js';
import type { NatsCluster, NatsClusterOptions } from './nats-cluster.js';

/**
 * One etcd cluster for a whole test file: starts it in `beforeAll`, removes it in `afterAll`, and returns a
 * getter to call inside tests (the cluster does not exist when the file is collected).
 *
 * ```ts
 * const etcd = useEtcdCluster({ members: 3 });
 * afterEach(() => etcd().restoreAll().then(() => etcd().waitHealthy()));
 * it('…', async () => { const client = new Etcd3({ hosts: etcd().endpoints }); … });
 * ```
 * Tests in the file share the cluster, so a test that injects a fault should undo it (as above).
 */
export function useEtcdCluster(options: EtcdClusterOptions = {}): () => EtcdCluster {
  return useShared(() => startEtcdCluster(options), 'etcd cluster');
}

/** Like {@link useEtcdCluster}, for a NATS JetStream cluster. */
export function useNatsCluster(options: NatsClusterOptions = {}): () => NatsCluster {
  return useShared(() => startNats(options), 'NATS cluster');
}

function useShared<T extends { cleanup(): Promise<void> }>(start: () => Promise<T>, what: string): () => T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
  });
  afterAll(async () => {
    await value?.cleanup();
  });
  return () => {
    if (!value) throw new Error(`${what} is not started: call it inside a test or hook, not at collection`);
    return value;
  };
}
