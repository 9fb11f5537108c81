import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { WatchSource } from '../cache/cache-set.js';
import type { KubeObject } from './objects.js';
import { runWatch, type WatchPlan } from './watch-loop.js';

/**
 * Streams a watch as kube-apiserver does over HTTP/1.1: chunked JSON, one `{"type","object"}` per line,
 * objects rendered by `render` (the object itself, or a Table row); bookmarks are sent as they are. A
 * storage failure after the start becomes an ERROR event carrying `onError(err)`, then the stream ends.
 * A client that does not read holds only its own watch: writing waits for the socket to drain, so the
 * watch cache's bounded queue for it fills and the cache closes the watch (the client re-watches).
 */
export async function serveWatch(
  source: WatchSource, res: ServerResponse, plan: WatchPlan, render: (obj: KubeObject) => unknown,
  onError: (err: unknown) => unknown, signal: AbortSignal,
): Promise<void> {
  const write = async (type: string, object: unknown): Promise<void> => {
    if (!res.write(`${JSON.stringify({ type, object })}\n`) && !signal.aborted) await once(res, 'drain', { signal }).catch(() => undefined);
  };
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  try {
    await runWatch(source, plan, (type, obj) => write(type, type === 'BOOKMARK' ? obj : render(obj)), signal);
  } catch (err) {
    // The last line: written without waiting, the stream ends right after.
    res.write(`${JSON.stringify({ type: 'ERROR', object: onError(err) })}\n`);
  } finally {
    res.end();
  }
}
