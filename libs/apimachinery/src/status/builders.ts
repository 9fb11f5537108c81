// Status builders with the messages and codes of k8s.io/apimachinery/pkg/api/errors/errors.go.
import { aggregateMessage, fieldErrorBody, goQuote } from '../validation/field-errors.js';
import type { FieldErrorList } from '../validation/field-errors.js';
import { groupKindString, groupResourceString } from './types.js';
import type { GroupKind, GroupResource, Status, StatusCause, StatusDetails, StatusReason } from './types.js';

/** The text of `storage.NewResourceVersionConflictsError` / `OptimisticLockErrorMsg`, used inside `newConflict`. */
export const optimisticLockErrorMsg = 'the object has been modified; please apply your changes to the latest version and try again';

/** Drops the empty fields Go's `omitempty` leaves out; an all-empty details stays as `{}` (Go's non-nil pointer). */
function details(d: { name?: string; group?: string; kind?: string; uid?: string; causes?: readonly StatusCause[]; retryAfterSeconds?: number }): StatusDetails {
  const out: { -readonly [K in keyof StatusDetails]: StatusDetails[K] } = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** A Failure status; `message`/`reason` are omitted when empty, as in Go. */
export function failure(code: number, reason: StatusReason, message: string, d?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    ...(message ? { message } : {}),
    ...(reason ? { reason } : {}),
    ...(d ? { details: d } : {}),
    code,
  };
}

/** The Success status returned by some deletes. */
export const success = (d?: StatusDetails): Status => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(d ? { details: d } : {}) });

const gr = (r: GroupResource, name?: string): StatusDetails => details({ group: r.group, kind: r.resource, ...(name ? { name } : {}) });

/** 404 `pods "x" not found`, `deployments.apps "x" not found`. */
export const newNotFound = (r: GroupResource, name: string): Status =>
  failure(404, 'NotFound', `${groupResourceString(r)} ${goQuote(name)} not found`, gr(r, name));

/** 409 AlreadyExists `pods "x" already exists`. */
export const newAlreadyExists = (r: GroupResource, name: string): Status =>
  failure(409, 'AlreadyExists', `${groupResourceString(r)} ${goQuote(name)} already exists`, gr(r, name));

/** 409 AlreadyExists after `generateName` collided; asks the client to retry. */
export const newGenerateNameConflict = (r: GroupResource, name: string, retryAfterSeconds: number): Status =>
  failure(
    409,
    'AlreadyExists',
    `${groupResourceString(r)} ${goQuote(name)} already exists, the server was not able to generate a unique name for the object`,
    details({ group: r.group, kind: r.resource, name, retryAfterSeconds }),
  );

/** 409 Conflict `Operation cannot be fulfilled on pods "x": <reason>`; pass `optimisticLockErrorMsg` for a stale resourceVersion. */
export const newConflict = (r: GroupResource, name: string, reason: string): Status =>
  failure(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(r)} ${goQuote(name)}: ${reason}`, gr(r, name));

/** 401; an empty reason becomes `not authorized`. The apiserver's authn filter sends `Unauthorized`. */
export const newUnauthorized = (reason = ''): Status => failure(401, 'Unauthorized', reason || 'not authorized');

/** 403 `pods "x" is forbidden: <reason>` (no name: `pods is forbidden: ...`; no resource: `forbidden: ...`). */
export function newForbidden(r: GroupResource, name: string, reason: string): Status {
  const empty = !r.group && !r.resource;
  const message = empty
    ? `forbidden: ${reason}`
    : name
      ? `${groupResourceString(r)} ${goQuote(name)} is forbidden: ${reason}`
      : `${groupResourceString(r)} is forbidden: ${reason}`;
  return failure(403, 'Forbidden', message, gr(r, name));
}

/** 410 Gone with the message as given. */
export const newGone = (message: string): Status => failure(410, 'Gone', message);
/** 410 Expired (what a watch/list from a compacted resourceVersion gets). */
export const newResourceExpired = (message: string): Status => failure(410, 'Expired', message);
/** 410 Expired `too old resource version: 5 (10)`, the etcd3 store's text. */
export const newTooOldResourceVersion = (requested: number | bigint, current: number | bigint): Status =>
  newResourceExpired(`too old resource version: ${requested} (${current})`);

/**
 * 422 Invalid `Pod "x" is invalid: <aggregate>`: one error printed bare, several as `[a, b]`, duplicates dropped.
 * Each error becomes a cause `{reason: <type>, message: <body without field>, field}`. `details.kind` is the Kind.
 */
export function newInvalid(k: GroupKind, name: string, errs: FieldErrorList): Status {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, ...(fieldErrorBody(e) ? { message: fieldErrorBody(e) } : {}), ...(e.field ? { field: e.field } : {}) }));
  const agg = aggregateMessage(errs);
  const head = `${groupKindString(k)} ${goQuote(name)} is invalid`;
  return failure(422, 'Invalid', agg === undefined ? head : `${head}: ${agg}`, details({ group: k.group, kind: k.kind, name, causes }));
}

/** 400 BadRequest with the message as given. */
export const newBadRequest = (message: string): Status => failure(400, 'BadRequest', message);

/** 429 `message` with `details.retryAfterSeconds` (the Retry-After header is the caller's job). */
export const newTooManyRequests = (message: string, retryAfterSeconds: number): Status =>
  failure(429, 'TooManyRequests', message, details({ retryAfterSeconds }));

/** 503 ServiceUnavailable with the message as given. */
export const newServiceUnavailable = (message: string): Status => failure(503, 'ServiceUnavailable', message);

/** 405 `<action> is not supported on resources of kind "pods"`. */
export const newMethodNotSupported = (r: GroupResource, action: string): Status =>
  failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${goQuote(groupResourceString(r))}`, gr(r));

/** 500 ServerTimeout `The <op> operation against <resource> could not be completed at this time, please try again.` */
export const newServerTimeout = (r: GroupResource, operation: string, retryAfterSeconds: number): Status =>
  failure(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${groupResourceString(r)} could not be completed at this time, please try again.`,
    details({ group: r.group, kind: r.resource, name: operation, retryAfterSeconds }),
  );

/** 500 `Internal error occurred: <err>` with the error text as the only cause. */
export const newInternalError = (err: Error | string): Status => {
  const text = typeof err === 'string' ? err : err.message;
  return failure(500, 'InternalError', `Internal error occurred: ${text}`, details({ causes: [{ message: text }] }));
};

/** 504 `Timeout: <message>`. */
export const newTimeout = (message: string, retryAfterSeconds: number): Status =>
  failure(504, 'Timeout', `Timeout: ${message}`, details({ retryAfterSeconds }));

/** 413 `Request entity too large: <message>`. */
export const newRequestEntityTooLarge = (message: string): Status => failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);

/**
 * 415 from content negotiation (`negotiation.NewUnsupportedMediaTypeError`):
 * `the body of the request was in an unknown format - accepted media types include: a, b`.
 */
export const newUnsupportedMediaType = (accepted: readonly string[]): Status =>
  failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
