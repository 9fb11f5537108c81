import { Etcd3 } from 'etcd3';
import { ContainerGroup, startGroup } from './group.js';
import { imageFor } from './images.js';
import { waitFor } from './wait.js';

export interface EtcdClusterOptions {
  /** Number of members; default 3. */
  members?: number;
  /**
   * Raft heartbeat, default 100 ms, and election timeout, default 1000 ms (etcd's own defaults). A killed
   * leader is replaced after one election timeout plus a vote, so within about two seconds.
   */
  heartbeatIntervalMs?: number;
  electionTimeoutMs?: number;
  /**
   * How often an idle watch with `progress_notify` gets a progress notification
   * (`--experimental-watch-progress-notify-interval`). Default 1000 ms so bookmark tests are quick; etcd's
   * default is 10 minutes.
   */
  progressNotifyIntervalMs?: number;
  /** More etcd flags, appended last. No auto-compaction is configured: tests compact explicitly. */
  extraArgs?: string[];
  /** Image; default from {@link imageFor}('etcd'). */
  image?: string;
}

export interface EtcdMemberStatus {
  index: number;
  memberId: string;
  leaderId: string;
  raftTerm: string;
}

const CLIENT_PORT = 2379;

/**
 * A real etcd cluster in containers, bootstrapped statically (`--initial-cluster`) on a private network.
 * Members are `etcd-0…etcd-N`; `endpoints[i]` is member i's client URL on 127.0.0.1 and survives stop/start.
 */
export class EtcdCluster extends ContainerGroup {
  /** Client URLs on the host, one per member, in member order. */
  get endpoints(): string[] {
    return this.members.map((m) => `http://127.0.0.1:${m.hostPort(CLIENT_PORT)}`);
  }

  endpoint(i: number): string {
    return `http://127.0.0.1:${this.member(i).hostPort(CLIENT_PORT)}`;
  }

  /** Raft status of member i (`Maintenance.Status`), bounded by `timeoutMs` (default 2000). */
  async status(i: number, timeoutMs = 2_000): Promise<EtcdMemberStatus> {
    const client = new Etcd3({ hosts: [this.endpoint(i)], dialTimeout: timeoutMs });
    try {
      const s = await client.maintenance.status({ deadline: Date.now() + timeoutMs });
      return { index: i, memberId: s.header.member_id, leaderId: s.leader, raftTerm: s.raftTerm };
    } finally {
      client.close();
    }
  }

  /** Index of the member every reachable member names as leader; throws if they disagree or have none. */
  async leaderIndex(indices = this.liveIndices()): Promise<number> {
    const statuses = await Promise.all(indices.map((i) => this.status(i)));
    const leaderId = statuses[0]?.leaderId;
    if (!leaderId || leaderId === '0' || statuses.some((s) => s.leaderId !== leaderId)) {
      throw new Error(`no agreed leader: ${JSON.stringify(statuses)}`);
    }
    const leader = statuses.find((s) => s.memberId === leaderId);
    if (!leader) throw new Error(`leader ${leaderId} is not among members ${indices.join(',')}`);
    return leader.index;
  }

  /**
   * Waits until every running, connected member (or those in `indices`) answers `/health` with a leader and a
   * quorum read, and they agree on one leader. Default timeout 30 s.
   */
  async waitHealthy(options: { timeoutMs?: number; indices?: number[]; signal?: AbortSignal } = {}): Promise<void> {
    const indices = options.indices ?? this.liveIndices();
    await waitFor(
      async (signal) => {
        for (const i of indices) {
          const res = await fetch(`${this.endpoint(i)}/health`, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
          const body = (await res.json()) as { health?: string };
          if (body.health !== 'true') throw new Error(`member ${i} unhealthy: ${JSON.stringify(body)}`);
        }
        return (await this.leaderIndex(indices)) >= 0;
      },
      { description: `etcd members ${indices.join(',')} to be healthy`, timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 200, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }

  /** Runs `etcdctl` inside member i against its own client port. */
  async etcdctl(i: number, args: string[]): Promise<string> {
    const result = await this.member(i).exec(['etcdctl', `--endpoints=http://127.0.0.1:${CLIENT_PORT}`, ...args]);
    if (result.exitCode !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${result.output}`);
    return result.output;
  }

  /** Members that are running and not isolated. */
  liveIndices(): number[] {
    return this.members.filter((m) => m.status === 'running' && !m.isolated).map((m) => m.index);
  }
}

/** Starts an etcd cluster and waits until it is healthy. Call `cleanup()` when done (Ryuk is disabled). */
export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const size = options.members ?? 3;
  const names = Array.from({ length: size }, (_, i) => `etcd-${i}`);
  const token = `ekslab-${Math.random().toString(36).slice(2, 10)}`;
  const initialCluster = names.map((n) => `${n}=http://${n}:2380`).join(',');
  const group = await startGroup(
    options.image ?? imageFor('etcd'),
    names.map((name) => ({
      name,
      ports: [CLIENT_PORT],
      readyLog: /serving insecure client requests|ready to serve client requests|listening for client requests/,
      command: [
        `--name=${name}`,
        '--data-dir=/var/lib/etcd/data',
        `--listen-client-urls=http://0.0.0.0:${CLIENT_PORT}`,
        `--advertise-client-urls=http://${name}:${CLIENT_PORT}`,
        '--listen-peer-urls=http://0.0.0.0:2380',
        `--initial-advertise-peer-urls=http://${name}:2380`,
        `--initial-cluster=${initialCluster}`,
        `--initial-cluster-token=${token}`,
        '--initial-cluster-state=new',
        `--heartbeat-interval=${options.heartbeatIntervalMs ?? 100}`,
        `--election-timeout=${options.electionTimeoutMs ?? 1000}`,
        `--experimental-watch-progress-notify-interval=${options.progressNotifyIntervalMs ?? 1000}ms`,
        ...(options.extraArgs ?? []),
      ],
    })),
  );
  const cluster = new EtcdCluster(group.members, group.network);
  try {
    await cluster.waitHealthy({ timeoutMs: 60_000 });
  } catch (err) {
    const logs = await cluster.member(0).logs(40).catch(() => '');
    await cluster.cleanup();
    throw new Error(`etcd cluster did not become healthy; etcd-0 logs:\n${logs}`, { cause: err });
  }
  return cluster;
}
