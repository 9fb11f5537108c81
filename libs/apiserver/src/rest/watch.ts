import type { ServerResponse } from 'node:http';
import type { WatchSource } from '../cache/cache-set.js';
import type { KubeObject } from './objects.js';
import { runWatch, type WatchPlan } from './watch-loop.js';

/**
 * Streams a watch as kube-apiserver does over HTTP/1.1: chunked JSON, one `{"type","object"}` per line,
 * objects rendered by `render` (the object itself, or a Table row); bookmarks are sent as they are. A
 * storage failure after the start becomes an ERROR event carrying `onError(err)`, then the stream ends.
 */
export async function serveWatch(
  source: WatchSource, res: ServerResponse, plan: WatchPlan, render: (obj: KubeObject) => unknown,
  onError: (err: unknown) => unknown, signal: AbortSignal,
): Promise<void> {
  const write = (type: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  try {
    await runWatch(source, plan, (type, obj) => write(type, type === 'BOOKMARK' ? obj : render(obj)), signal);
  } catch (err) {
    write('ERROR', onError(err));
  } finally {
    res.end();
  }
}
