// Authentication and authorization of a gRPC call: the REST chain (x509 / bearer token / anonymous, then
// system:masters / Node / RBAC) fed from call metadata and the TLS session instead of HTTP headers.
import type { PeerCertificate } from 'node:tls';
import type { Metadata } from '@grpc/grpc-js';
import { forbiddenStatus, type UserInfo } from '@ekslab/apiserver-auth';
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

/** 403 Forbidden, worded as over REST, unless the authorizer allows `verb` on the target. */
export function authorizeCall(opts: ApiServerOptions, user: UserInfo, verb: Verb, target: CallTarget): void {
  if (!opts.auth) return;
  const attrs = attributesOf(verb, target);
  const { decision, reason } = opts.auth.authorizer.authorize(user, attrs);
  if (decision === 'allow') return;
  const status = forbiddenStatus(user, attrs, reason);
  throw new ApiStatusError({ ...status, details: { ...status.details } });
}
