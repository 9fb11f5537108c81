import type { ServerResponse } from 'node:http';
import type { EtcdStore, StorageWatch } from '@ekslab/storage';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { KubeObject } from './objects.js';

export interface WatchParams {
  readonly info: ResourceInfo;
  readonly prefix: string;
  /** Deliver changes after this revision; unset: send the current state as ADDED first. */
  readonly fromRevision?: string;
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  readonly timeoutMs: number;
  readonly matches: (obj: KubeObject) => boolean;
  /** Turns an object into what is sent (the object itself, or a Table row). */
  readonly render: (obj: KubeObject) => unknown;
  readonly signal: AbortSignal;
}

type Sent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown };

/**
 * Streams a watch as kube-apiserver does over HTTP/1.1: chunked JSON, one `{"type","object"}` per line.
 * Objects that stop matching the selectors are sent as DELETED, objects that start matching as ADDED.
 * Bookmarks (when asked for) come from etcd progress notifications requested every `bookmarkIntervalMs`.
 */
export async function serveWatch(store: EtcdStore, res: ServerResponse, p: WatchParams, onError: (err: unknown) => unknown): Promise<void> {
  const ac = new AbortController();
  const signal = AbortSignal.any([p.signal, ac.signal]);
  const timer = setTimeout(() => ac.abort(new Error('watch timeout')), p.timeoutMs);
  const write = (e: Sent): void => {
    res.write(`${JSON.stringify(e)}\n`);
  };
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  let watch: StorageWatch<KubeObject> | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    // Whether each object seen so far matched the selectors: a change that makes one stop matching is sent
    // as DELETED, one that makes it start matching as ADDED (as kube-apiserver's watch cache does).
    const matched = new Map<string, boolean>();
    const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    let from = p.fromRevision;
    if (from === undefined) {
      const listed = await store.list<KubeObject>(p.prefix, { signal });
      for (const obj of listed.items) {
        const ok = p.matches(obj);
        matched.set(keyOf(obj), ok);
        if (ok) write({ type: 'ADDED', object: p.render(obj) });
      }
      from = listed.resourceVersion;
    }
    watch = await store.watch<KubeObject>(p.prefix, { fromRevision: from, progressNotify: p.bookmarks, signal });
    if (p.bookmarks) progress = setInterval(() => watch?.requestProgress(), p.bookmarkIntervalMs);
    for await (const event of watch) {
      if (event.type === 'BOOKMARK') {
        if (p.bookmarks) write({ type: 'BOOKMARK', object: { kind: p.info.kind, apiVersion: apiVersionOf(p.info), metadata: { resourceVersion: event.resourceVersion } } });
        continue;
      }
      const key = keyOf(event.object);
      const before = matched.get(key);
      if (event.type === 'DELETED') {
        matched.delete(key);
        if (before ?? p.matches(event.object)) write({ type: 'DELETED', object: p.render(event.object) });
        continue;
      }
      const now = p.matches(event.object);
      matched.set(key, now);
      if (now) write({ type: before === false ? 'ADDED' : event.type, object: p.render(event.object) });
      else if (before) write({ type: 'DELETED', object: p.render(event.object) });
    }
  } catch (err) {
    if (!signal.aborted) write({ type: 'ERROR', object: onError(err) });
  } finally {
    clearTimeout(timer);
    if (progress) clearInterval(progress);
    watch?.close();
    res.end();
  }
}
