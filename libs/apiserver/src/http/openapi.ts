import type { IncomingMessage, ServerResponse } from 'node:http';
import { openApiV2Json, openApiV2Protobuf, openApiV2ProtobufType } from '../openapi-v2.js';
import { openApiV3GroupVersion, openApiV3Root } from '../openapi.js';
import { failure } from './status.js';

function send(res: ServerResponse, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * Serves `/openapi/v2` (JSON, or gnostic protobuf when asked) and `/openapi/v3[/<group-version>]`. As
 * kube-apiserver: a v3 document requested with its current `?hash=` is immutable (cacheable for a year),
 * with a stale hash it is a 301 to the current one; every document carries its ETag.
 */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, url: URL, gitVersion: string): void {
  const path = url.pathname;
  if (path === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) return send(res, openApiV2ProtobufType, openApiV2Protobuf(gitVersion));
    return send(res, 'application/json', openApiV2Json(gitVersion), { 'cache-control': 'no-cache, private' });
  }
  if (path === '/openapi/v3') return send(res, 'application/json', JSON.stringify(openApiV3Root()), { 'cache-control': 'no-cache, private' });
  const doc = path.startsWith('/openapi/v3/') ? openApiV3GroupVersion(path.slice('/openapi/v3/'.length)) : undefined;
  if (!doc) throw failure(404, 'NotFound', 'the server could not find the requested resource');
  const asked = url.searchParams.get('hash');
  if (asked !== null && asked !== doc.hash) {
    res.writeHead(301, { location: `${path}?hash=${doc.hash}`, 'content-length': 0 });
    res.end();
    return;
  }
  send(res, 'application/json', doc.body, {
    etag: `"${doc.hash}"`,
    'cache-control': asked === null ? 'no-cache, private' : 'public, immutable',
    ...(asked === null ? {} : { expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() }),
  });
}
