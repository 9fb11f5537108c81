import { ContainerGroup, startGroup } from './group.js';
import { imageFor } from './images.js';
import { waitFor } from './wait.js';

export interface NatsClusterOptions {
  /** Number of servers; default 3 (JetStream needs 3 for R3 streams to survive one loss). */
  cluster?: number;
  /** Cluster name (`--cluster_name`); default `ekslab`. */
  clusterName?: string;
  /** More nats-server flags, appended last. */
  extraArgs?: string[];
  /** Image; default from {@link imageFor}('nats'). */
  image?: string;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
}

const CLIENT_PORT = 4222;
const MONITOR_PORT = 8222;

/**
 * A clustered JetStream NATS deployment in containers. Servers are `nats-0…nats-N`, with `--no_advertise` so
 * clients only ever use the host-mapped `urls` (they cannot reach container addresses).
 */
export class NatsCluster extends ContainerGroup {
  /** Client URLs (`nats://127.0.0.1:<port>`), one per server, in order; stable across stop/start. */
  get urls(): string[] {
    return this.members.map((_, i) => this.url(i));
  }
  url(i: number): string {
    return `nats://127.0.0.1:${this.member(i).hostPort(CLIENT_PORT)}`;
  }
  /** Monitoring base URL (`http://127.0.0.1:<port>`) of server i. */
  monitorUrl(i: number): string {
    return `http://127.0.0.1:${this.member(i).hostPort(MONITOR_PORT)}`;
  }

  /** The JetStream meta leader's server name as seen by server i, or undefined if it has none. */
  async metaLeader(i: number, signal?: AbortSignal): Promise<string | undefined> {
    const res = await fetch(`${this.monitorUrl(i)}/jsz`, { signal: signal ?? AbortSignal.timeout(2_000) });
    const jsz = (await res.json()) as Jsz;
    return jsz.meta_cluster?.leader || undefined;
  }

  /**
   * Waits until every running, connected server answers `/healthz` and all of them name the same JetStream
   * meta leader, itself one of them. Default timeout 30 s. Not checked: that every stream has caught up.
   */
  async waitReady(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const live = this.liveIndices();
    await waitFor(
      async (signal) => {
        const leaders = new Set<string | undefined>();
        for (const i of live) {
          const callSignal = AbortSignal.any([signal, AbortSignal.timeout(2_000)]);
          const health = await fetch(`${this.monitorUrl(i)}/healthz`, { signal: callSignal });
          if (!health.ok) throw new Error(`${this.member(i).name} /healthz ${health.status}: ${await health.text()}`);
          leaders.add(await this.metaLeader(i, callSignal));
        }
        const [leader] = leaders;
        if (leaders.size !== 1 || !leader) throw new Error(`no agreed JetStream meta leader: ${[...leaders].join(',')}`);
        if (!live.some((i) => this.member(i).name === leader)) throw new Error(`meta leader ${leader} is not live`);
        return true;
      },
      { description: `NATS servers ${live.join(',')} to have a JetStream meta leader`, timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 200, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }

  /** Servers that are running and not isolated. */
  liveIndices(): number[] {
    return this.members.filter((m) => m.status === 'running' && !m.isolated).map((m) => m.index);
  }
}

/** Starts a NATS cluster with JetStream and waits for a meta leader. Call `cleanup()` when done. */
export async function startNats(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.cluster ?? 3;
  const names = Array.from({ length: size }, (_, i) => `nats-${i}`);
  const routes = names.map((n) => `nats://${n}:6222`).join(',');
  const group = await startGroup(
    options.image ?? imageFor('nats'),
    names.map((name) => ({
      name,
      ports: [CLIENT_PORT, MONITOR_PORT],
      readyLog: /Server is ready/,
      command: [
        `--server_name=${name}`,
        `--port=${CLIENT_PORT}`,
        `--http_port=${MONITOR_PORT}`,
        `--cluster_name=${options.clusterName ?? 'ekslab'}`,
        '--cluster=nats://0.0.0.0:6222',
        `--routes=${routes}`,
        '--no_advertise',
        '--jetstream',
        '--store_dir=/tmp/nats/jetstream',
        ...(options.extraArgs ?? []),
      ],
    })),
  );
  const cluster = new NatsCluster(group.members, group.network);
  try {
    await cluster.waitReady({ timeoutMs: 60_000 });
  } catch (err) {
    const logs = await cluster.member(0).logs(40).catch(() => '');
    await cluster.cleanup();
    throw new Error(`NATS cluster did not become ready; nats-0 logs:\n${logs}`, { cause: err });
  }
  return cluster;
}
