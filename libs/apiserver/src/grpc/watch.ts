// Watch over gRPC server streaming with the REST watch's semantics (rest/watch.ts): list-then-watch or
// watch from a revision, selector transitions as ADDED/DELETED, bookmarks from etcd progress
// notifications, a failure after the start as an ERROR event followed by the end of the stream.
import { once } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { ResourceVersionMatch, WatchEvent, WatchEventType, WatchResponse } from '@ekslab/proto';
import type { WatchRequest } from '@ekslab/proto';
import type { EtcdStore, StorageWatch } from '@ekslab/storage';
import type { ApiServerOptions } from '../http/server.js';
import { failure, statusOf } from '../http/status.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { KubeObject } from '../rest/objects.js';
import type { Registry } from '../rest/registry.js';
import { logFailure, resolve, signalOf } from './call.js';
import { rawObjectOf } from './objects.js';
import { selectorsOf } from './options.js';
import { serviceErrorOf, toWireStatus } from './status.js';

/** What one watch streams, once the request is resolved and authorized. */
export interface WatchPlan {
  readonly info: ResourceInfo;
  readonly prefix: string;
  /** Changes after this revision; unset: from now. */
  readonly fromRevision?: string;
  /** Send the current state as ADDED first (then watch from the list's revision). */
  readonly initialEvents: boolean;
  /** After the initial events, a BOOKMARK with initial_events_end (send_initial_events). */
  readonly initialEventsEndBookmark: boolean;
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  readonly timeoutMs: number;
  readonly matches: (obj: KubeObject) => boolean;
}

/**
 * The WatchPlan of a request, with the REST rules for resourceVersion ("" or "0": start now with the
 * current state as ADDED; else after that revision) and for send_initial_events (needs
 * resource_version_match NOT_OLDER_THAN and allow_watch_bookmarks, else 422 Invalid).
 */
