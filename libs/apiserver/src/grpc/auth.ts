// Authentication and authorization of a gRPC call: the REST chain (x509 / bearer token / anonymous, then
// system:masters / Node / RBAC) fed from call metadata and the TLS session instead of HTTP headers.
import type { PeerCertificate } from 'node:tls';
import type { Metadata } from '@grpc/grpc-js';
import { forbiddenStatus, ImpersonationForbiddenError, impersonatedUser, InvalidImpersonationError, type UserInfo } from '@ekslab/apiserver-auth';
import type { ApiServerOptions } from '../http/server.js';
import { ApiStatusError, failure } from '../http/status.js';
import type { Verb } from '../resources.js';
import { attributesOf, type CallTarget } from './attributes.js';

/** The parts of a grpc-js server call that carry credentials. */
export interface CallCredentials {
  readonly metadata: Metadata;
  getAuthContext(): { sslPeerCertificate?: PeerCertificate };
}

const superuser: UserInfo = { username: 'system:anonymous', groups: ['system:masters'] };

/** The first `authorization` value of the call metadata (gRPC lower-cases keys). */
function authorizationOf(md: Metadata): string | undefined {
  const [value] = md.get('authorization');
  return typeof value === 'string' ? value : undefined;
}

/**
 * Who made the call, or 401 Unauthorized. The client certificate counts only when the TLS session
 * verified it against the lab CA (grpc-js reports no certificate otherwise); then the bearer token.
 */
export async function authenticateCall(opts: ApiServerOptions, call: CallCredentials, signal?: AbortSignal): Promise<UserInfo> {
  if (!opts.auth) return superuser;
  const authorization = authorizationOf(call.metadata);
  const peer = call.getAuthContext().sslPeerCertificate;
  const result = await opts.auth.authenticator.authenticate({
    ...(authorization ? { authorization } : {}),
    ...(peer ? { peerCertificate: peer } : {}),
  }, signal);
  if ('error' in result) throw failure(401, 'Unauthorized', 'Unauthorized');
  return result.user;
}

/**
 * The user a call acts as: the requester, or whom its `impersonate-user` / `impersonate-group` /
 * `impersonate-uid` / `impersonate-extra-<key>` metadata names (REST's Impersonate-* headers; gRPC lower-cases
 * keys as HTTP/2 does). 403 with kube's Status when the requester may not impersonate; 500 InternalError with
 * kube's message for groups, uid or extra without a user.
 */
export function impersonateCall(opts: ApiServerOptions, call: CallCredentials, requester: UserInfo): UserInfo {
  if (!opts.auth) return requester;
  const headers: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(call.metadata.toJSON())) {
    if (key.startsWith('impersonate-')) headers[key] = values.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  }
  if (Object.keys(headers).length === 0) return requester;
  try {
    return impersonatedUser(opts.auth.authorizer, requester, headers) ?? requester;
  } catch (err) {
    if (err instanceof ImpersonationForbiddenError) throw new ApiStatusError({ ...err.status, details: { ...err.status.details } });
    if (err instanceof InvalidImpersonationError) throw failure(500, 'InternalError', err.message);
    throw err;
  }
}

/** 403 Forbidden, worded as over REST, unless the authorizer allows `verb` on the target. */
export function authorizeCall(opts: ApiServerOptions, user: UserInfo, verb: Verb, target: CallTarget): void {
  if (!opts.auth) return;
  const attrs = attributesOf(verb, target);
  const { decision, reason } = opts.auth.authorizer.authorize(user, attrs);
  if (decision === 'allow') return;
  const status = forbiddenStatus(user, attrs, reason);
  throw new ApiStatusError({ ...status, details: { ...status.details } });
}
