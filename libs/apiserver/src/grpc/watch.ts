// Watch over gRPC server streaming with the REST watch's semantics (the shared loop in rest/watch-loop.ts): list-then-watch or
// watch from a revision, selector transitions as ADDED/DELETED, bookmarks from etcd progress
// notifications, a failure after the start as an ERROR event followed by the end of the stream.
import { once } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { ResourceVersionMatch, WatchEvent, WatchEventType, WatchResponse } from '@ekslab/proto';
import type { WatchRequest } from '@ekslab/proto';
import { watchSourceOf, type WatchSource } from '../cache/cache-set.js';
import type { ApiServerOptions } from '../http/server.js';
import { failure, statusOf } from '../http/status.js';
import type { ResourceInfo } from '../resources.js';
import { runWatch, type WatchPlan } from '../rest/watch-loop.js';
import type { Registry } from '../rest/registry.js';
import { auditCall } from './audit.js';
import { logFailure, resolve, signalOf } from './call.js';
import { rawObjectOf } from './objects.js';
import { selectorsOf } from './options.js';
import { serviceErrorOf, toWireStatus } from './status.js';

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
    consistentInitialList: rv === '',
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
  const started = Date.now();
  let plan: WatchPlan;
  try {
    const req = call.request;
    const { info } = await resolve(opts, call, 'watch', { ...req, name: '', subresource: '', fieldSelector: req.options?.fieldSelector ?? '' }, signal);
    plan = planWatch(opts, registry, info, req);
  } catch (err) {
    logFailure(opts, 'Watch', err);
    auditCall(opts, call, statusOf(err).code, started);
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
    await streamWatch(watchSourceOf(opts.store, opts.watchCache), plan, send, signal);
  } catch (err) {
    logFailure(opts, 'Watch', err);
    if (!signal.aborted) await send([WatchEvent.create({ type: WatchEventType.ERROR, status: toWireStatus(statusOf(err)) })]);
  }
  // Like a REST watch: 200 once it started, whatever ended it (an ERROR event travels inside the stream).
  auditCall(opts, call, 200, started);
  if (!call.cancelled) call.end();
}

/**
 * The shared watch loop (rest/watch-loop.ts) with each event sent as a proto WatchEvent: returns when
 * `outer` aborts or the plan's timeout passes, throws when storage fails (410 Expired and the like).
 */
export async function streamWatch(source: WatchSource, p: WatchPlan, send: (events: WatchEvent[]) => Promise<void>, outer: AbortSignal): Promise<void> {
  await runWatch(source, p, (type, obj, initialEventsEnd) =>
    send([WatchEvent.create({ type: WatchEventType[type], object: rawObjectOf(p.info, obj), initialEventsEnd })]), outer);
}
