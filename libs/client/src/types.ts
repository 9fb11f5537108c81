// The object shapes the client works with: any Kubernetes object with metadata, and the
// interface the reflector needs (what client-go calls a ListerWatcher).

/** The part of metav1.ObjectMeta the client relies on; other fields pass through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  [field: string]: unknown;
}

/** Any Kubernetes object in its JSON form. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** Watch event types as Kubernetes names them (ERROR is never yielded: it is thrown as ApiError). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/**
 * One watch event. For BOOKMARK only `resourceVersion` is meaningful (`object` is metadata-only);
 * `resourceVersion` is always the object's metadata.resourceVersion.
 */
export interface WatchEvent<T extends KubeObject> {
  type: WatchEventType;
  object: T;
  resourceVersion: string;
  /** BOOKMARK only: ends the initial events of a send_initial_events watch. */
  initialEventsEnd?: boolean;
}

/** List options as metav1.ListOptions names them. */
export interface ListOpts {
  labelSelector?: string;
  fieldSelector?: string;
  /** "" = most recent (quorum read), "0" = any cached state, other = not older than. */
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface WatchOpts {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this resourceVersion ("" or "0": start now, with initial ADDED events). */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side upper bound on the watch's duration. */
  timeoutSeconds?: number;
}

/** One page of a list. */
export interface ListPage<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
  /** Token for the next page; "" when the list is complete. */
  continue: string;
}

/**
 * What the reflector needs from the API: ResourceClient implements it; FakeListerWatcher is a
 * scripted one for tests. `watch` ends (returns) when the server ends the stream or the signal
 * aborts, and throws ApiError for an ERROR event (410 Expired: the caller must relist).
 */
export interface ListerWatcher<T extends KubeObject> {
  list(opts: ListOpts, signal: AbortSignal): Promise<ListPage<T>>;
  watch(opts: WatchOpts, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
}

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** Splits a cache key into namespace ("" for cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
