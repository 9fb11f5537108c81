import type { IndexFunc, Informer, KubeObject, Reconcile, ResourceClient, WorkQueue, RateLimiter } from '@ekslab/client';
import type { GroupVersionResource, ResourceServiceClient } from '@ekslab/proto';
import type { Clock, Logger } from '@ekslab/runtime';
import type { Config } from '../config.js';
import type { ControllerManagerMetrics } from '../metrics.js';
import type { EventRecorder } from './recorder.js';

/**
 * What a controller gets for one leadership term. Reads go through the shared informers (listed and
 * watched as system:kube-controller-manager); writes go through `client`, which acts as the controller's
 * own service account (kube's --use-service-account-credentials), so its `system:controller:*` role applies.
 */
export interface ControllerContext {
  /** The controller's --controllers name (e.g. `deployment`). */
  readonly name: string;
  readonly config: Config;
  /** Bound to the controller (`{ controller: name }`). */
  readonly log: Logger;
  readonly clock: Clock;
  /** The controller's own bearer token, the lab CA and the gRPC channel, for what `client` does not cover. */
  readonly token: () => string;
  readonly ca: Buffer;
  readonly service: ResourceServiceClient;
  readonly metrics: ControllerManagerMetrics;
  /** Events with `source.component` = the controller's identity (e.g. `deployment-controller`). */
  readonly recorder: EventRecorder;
  /** The shared informer of a resource across all namespaces; ask for it in `init`. */
  informer<T extends KubeObject>(gvr: GroupVersionResource, indexers?: Record<string, IndexFunc<T>>): Informer<T>;
  /** A client of `gvr` (all namespaces; pass `namespace` per call) acting as the controller's identity. */
  client<T extends KubeObject>(gvr: GroupVersionResource): ResourceClient<T>;
  /** A work queue whose depth, adds, retries and reconcile durations are exported under `queueName` (default: the controller's name). */
  queue<K = string>(queueName?: string, rateLimiter?: RateLimiter<K>): WorkQueue<K>;
  /**
   * Waits until every informer this controller asked for has synced, then runs `workers` workers over the
   * queue until the signal aborts (see runWorkers in @ekslab/client: errors retry with the queue's backoff,
   * `{ requeueAfter }` looks again later). Resolves once the workers have stopped.
   */
  run<K>(queue: WorkQueue<K>, workers: number, reconcile: Reconcile<K>, signal: AbortSignal): Promise<void>;
  /** Waits until every informer this controller asked for has synced (for controllers with their own loops). */
  waitForSync(signal: AbortSignal): Promise<void>;
}

/** The loop a controller runs for one leadership term; it must return soon after the signal aborts. */
export type ControllerLoop = (signal: AbortSignal) => Promise<void>;

/**
 * One controller of the controller-manager, as kube-controller-manager registers them: `name` is what
 * `--controllers` takes, `identity` the service account in kube-system it acts as.
 */
export interface ControllerDescriptor {
  /** kube 1.33's name (`deployment-controller`). */
  readonly name: string;
  /** Older names --controllers still accepts (`deployment`). */
  readonly aliases: readonly string[];
  /** Its service account in kube-system (`system:controller:<identity>` role), e.g. `deployment-controller`. */
  readonly identity: string;
  /** `source.component` of its events when it differs from `identity` (kube's EventSource). */
  readonly eventComponent?: string;
  /** kube's default set: `*` enables the controllers that are on by default. */
  readonly enabledByDefault: boolean;
  /** Asks for informers, registers handlers and returns the loop. Makes no API calls. */
  init(ctx: ControllerContext): ControllerLoop;
}
