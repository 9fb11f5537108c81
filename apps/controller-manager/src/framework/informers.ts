import { Informer, ResourceClient, type IndexFunc, type KubeObject } from '@ekslab/client';
import type { GroupVersionResource, ResourceServiceClient } from '@ekslab/proto';
import type { Clock, Logger } from '@ekslab/runtime';
import { gvrString } from './gvr.js';

export interface SharedInformersOptions {
  readonly service: ResourceServiceClient;
  /** The controller-manager's own token (system:kube-controller-manager may list and watch everything). */
  readonly token: string | (() => string);
  readonly clock: Clock;
  readonly log: Logger;
  /** kube-controller-manager --min-resync-period (12 h): every cached object is handed to handlers again this often. */
  readonly resyncPeriodMs: number;
}

/**
 * client-go's SharedInformerFactory for one leadership term: one informer (one list + watch) per resource,
 * shared by every controller that asks for it. Controllers ask in their `init` (registering handlers and
 * indexers); `start` runs all of them; an informer asked for later starts at once. A new term builds a new
 * factory, so a replica that leads again starts from a fresh list.
 */
export class SharedInformers {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly indexNames = new Map<string, Set<string>>();
  private readonly running: Promise<void>[] = [];
  private signal: AbortSignal | undefined;

  constructor(private readonly o: SharedInformersOptions) {}

  /** The shared informer of `gvr` (all namespaces); `indexers` are added to it (an index name stands for one function: asked twice, added once). */
  informer<T extends KubeObject>(gvr: GroupVersionResource, indexers?: Record<string, IndexFunc<T>>): Informer<T> {
    const key = gvrString(gvr);
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      const lw = new ResourceClient<T>({ service: this.o.service, gvr, token: this.o.token });
      informer = new Informer<T>(lw, { clock: this.o.clock, resyncPeriodMs: this.o.resyncPeriodMs, logger: this.o.log.child({ informer: key }) });
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.signal) this.running.push(informer.start(this.signal));
    }
    // An index asked for by several controllers (same name = same function) is added once.
    const names = this.indexNames.get(key) ?? new Set<string>();
    this.indexNames.set(key, names);
    const fresh = Object.entries(indexers ?? {}).filter(([name]) => !names.has(name));
    for (const [name] of fresh) names.add(name);
    if (fresh.length > 0) informer.addIndexers(Object.fromEntries(fresh));
    return informer;
  }

  /** Starts every informer asked for so far (and any asked for later) until the signal aborts. */
  start(signal: AbortSignal): void {
    if (this.signal) throw new Error('shared informers already started');
    this.signal = signal;
    for (const informer of this.informers.values()) this.running.push(informer.start(signal));
  }

  /** Resolves once every informer that has run has ended (after the signal aborts). */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.running);
  }
}
