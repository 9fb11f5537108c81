// Audit events for gRPC calls: the same audit.k8s.io/v1 Metadata events as REST, with the REST URL the
// call stands for as requestURI, so one audit consumer sees both APIs alike.
import type { Metadata } from '@grpc/grpc-js';
import type { UserInfo } from '@ekslab/apiserver-auth';
import { buildAuditEvent } from '../audit.js';
import type { ApiServerOptions } from '../http/server.js';
import type { Verb } from '../resources.js';
import { attributesOf, restUrlOf, type CallTarget } from './attributes.js';

/** The parts of a grpc-js server call that an audit event reads. */
export interface AuditableCall {
  readonly metadata: Metadata;
  getPeer(): string;
}

interface Noted {
  readonly user: UserInfo;
  readonly verb: Verb;
  readonly target: CallTarget;
  /** Whom the call acts as through impersonate-* metadata. */
  readonly impersonated?: UserInfo;
}

// Filled by `resolve` once the caller is authenticated; calls that fail authentication are not audited (as REST).
const noted = new WeakMap<object, Noted>();

export function noteCall(call: object, user: UserInfo, verb: Verb, target: CallTarget, impersonated?: UserInfo): void {
  noted.set(call, { user, verb, target, ...(impersonated ? { impersonated } : {}) });
}

/** `127.0.0.1` of grpc-js's `127.0.0.1:5000` / `[::1]:5000` peer strings. */
export function peerAddress(peer: string): string {
  if (peer.startsWith('[')) return peer.slice(1, peer.indexOf(']'));
  const colon = peer.lastIndexOf(':');
  return colon > 0 && !peer.slice(0, colon).includes(':') ? peer.slice(0, colon) : peer;
}

/**
 * Records the event of a finished call with `code`, the HTTP code its outcome maps to (201 for a create,
 * the Status code of a failure). Nothing is recorded without an audit sink or an authenticated caller.
 */
export function auditCall(opts: Pick<ApiServerOptions, 'audit'>, call: AuditableCall, code: number, receivedAt: number): void {
  const n = noted.get(call);
  if (!opts.audit || !n) return;
  let requestURI: string;
  let attributes: Parameters<typeof buildAuditEvent>[0]['attributes'];
  try {
    requestURI = restUrlOf(n.verb, n.target);
    attributes = attributesOf(n.verb, n.target);
  } catch {
    // A call too malformed to have a REST URL (400): audit the verb alone.
    requestURI = '';
    attributes = { verb: n.verb, isResourceRequest: false, resource: '', namespace: '', name: '', apiGroup: '', apiVersion: '', subresource: '' };
  }
  const [agent] = call.metadata.get('user-agent');
  opts.audit.record(buildAuditEvent({
    requestURI, attributes, user: n.user, ...(n.impersonated ? { impersonatedUser: n.impersonated } : {}), sourceIP: peerAddress(call.getPeer()),
    userAgent: typeof agent === 'string' ? agent : undefined, code, receivedAt, completedAt: Date.now(),
  }));
}
