// The error the REST layer throws: one class carrying a complete metav1.Status.
import { failure } from './builders.js';
import { groupResourceString } from './types.js';
import type { GroupResource, Status, StatusReason } from './types.js';

/**
 * Reasons worth retrying: the server was busy or slow (429, 503, 504, ServerTimeout), or an optimistic
 * concurrency Conflict, which succeeds after re-reading the object. AlreadyExists (also 409) is not.
 */
const retryableReasons = new Set<StatusReason>(['TooManyRequests', 'ServiceUnavailable', 'Timeout', 'ServerTimeout', 'Conflict']);

/** A request failed with a Kubernetes Status; `status` is what goes on the wire as-is. */
export class StatusError extends Error {
  override readonly name: string = 'StatusError';
  readonly retryable: boolean;
  constructor(
    readonly status: Status,
    options?: ErrorOptions,
  ) {
    super(status.message ?? '', options);
    this.retryable = retryableReasons.has(status.reason ?? '') || [429, 503, 504].includes(status.code ?? 0);
  }
  get code(): number {
    return this.status.code ?? 500;
  }
  get reason(): StatusReason {
    return this.status.reason ?? '';
  }
}

const reasonCodes: Readonly<Record<StatusReason, number>> = {
  '': 500,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  ServerTimeout: 500,
  StorageReadError: 500,
  Timeout: 504,
  TooManyRequests: 429,
  BadRequest: 400,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  Expired: 410,
  ServiceUnavailable: 503,
};

/**
 * Turns an error that already knows its reason (e.g. a storage error with `statusReason`) into a Status.
 * The code defaults to the reason's usual HTTP code; an unknown reason gives 500 with no reason,
 * which is what the apiserver's `ErrorToAPIStatus` does for errors that are not Statuses.
 */
export function statusFrom(err: { readonly reason?: string; readonly code?: number; readonly message: string }): Status {
  const reason = Object.hasOwn(reasonCodes, err.reason ?? '') ? ((err.reason ?? '') as StatusReason) : '';
  return failure(err.code ?? reasonCodes[reason], reason, err.message);
}

/**
 * `NewGenericServerResponse` as the apiserver uses it for a failed JSON patch or an SMP error
 * (code 422, no verb, no resource): `the server rejected our request due to an error in our request`,
 * with an empty `details: {}`. The underlying error text is NOT in the message (Go drops it).
 */
export function newGenericServerResponse(code: number, verb = '', r?: GroupResource, name = ''): Status {
  const generic: Readonly<Record<number, [StatusReason, string]>> = {
    400: ['BadRequest', 'the server rejected our request for an unknown reason'],
    401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
    404: ['NotFound', 'the server could not find the requested resource'],
    405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
    409: [verb === 'POST' ? 'AlreadyExists' : 'Conflict', 'the server reported a conflict'],
    422: ['Invalid', 'the server rejected our request due to an error in our request'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  const [reason, generic0] = generic[code] ?? ['', `the server responded with the status code ${code} but did not return more information`];
  let message = generic0;
  const hasResource = r !== undefined && (r.group !== '' || r.resource !== '');
  if (hasResource) message = `${message} (${verb.toLowerCase()} ${groupResourceString(r)}${name ? ` ${name}` : ''})`;
  const details: Record<string, string> = {};
  if (r?.group) details['group'] = r.group;
  if (r?.resource) details['kind'] = r.resource;
  if (name) details['name'] = name;
  return failure(code, reason, message, details);
}

/** The request attributes the authorizer saw, for `forbiddenMessage`. */
export interface ForbiddenAttributes {
  readonly user: string;
  readonly verb: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly apiGroup?: string;
  readonly namespace?: string;
  /** Set for non-resource requests (`/metrics`); `resource` is then ignored. */
  readonly path?: string;
}

/**
 * The apiserver's RBAC wording: `User "u" cannot get resource "pods" in API group "" in the namespace "default"`,
 * `... at the cluster scope`, or `User "u" cannot get path "/metrics"`. Pass it to `newForbidden` as the reason.
 */
export function forbiddenMessage(a: ForbiddenAttributes): string {
  const q = JSON.stringify;
  if (a.path !== undefined) return `User ${q(a.user)} cannot ${a.verb} path ${q(a.path)}`;
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
  const head = `User ${q(a.user)} cannot ${a.verb} resource ${q(resource)} in API group ${q(a.apiGroup ?? '')}`;
  return a.namespace ? `${head} in the namespace ${q(a.namespace)}` : `${head} at the cluster scope`;
}
