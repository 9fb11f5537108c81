import type { StorageWatch } from '@ekslab/storage';
import type { WatchSource } from '../cache/cache-set.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { KubeObject } from './objects.js';

/** What one watch delivers, whatever the transport (HTTP chunked JSON or a gRPC stream). */
export interface WatchPlan {
  readonly info: ResourceInfo;
  readonly prefix: string;
  /** Changes after this revision; unset: from now. */
  readonly fromRevision?: string;
  /** Send the current state as ADDED first (then watch from the list's revision). */
  readonly initialEvents: boolean;
  /** The initial state is a consistent read (resourceVersion unset), not whatever the cache has ("0"). */
  readonly consistentInitialList: boolean;
  /** After the initial events, a BOOKMARK annotated `k8s.io/initial-events-end` (sendInitialEvents). */
  readonly initialEventsEndBookmark: boolean;
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  readonly timeoutMs: number;
  readonly matches: (obj: KubeObject) => boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** Receives each event; a BOOKMARK's object carries only kind, apiVersion and metadata.resourceVersion. */
export type WatchEmit = (type: WatchEventType, object: KubeObject, initialEventsEnd: boolean) => void | Promise<void>;

/**
 * The watch loop of kube-apiserver's semantics, shared by REST and gRPC: optional initial ADDED events
 * from a list, then every change in resourceVersion order. Objects that stop matching the selectors are
 * sent as DELETED, objects that start matching as ADDED (as the watch cache does). Bookmarks are
 * requested from the source (the watch cache, or etcd progress notifications) every `bookmarkIntervalMs`.
 * A watch the cache terminates (a client too slow to keep up) just ends: the client re-watches. Returns when `outer` aborts or the
 * plan's timeout passes; throws when storage fails (TooOldResourceVersionError → 410 Expired).
 */
export async function runWatch(source: WatchSource, p: WatchPlan, emit: WatchEmit, outer: AbortSignal): Promise<void> {
  const ac = new AbortController();
  const signal = AbortSignal.any([outer, ac.signal]);
  const timer = setTimeout(() => ac.abort(new Error('watch timeout')), p.timeoutMs);
  const bookmark = (resourceVersion: string, initialEnd = false): KubeObject => ({
    kind: p.info.kind, apiVersion: apiVersionOf(p.info),
    metadata: { resourceVersion, ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
  });
  let watch: StorageWatch<KubeObject> | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    // Whether each object seen so far matched the selectors.
    const matched = new Map<string, boolean>();
    const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    let from = p.fromRevision;
    if (p.initialEvents) {
      const listed = await source.list(p.prefix, signal, p.consistentInitialList);
      for (const obj of listed.items) {
        const ok = p.matches(obj);
        matched.set(keyOf(obj), ok);
        if (ok) await emit('ADDED', obj, false);
      }
      if (p.initialEventsEndBookmark) await emit('BOOKMARK', bookmark(listed.resourceVersion, true), true);
      from = listed.resourceVersion;
    }
    watch = await source.watch(p.prefix, from, p.bookmarks, signal, p.initialEvents);
    if (p.bookmarks) progress = setInterval(() => watch?.requestProgress(), p.bookmarkIntervalMs);
    for await (const e of watch) {
      if (e.type === 'BOOKMARK') {
        if (p.bookmarks) await emit('BOOKMARK', bookmark(e.resourceVersion), false);
        continue;
      }
      const key = keyOf(e.object);
      const before = matched.get(key);
      if (e.type === 'DELETED') {
        matched.delete(key);
        if (before ?? p.matches(e.object)) await emit('DELETED', e.object, false);
        continue;
      }
      const now = p.matches(e.object);
      matched.set(key, now);
      if (now) await emit(before === false ? 'ADDED' : e.type, e.object, false);
      else if (before) await emit('DELETED', e.object, false);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    if (progress) clearInterval(progress);
    watch?.close();
  }
}
