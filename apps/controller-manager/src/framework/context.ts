import { ResourceClient, WorkQueue, runWorkers, type IndexFunc, type Informer, type KubeObject, type RateLimiter, type Reconcile } from '@ekslab/client';
import type { GroupVersionResource, ResourceServiceClient } from '@ekslab/proto';
import type { Clock, Logger } from '@ekslab/runtime';
import type { Config } from '../config.js';
import type { ControllerManagerMetrics } from '../metrics.js';
import type { ControllerContext } from './controller.js';
import { GVR } from './gvr.js';
import type { SharedInformers } from './informers.js';
import { ApiEventRecorder } from './recorder.js';

export interface ContextOptions {
  readonly name: string;
  /** The controller's service account in kube-system; its token comes from `token`. */
  readonly identity: string;
  /** `source.component` of its events; default `identity`. */
  readonly eventComponent?: string | undefined;
  readonly token: () => string;
  readonly ca: Buffer;
  readonly service: ResourceServiceClient;
  readonly informers: SharedInformers;
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: ControllerManagerMetrics;
  /** Ends with the leadership term: stops the recorder and unregisters queues. */
  readonly signal: AbortSignal;
}

/** A WorkQueue that counts adds and retries for the controller's metrics. */
class InstrumentedQueue<K> extends WorkQueue<K> {
  constructor(private readonly count: { add(): void; retry(): void }, clock: Clock, rateLimiter?: RateLimiter<K>) {
    super({ clock, ...(rateLimiter ? { rateLimiter } : {}) });
  }
  override add(key: K): void {
    if (!this.isShuttingDown()) this.count.add();
    super.add(key);
  }
  override addRateLimited(key: K): void {
    if (!this.isShuttingDown()) this.count.retry();
    super.addRateLimited(key);
  }
}

/** Builds the context one controller gets for one leadership term. */
export function createControllerContext(o: ContextOptions): ControllerContext {
  const log = o.log.child({ controller: o.name });
  const asked: Informer<KubeObject>[] = [];
  const queueNames = new WeakMap<object, string>();
  const clients = new Map<string, ResourceClient<KubeObject>>();
  const client = <T extends KubeObject>(gvr: GroupVersionResource): ResourceClient<T> => {
    const key = `${gvr.group}/${gvr.version}/${gvr.resource}`;
    let c = clients.get(key);
    if (!c) clients.set(key, (c = new ResourceClient<KubeObject>({ service: o.service, gvr, token: o.token })));
    return c as unknown as ResourceClient<T>;
  };
  const waitForSync = async (signal: AbortSignal): Promise<void> => {
    await Promise.all(asked.map((i) => i.waitForSync(signal)));
  };
  return {
    name: o.name,
    config: o.config,
    log,
    clock: o.clock,
    token: o.token,
    ca: o.ca,
    service: o.service,
    metrics: o.metrics,
    recorder: new ApiEventRecorder({ events: client(GVR.events), component: o.eventComponent ?? o.identity, clock: o.clock, log }, o.signal),
    informer<T extends KubeObject>(gvr: GroupVersionResource, indexers?: Record<string, IndexFunc<T>>): Informer<T> {
      const informer = o.informers.informer<T>(gvr, indexers);
      asked.push(informer as unknown as Informer<KubeObject>);
      return informer;
    },
    client,
    queue<K = string>(queueName = o.name, rateLimiter?: RateLimiter<K>): WorkQueue<K> {
      const q = new InstrumentedQueue<K>({ add: () => o.metrics.adds.inc({ name: queueName }), retry: () => o.metrics.retries.inc({ name: queueName }) }, o.clock, rateLimiter);
      o.metrics.setQueue(queueName, q);
      queueNames.set(q, queueName);
      o.signal.addEventListener('abort', () => o.metrics.setQueue(queueName, undefined), { once: true });
      return q;
    },
    waitForSync,
    async run<K>(queue: WorkQueue<K>, workers: number, reconcile: Reconcile<K>, signal: AbortSignal): Promise<void> {
      try {
        await waitForSync(signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      log.info({ workers }, 'caches synced; starting workers');
      const name = queueNames.get(queue) ?? o.name;
      const timed: Reconcile<K> = async (key, s) => {
        const end = o.metrics.workDuration.startTimer({ name });
        try {
          return await reconcile(key, s);
        } finally {
          end();
        }
      };
      await runWorkers(queue, workers, timed, signal, { logger: log });
    },
  };
}
