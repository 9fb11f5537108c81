import { ClientCertificateError, InvalidBearerTokenError, UnauthenticatedError } from '../errors.js';
import type { UserInfo } from '../user.js';
import { allAuthenticatedGroup, allUnauthenticatedGroup, anonymousUser } from '../user.js';
import type { ClientCertAuthenticator, PeerCertificateInput } from './client-cert.js';

/**
 * Anything that maps a bearer token to a user (token file, node tokens, service-account JWTs, …);
 * undefined = not mine or not valid. May answer asynchronously (a service-account token needs its account
 * looked up); `signal` is the request's.
 */
export interface TokenAuthenticator {
  authenticateToken(token: string, signal?: AbortSignal): UserInfo | undefined | Promise<UserInfo | undefined>;
}

export interface AuthenticationRequest {
  /** The `Authorization` header, verbatim. */
  readonly authorization?: string;
  /** The client's certificate (chain) from the TLS connection, if it sent one. */
  readonly peerCertificate?: PeerCertificateInput;
}

/** Which authenticator accepted the request. */
export type AuthenticationMethod = 'x509' | 'token' | 'anonymous';

export type AuthenticationResult =
  | { readonly user: UserInfo; readonly method: AuthenticationMethod }
  | { readonly error: InvalidBearerTokenError | ClientCertificateError | UnauthenticatedError };

export interface AuthenticatorOptions {
  /** Client certificates are checked first (kube-apiserver's order: x509, then tokens). */
  readonly clientCerts?: ClientCertAuthenticator;
  /** Asked in order; the first that knows the token wins. */
  readonly tokens?: readonly TokenAuthenticator[];
  /** Anonymous requests become `system:anonymous`. Default true, as kube-apiserver's `--anonymous-auth`. */
  readonly anonymous?: boolean;
}

/**
 * kube-apiserver's request authenticator chain: union(x509, bearer token) → add `system:authenticated` →
 * fail-on-error anonymous fallback. So:
 * - the first authenticator that accepts wins (a bad certificate does not stop a good token);
 * - a presented but unknown bearer token is a 401 ("invalid bearer token") and never falls back to anonymous;
 * - an `Authorization` header that is not `Bearer <token>` (e.g. Basic) is ignored, as upstream;
 * - no credentials at all → `system:anonymous` in `system:unauthenticated` (or 401 with anonymous off).
 */
export class Authenticator {
  private readonly tokens: readonly TokenAuthenticator[];
  private readonly anonymous: boolean;

  constructor(private readonly options: AuthenticatorOptions) {
    this.tokens = options.tokens ?? [];
    this.anonymous = options.anonymous ?? true;
  }

  async authenticate(request: AuthenticationRequest, signal?: AbortSignal): Promise<AuthenticationResult> {
    const errors: (ClientCertificateError | InvalidBearerTokenError)[] = [];

    const fromCert = this.options.clientCerts?.authenticate(request.peerCertificate);
    if (fromCert instanceof ClientCertificateError) errors.push(fromCert);
    else if (fromCert) return { user: withAuthenticatedGroup(fromCert), method: 'x509' };

    const token = bearerToken(request.authorization);
    if (token !== undefined) {
      const user = await this.authenticateToken(token, signal);
      if (user) return { user: withAuthenticatedGroup(user), method: 'token' };
      errors.push(new InvalidBearerTokenError());
    }

    if (errors.length > 0) return { error: errors[0]! };
    if (this.anonymous) return { user: anonymousUser, method: 'anonymous' };
    return { error: new UnauthenticatedError() };
  }

  private async authenticateToken(token: string, signal: AbortSignal | undefined): Promise<UserInfo | undefined> {
    for (const a of this.tokens) {
      const user = await a.authenticateToken(token, signal);
      if (user) return user;
    }
    return undefined;
  }
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive); undefined for any other header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const auth = authorization?.trim() ?? '';
  if (auth === '') return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  // Upstream splits into at most 3 parts and takes the second: "Bearer  x" (two spaces) has an empty token.
  const token = parts[1]!;
  return token === '' ? undefined : token;
}

/** Adds `system:authenticated` unless the user already has it or is in `system:unauthenticated`. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(allAuthenticatedGroup) || user.groups.includes(allUnauthenticatedGroup)) return user;
  return { ...user, groups: [...user.groups, allAuthenticatedGroup] };
}
