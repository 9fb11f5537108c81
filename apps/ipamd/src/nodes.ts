// The nodes this ipamd serves: one NodeIpam and its reconcile loop per node (EnsureNode / RemoveNode).
import type { Logger } from '@ekslab/runtime';
import { CheckpointFile } from './checkpoint.js';
import type { Ec2Port } from './ec2.js';
import type { IpamdMetrics } from './metrics.js';
import { NodeIpam, type IpamSettings } from './node-ipam.js';

export interface NodesDeps {
  readonly ec2: Ec2Port;
  readonly settings: IpamSettings;
  readonly checkpointDir: string;
  readonly checkpointFsync?: boolean;
  readonly poolMonitorIntervalMs: number;
  readonly log: Logger;
  readonly metrics?: IpamdMetrics;
  readonly now?: () => number;
}

interface Entry {
  readonly instanceId: string;
  readonly ready: Promise<NodeIpam>;
  node?: NodeIpam;
  readonly stop: AbortController;
  loop?: Promise<void>;
}

export class Nodes {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly deps: NodesDeps,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Starts (or returns) the node's IPAM. Concurrent calls for one node share one adoption; a different
   * instance under the same node name replaces the old one (the Node object was recreated).
   */
  async ensure(nodeName: string, instanceId: string, signal: AbortSignal): Promise<NodeIpam> {
    const existing = this.entries.get(nodeName);
    if (existing && existing.instanceId === instanceId) return existing.ready;
    if (existing) await this.remove(nodeName, false);
    const stop = new AbortController();
    const onShutdown = (): void => stop.abort(this.signal.reason);
    this.signal.addEventListener('abort', onShutdown, { once: true });
    const d = this.deps;
    const checkpoint = new CheckpointFile(d.checkpointDir, nodeName, d.checkpointFsync ?? false);
    const ready = NodeIpam.adopt({ ec2: d.ec2, settings: d.settings, checkpoint, log: d.log, ...(d.metrics ? { metrics: d.metrics } : {}), ...(d.now ? { now: d.now } : {}) }, nodeName, instanceId, AbortSignal.any([signal, stop.signal]));
    const entry: Entry = { instanceId, ready, stop };
    this.entries.set(nodeName, entry);
    try {
      const node = await ready;
      entry.node = node;
      entry.loop = node.run(d.poolMonitorIntervalMs, stop.signal).finally(() => this.signal.removeEventListener('abort', onShutdown));
      return node;
    } catch (err) {
      if (this.entries.get(nodeName) === entry) this.entries.delete(nodeName);
      this.signal.removeEventListener('abort', onShutdown);
      throw err;
    }
  }

  /** Stops the node's IPAM; with `forget`, deletes its checkpoint too (RemoveNode). Unknown nodes: no-op. */
  async remove(nodeName: string, forget = true): Promise<void> {
    const entry = this.entries.get(nodeName);
    if (!entry) {
      if (forget) new CheckpointFile(this.deps.checkpointDir, nodeName).remove();
      return;
    }
    this.entries.delete(nodeName);
    entry.stop.abort(new Error(`node ${nodeName} removed`));
    await entry.ready.catch(() => undefined);
    await entry.loop;
    entry.node?.close();
    if (forget) new CheckpointFile(this.deps.checkpointDir, nodeName).remove();
    this.deps.log.info({ node: nodeName, instanceId: entry.instanceId }, 'stopped the node\'s IPAM');
  }

  /** The node's IPAM once adopted. */
  get(nodeName: string): NodeIpam | undefined {
    return this.entries.get(nodeName)?.node;
  }

  all(): NodeIpam[] {
    return [...this.entries.values()].flatMap((e) => (e.node ? [e.node] : []));
  }

  /** Waits for every reconcile loop to end (after the shutdown signal). */
  async drained(): Promise<void> {
    await Promise.all([...this.entries.values()].flatMap((e) => (e.loop ? [e.loop] : [])));
  }
}
