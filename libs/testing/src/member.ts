import './ryuk.js';
import { getContainerRuntimeClient } from 'testcontainers';
import type { ContainerRuntimeClient, ExecResult, StartedNetwork, StartedTestContainer } from 'testcontainers';

type DockerContainer = ReturnType<ContainerRuntimeClient['container']['getById']>;

/** Whether the member's process runs. `isolated` is tracked separately: a running member can be isolated. */
export type MemberStatus = 'running' | 'stopped' | 'paused';

/**
 * One container of a cluster, with the fault operations tests need. Host ports are fixed at creation, so
 * a stopped and restarted member keeps its endpoint; its filesystem (data dir) survives stop/kill/start.
 */
export class ContainerMember {
  #status: MemberStatus = 'running';
  #isolated = false;

  constructor(
    /** Position in the cluster, 0-based. */
    readonly index: number,
    /** Name and DNS alias on the cluster network (`etcd-0`, `nats-1`…). */
    readonly name: string,
    /** Host ports on 127.0.0.1, by container port. */
    readonly hostPorts: ReadonlyMap<number, number>,
    private readonly started: StartedTestContainer,
    private readonly network: StartedNetwork,
  ) {}

  get status(): MemberStatus {
    return this.#status;
  }
  get isolated(): boolean {
    return this.#isolated;
  }
  get containerId(): string {
    return this.started.getId();
  }

  /** The host port mapped to `containerPort`. */
  hostPort(containerPort: number): number {
    const port = this.hostPorts.get(containerPort);
    if (port === undefined) throw new RangeError(`${this.name} does not publish port ${containerPort}`);
    return port;
  }

  /** `docker stop`: SIGTERM, then SIGKILL after `timeoutSeconds` (default 10). */
  async stop(timeoutSeconds = 10): Promise<void> {
    if (this.#status === 'paused') await this.unpause();
    await (await this.container()).stop({ t: timeoutSeconds }).catch(ignoreNotModified);
    this.#status = 'stopped';
  }

  /** SIGKILL: the process dies without a chance to flush or leave the cluster. */
  async kill(): Promise<void> {
    if (this.#status === 'paused') await this.unpause();
    await (await this.container()).kill({ signal: 'SIGKILL' }).catch(ignoreNotRunning);
    this.#status = 'stopped';
  }

  /** Starts a stopped or killed member again with the same data, name and host ports. */
  async start(): Promise<void> {
    await (await this.container()).start().catch(ignoreNotModified);
    this.#status = 'running';
  }

  /** `docker pause` (cgroup freezer): the process stops answering but keeps its connections open. */
  async pause(): Promise<void> {
    await (await this.container()).pause();
    this.#status = 'paused';
  }

  async unpause(): Promise<void> {
    await (await this.container()).unpause();
    this.#status = 'running';
  }

  /**
   * `docker network disconnect` from the cluster network. The container has no other network, so this also
   * cuts the host port mapping: clients lose the member as well as its peers.
   */
  async isolate(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.network.getById(this.network.getId()).disconnect({ Container: this.containerId, Force: true });
    this.#isolated = true;
  }

  /** Reconnects an isolated member under its old DNS alias. Its IP address may change. */
  async reconnect(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.connectToNetwork(
      await this.container(),
      client.network.getById(this.network.getId()),
      [this.name],
    );
    this.#isolated = false;
  }

  /** Runs a command inside the (running) container. */
  exec(command: string[]): Promise<ExecResult> {
    return this.started.exec(command);
  }

  /** The last `tail` lines of the container's output, for failure messages. */
  async logs(tail = 200): Promise<string> {
    const client = await getContainerRuntimeClient();
    const container = await this.container();
    const stream = await client.container.logs(container, { stdout: true, stderr: true, tail, follow: false });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Undoes any fault so the member runs and is connected again. Does not wait for it to be healthy. */
  async restore(): Promise<void> {
    if (this.#status === 'paused') await this.unpause();
    if (this.#isolated) await this.reconnect();
    if (this.#status === 'stopped') await this.start();
  }

  /** Removes the container and its anonymous volumes, whatever its state. */
  async remove(): Promise<void> {
    if (this.#status === 'paused') await this.unpause().catch(() => undefined);
    await (await this.container()).remove({ force: true, v: true }).catch(ignoreNotFound);
    this.#status = 'stopped';
  }

  private async container(): Promise<DockerContainer> {
    const client = await getContainerRuntimeClient();
    return client.container.getById(this.containerId);
  }
}

/** Docker answers 304 when the container already is in the requested state. */
function ignoreNotModified(err: unknown): void {
  if ((err as { statusCode?: number }).statusCode === 304) return;
  throw err;
}

/** Docker answers 409 when killing a container that is not running. */
function ignoreNotRunning(err: unknown): void {
  if ((err as { statusCode?: number }).statusCode === 409) return;
  throw err;
}

function ignoreNotFound(err: unknown): void {
  if ((err as { statusCode?: number }).statusCode === 404) return;
  throw err;
}
