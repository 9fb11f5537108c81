import type { ForbiddenStatus } from './authz/forbidden.js';

/**
 * One class per condition. Each says whether sending the same request (or calling the same function) again
 * may succeed (`retryable`) and, where the apiserver turns it into a response, the HTTP `code` and
 * Kubernetes `reason` it maps to.
 */

/** The bearer token matched no identity. 401 Unauthorized; kube-apiserver says "invalid bearer token". */
export class InvalidBearerTokenError extends Error {
  override readonly name = 'InvalidBearerTokenError';
  readonly code = 401;
  readonly reason = 'Unauthorized';
  readonly retryable = false;
  constructor(options?: ErrorOptions) {
    super('invalid bearer token', options);
  }
}

/** A client certificate was presented but does not verify against the lab CA. 401 Unauthorized. */
export class ClientCertificateError extends Error {
  override readonly name = 'ClientCertificateError';
  readonly code = 401;
  readonly reason = 'Unauthorized';
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** No authenticator accepted the request and anonymous auth is off. 401 Unauthorized. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
  readonly code = 401;
  readonly reason = 'Unauthorized';
  readonly retryable = false;
  constructor() {
    super('Unauthorized');
  }
}

/** The token file is not in `--token-auth-file` CSV format. Not retryable: fix the file. */
export class TokenFileFormatError extends Error {
  override readonly name = 'TokenFileFormatError';
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** PKI files on disk are unreadable or inconsistent (e.g. a key that does not match its certificate). */
export class PkiCorruptError extends Error {
  override readonly name = 'PkiCorruptError';
  readonly retryable = false;
  constructor(readonly path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
  }
}

/** Another replica held the PKI lock for longer than the wait allows. Retryable. */
export class PkiContentionError extends Error {
  override readonly name = 'PkiContentionError';
  readonly retryable = true;
  constructor(readonly lockPath: string) {
    super(`${lockPath}: timed out waiting for the lock held by another replica`);
  }
}

/**
 * The URL cannot be turned into request attributes (e.g. `/api/v1/watch` with nothing after it).
 * kube-apiserver answers 500 with "unable to determine kind and namespace from url".
 */
export class RequestInfoError extends Error {
  override readonly name = 'RequestInfoError';
  readonly code = 500;
  readonly reason = 'InternalError';
  readonly retryable = false;
  constructor(readonly url: string) {
    super(`unable to determine kind and namespace from url, ${url}`);
  }
}

/** A (Self)SubjectAccessReview spec is invalid. 422 Invalid, as kube-apiserver's validation answers. */
export class InvalidAccessReviewError extends Error {
  override readonly name = 'InvalidAccessReviewError';
  readonly code = 422;
  readonly reason = 'Invalid';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}

/**
 * The requester may not impersonate one of the users, groups, uids or extras it asked for. 403 Forbidden
 * with kube-apiserver's Status (`users "jane" is forbidden: User "x" cannot impersonate resource "users" …`).
 */
export class ImpersonationForbiddenError extends Error {
  override readonly name = 'ImpersonationForbiddenError';
  readonly code = 403;
  readonly reason = 'Forbidden';
  readonly retryable = false;
  constructor(readonly status: ForbiddenStatus) {
    super(status.message);
  }
}

/**
 * Impersonation headers that make no sense together (groups, extra or uid without a user).
 * kube-apiserver 1.33 answers with a plain-text 500 (`responsewriters.InternalError`), not a Status.
 */
export class InvalidImpersonationError extends Error {
  override readonly name = 'InvalidImpersonationError';
  readonly code = 500;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}
