/**
 * One class per storage condition. Each carries the Kubernetes status it maps to (`reason`, HTTP `code`) so
 * the apiserver can turn it into a `Status` without guessing, and `retryable`: whether sending the *same*
 * request again may succeed. A Conflict is not retryable in that sense: re-read, then retry
 * (see `guaranteedUpdate`).
 */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'BadRequest'
  | 'RequestEntityTooLarge'
  | 'InternalError';

/** Base of every error this library throws (besides an AbortSignal's own reason). */
export abstract class StorageError extends Error {
  abstract readonly reason: StatusReason;
  abstract readonly code: number;
  abstract readonly retryable: boolean;
}

/** The key does not exist. 404 NotFound. */
export class NotFoundError extends StorageError {
  override readonly name = 'NotFoundError';
  readonly reason = 'NotFound';
  readonly code = 404;
  readonly retryable = false;
  constructor(readonly key: string, options?: ErrorOptions) {
    super(`${key} not found`, options);
  }
}

/** `create` found the key already present. 409 AlreadyExists. */
export class AlreadyExistsError extends StorageError {
  override readonly name = 'AlreadyExistsError';
  readonly reason = 'AlreadyExists';
  readonly code = 409;
  readonly retryable = false;
  constructor(readonly key: string, options?: ErrorOptions) {
    super(`${key} already exists`, options);
  }
}

/**
 * `update` carried a resourceVersion that is no longer the key's mod revision: someone else wrote first.
 * 409 Conflict ("the object has been modified; please apply your changes to the latest version").
 */
export class ConflictError extends StorageError {
  override readonly name = 'ConflictError';
  readonly reason = 'Conflict';
  readonly code = 409;
  readonly retryable = false;
  constructor(readonly key: string, readonly expectedResourceVersion: string, readonly actualResourceVersion: string, options?: ErrorOptions) {
    super(`${key}: the object has been modified (resourceVersion ${expectedResourceVersion}, now ${actualResourceVersion}); please apply your changes to the latest version and try again`, options);
  }
}

/** A `delete` precondition (uid or resourceVersion) did not hold. 409 Conflict, as in Kubernetes. */
export class PreconditionFailedError extends StorageError {
  override readonly name = 'PreconditionFailedError';
  readonly reason = 'Conflict';
  readonly code = 409;
  readonly retryable = false;
  constructor(readonly key: string, readonly field: 'uid' | 'resourceVersion', readonly expected: string, readonly actual: string | undefined, options?: ErrorOptions) {
    super(`${key}: precondition failed: ${field} in precondition: ${expected}, ${field} in object meta: ${actual ?? '<none>'}`, options);
  }
}

/**
 * The requested revision has been compacted away (list at a revision, a continue token, watch from a
 * revision). 410 Expired: the client must re-list. `compactRevision` is known only when etcd reports it
 * (watch); for reads it is undefined.
 */
export class TooOldResourceVersionError extends StorageError {
  override readonly name = 'TooOldResourceVersionError';
  readonly reason = 'Expired';
  readonly code = 410;
  readonly retryable = false;
  constructor(readonly resourceVersion: string, readonly compactRevision?: string, options?: ErrorOptions) {
    super(`too old resource version: ${resourceVersion}${compactRevision ? ` (compacted up to ${compactRevision})` : ''}`, options);
  }
}

/** The requested revision is newer than etcd's current one. 504 Timeout (Kubernetes' ResourceVersionTooLarge); retry later. */
export class FutureResourceVersionError extends StorageError {
  override readonly name = 'FutureResourceVersionError';
  readonly reason = 'Timeout';
  readonly code = 504;
  readonly retryable = true;
  constructor(readonly resourceVersion: string, options?: ErrorOptions) {
    super(`too large resource version: ${resourceVersion} is newer than the current revision`, options);
  }
}

/**
 * etcd could not serve the call within the request timeout: no quorum, no leader, no reachable member,
 * a dropped watch stream. 503 ServiceUnavailable, retryable. Not guaranteed: for a write, that it did not
 * happen — a write that timed out may still commit, so a retried create can then see AlreadyExists.
 */
export class StorageUnavailableError extends StorageError {
  override readonly name = 'StorageUnavailableError';
  readonly reason = 'ServiceUnavailable';
  readonly code = 503;
  readonly retryable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A continue token that this library did not issue, or for another list. 400 BadRequest. */
export class InvalidContinueTokenError extends StorageError {
  override readonly name = 'InvalidContinueTokenError';
  readonly reason = 'BadRequest';
  readonly code = 400;
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(`continue key is not valid: ${message}`, options);
  }
}

/** A key, key part or object the store cannot accept (bad name segment, resourceVersion set on create…). 400 BadRequest. */
export class InvalidObjectError extends StorageError {
  override readonly name = 'InvalidObjectError';
  readonly reason = 'BadRequest';
  readonly code = 400;
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The encoded object exceeds etcd's request limit (1.5 MiB by default). 413 RequestEntityTooLarge. */
export class ObjectTooLargeError extends StorageError {
  override readonly name = 'ObjectTooLargeError';
  readonly reason = 'RequestEntityTooLarge';
  readonly code = 413;
  readonly retryable = false;
  constructor(readonly key: string, options?: ErrorOptions) {
    super(`${key}: request is too large`, options);
  }
}

/**
 * A stored value does not start with a prefix this codec knows (e.g. an encrypted `k8s:enc:` value
 * without a configured decrypter), or does not parse. 500 InternalError.
 */
export class UnknownValueEncodingError extends StorageError {
  override readonly name = 'UnknownValueEncodingError';
  readonly reason = 'InternalError';
  readonly code = 500;
  readonly retryable = false;
  constructor(readonly key: string, detail: string, options?: ErrorOptions) {
    super(`${key}: cannot decode stored value: ${detail}`, options);
  }
}

/** etcd answered in a way this library does not expect. 500 InternalError. */
export class UnexpectedStorageError extends StorageError {
  override readonly name = 'UnexpectedStorageError';
  readonly reason = 'InternalError';
  readonly code = 500;
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