export function planWatch(opts: Pick<ApiServerOptions, 'bookmarkIntervalMs' | 'minRequestTimeoutMs'>, registry: Pick<Registry, 'prefixOf'>, info: ResourceInfo, req: WatchRequest, random = Math.random): WatchPlan {
  const o = req.options;
  const rv = o?.resourceVersion ?? '';
  const bookmarks = o?.allowWatchBookmarks ?? false;
  const sendInitial = o?.sendInitialEvents;
  if (sendInitial !== undefined) {
    if (o?.resourceVersionMatch !== ResourceVersionMatch.NOT_OLDER_THAN) {
      throw failure(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (sendInitial && !bookmarks) {
      throw failure(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Forbidden: sendInitialEvents requires allowWatchBookmarks=true');
    }
  } else if (o?.resourceVersionMatch) {
    throw failure(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }
  const fromNow = rv === '' || rv === '0';
  const initialEvents = sendInitial ?? fromNow;
  const timeout = o?.timeoutSeconds ?? 0;
  return {
    info,
    prefix: registry.prefixOf(info, req.namespace),
    ...(fromNow ? {} : { fromRevision: rv }),
    initialEvents,
    initialEventsEndBookmark: sendInitial === true,
    bookmarks,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    timeoutMs: timeout > 0 ? timeout * 1000 : opts.minRequestTimeoutMs * (1 + random()),
    matches: selectorsOf(info, o),
  };
}

/**
 * Serves one Watch call. A failure before the watch starts (credentials, authorization, bad request) ends
 * the call with its gRPC status and the Status trailer; after that, failures (410 Expired for a compacted
 * revision, etcd unavailable) are an ERROR event and the stream ends OK. Ends quietly on client cancel,
 * server shutdown or the watch timeout.
 */
export async function serveGrpcWatch(opts: ApiServerOptions, registry: Registry, call: ServerWritableStream<WatchRequest, WatchResponse>): Promise<void> {
  const signal = signalOf(call);
  let plan: WatchPlan;
  try {
    const req = call.request;
    const { info } = resolve(opts, call, 'watch', { ...req, name: '', subresource: '', fieldSelector: req.options?.fieldSelector ?? '' });
    plan = planWatch(opts, registry, info, req);
  } catch (err) {
    logFailure(opts, 'Watch', err);
    // grpc-js ends a server stream with the status of an 'error' event (destroy() would send none).
    call.emit('error', serviceErrorOf(err));
    return;
  }
  const send = async (events: WatchEvent[]): Promise<void> => {
    if (signal.aborted) return;
    if (!call.write(WatchResponse.create({ events }))) {
      // Backpressure: a slow client holds the watch, not the server's memory.
      await once(call, 'drain', { signal }).catch(() => undefined);
    }
  };
  try {
    await streamWatch(opts.store, plan, send, signal);
  } catch (err) {
    logFailure(opts, 'Watch', err);
    if (!signal.aborted) await send([WatchEvent.create({ type: WatchEventType.ERROR, status: toWireStatus(statusOf(err)) })]);
  }
  if (!call.cancelled) call.end();
}

/**
 * The watch loop (the transport-free twin of rest/watch.ts serveWatch): calls `send` per event, in
 * resourceVersion order, until `signal` aborts or the plan's timeout passes (then it returns), or
 * storage fails (then it throws: TooOldResourceVersionError → 410 Expired).
 */
export async function streamWatch(store: EtcdStore, p: WatchPlan, send: (events: WatchEvent[]) => Promise<void>, outer: AbortSignal): Promise<void> {
  const ac = new AbortController();
  const signal = AbortSignal.any([outer, ac.signal]);
  const timer = setTimeout(() => ac.abort(new Error('watch timeout')), p.timeoutMs);
  const event = (type: WatchEventType, obj: KubeObject, initialEventsEnd = false): WatchEvent =>
    WatchEvent.create({ type, object: rawObjectOf(p.info, obj), initialEventsEnd });
  const bookmark = (resourceVersion: string, initialEnd = false): KubeObject => ({
    kind: p.info.kind, apiVersion: apiVersionOf(p.info),
    metadata: { resourceVersion, ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
  });
  let watch: StorageWatch<KubeObject> | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    // Whether each object seen so far matched the selectors (see serveWatch).
    const matched = new Map<string, boolean>();
    const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    let from = p.fromRevision;
    if (p.initialEvents) {
      const listed = await store.list<KubeObject>(p.prefix, { signal });
      for (const obj of listed.items) {
        const ok = p.matches(obj);
        matched.set(keyOf(obj), ok);
        if (ok) await send([event(WatchEventType.ADDED, obj)]);
      }
      if (p.initialEventsEndBookmark) await send([event(WatchEventType.BOOKMARK, bookmark(listed.resourceVersion, true), true)]);
      from = listed.resourceVersion;
    }
    watch = await store.watch<KubeObject>(p.prefix, { ...(from !== undefined ? { fromRevision: from } : {}), progressNotify: p.bookmarks, signal });
    if (p.bookmarks) progress = setInterval(() => watch?.requestProgress(), p.bookmarkIntervalMs);
    for await (const e of watch) {
      if (e.type === 'BOOKMARK') {
        if (p.bookmarks) await send([event(WatchEventType.BOOKMARK, bookmark(e.resourceVersion))]);
        continue;
      }
      const key = keyOf(e.object);
      const before = matched.get(key);
      if (e.type === 'DELETED') {
        matched.delete(key);
        if (before ?? p.matches(e.object)) await send([event(WatchEventType.DELETED, e.object)]);
        continue;
      }
      const now = p.matches(e.object);
      matched.set(key, now);
      if (now) await send([event(before === false || e.type === 'ADDED' ? WatchEventType.ADDED : WatchEventType.MODIFIED, e.object)]);
      else if (before) await send([event(WatchEventType.DELETED, e.object)]);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    if (progress) clearInterval(progress);
    watch?.close();
  }
}
