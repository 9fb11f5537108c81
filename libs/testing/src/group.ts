import './ryuk.js';
import { GenericContainer, Network, PullPolicy, Wait } from 'testcontainers';
import type { StartedNetwork } from 'testcontainers';
import { ensureImage } from './images.js';
import { ContainerMember } from './member.js';
import { freePorts } from './ports.js';

/**
 * Label on every harness container. Ryuk is disabled, so a test run killed before `cleanup()` leaves
 * containers behind: `docker rm -f $(docker ps -aq --filter label=ekslab.testing)` removes them
 * (and `docker network prune` their networks).
 */
export const HARNESS_LABEL = 'ekslab.testing';

/** How to run member `index` of a group; see {@link startGroup}. */
export interface MemberSpec {
  name: string;
  command: string[];
  /** Container ports to publish on fixed host ports of 127.0.0.1. */
  ports: number[];
  /** A line the process logs once it listens; peers need not be up yet. */
  readyLog: RegExp;
}

/**
 * The fault operations shared by the etcd and NATS clusters, addressed by member index. Every method
 * throws RangeError for an index out of range.
 */
export class ContainerGroup {
  constructor(
    readonly members: readonly ContainerMember[],
    readonly network: StartedNetwork,
  ) {}

  member(i: number): ContainerMember {
    const m = this.members[i];
    if (!m) throw new RangeError(`no member ${i} (cluster has ${this.members.length})`);
    return m;
  }

  stop(i: number): Promise<void> {
    return this.member(i).stop();
  }
  start(i: number): Promise<void> {
    return this.member(i).start();
  }
  kill(i: number): Promise<void> {
    return this.member(i).kill();
  }
  pause(i: number): Promise<void> {
    return this.member(i).pause();
  }
  unpause(i: number): Promise<void> {
    return this.member(i).unpause();
  }
  isolate(i: number): Promise<void> {
    return this.member(i).isolate();
  }
  reconnect(i: number): Promise<void> {
    return this.member(i).reconnect();
  }

  /** Undoes every fault (unpause, reconnect, start). Callers then wait for health themselves. */
  async restoreAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.restore()));
  }

  /** Removes every container and the network. Safe to call twice and after a failed start. */
  async cleanup(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => m.remove()));
    await this.network.stop().catch(() => undefined);
  }
}

/**
 * Creates a private network and starts one container per spec on it, all at once (a quorum-based
 * cluster cannot become ready one member at a time). On failure, everything started is removed.
 */
export async function startGroup(image: string, specs: MemberSpec[]): Promise<ContainerGroup> {
  await ensureImage(image);
  const network = await new Network().start();
  const members: ContainerMember[] = [];
  try {
    const portSets = await Promise.all(specs.map((s) => freePorts(s.ports.length)));
    const results = await Promise.allSettled(
      specs.map(async (spec, index) => {
        const hostPorts = new Map(spec.ports.map((p, j) => [p, portSets[index]![j]!]));
        const started = await new GenericContainer(image)
          .withName(`${spec.name}-${network.getName().slice(-8)}`)
          .withNetwork(network)
          .withNetworkAliases(spec.name)
          .withLabels({ [HARNESS_LABEL]: 'true' })
          .withCommand(spec.command)
          .withExposedPorts(...[...hostPorts].map(([container, host]) => ({ container, host })))
          .withWaitStrategy(Wait.forLogMessage(spec.readyLog))
          .withPullPolicy(PullPolicy.neverPull())
          .withStartupTimeout(60_000)
          .start();
        const member = new ContainerMember(index, spec.name, hostPorts, started, network);
        members[index] = member;
        return member;
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return new ContainerGroup(members, network);
  } catch (err) {
    await new ContainerGroup(members.filter(Boolean), network).cleanup();
    throw err;
  }
}
