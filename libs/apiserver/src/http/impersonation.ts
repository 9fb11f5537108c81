import type { IncomingMessage, ServerResponse } from 'node:http';
import { ImpersonationForbiddenError, InvalidImpersonationError, impersonatedUser, type UserInfo } from '@ekslab/apiserver-auth';
import type { ApiServerOptions } from './server.js';

/**
 * The user the request acts as (the requester itself without Impersonate-* headers), or undefined when the
 * response has already been written: 403 with kube's Status when an impersonation is not allowed, and
 * kube-apiserver's plain-text 500 (`responsewriters.InternalError`) for groups/uid/extra without a user.
 */
export function actAs(opts: Pick<ApiServerOptions, 'auth'>, req: IncomingMessage, res: ServerResponse, requester: UserInfo): UserInfo | undefined {
  if (!opts.auth) return requester;
  try {
    return impersonatedUser(opts.auth.authorizer, requester, req.headersDistinct) ?? requester;
  } catch (err) {
    if (err instanceof ImpersonationForbiddenError) {
      const text = JSON.stringify(err.status);
      res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
      res.end(text);
      return undefined;
    }
    if (err instanceof InvalidImpersonationError) {
      const text = `${sanitize(`Internal Server Error: ${JSON.stringify(req.url ?? '/')}: ${err.message}`)}\n`;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return undefined;
    }
    throw err;
  }
}

/** responsewriters' sanitizer (the text may be rendered as HTML). */
const sanitize = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
