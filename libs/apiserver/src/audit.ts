import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseRequestInfo, type RequestAttributes, type UserInfo } from '@ekslab/apiserver-auth';

/** authentication.k8s.io/v1 UserInfo as audit events carry it (uid and extra only when set). */
export interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** An audit.k8s.io/v1 Event at the Metadata level (who did what to which object, and the outcome). */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: AuditUser;
  /** The user the request acted as (Impersonate-User and friends); absent without impersonation. */
  impersonatedUser?: AuditUser;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus: { metadata: Record<string, never>; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

/** Where audit events go. `record` never throws and never waits on the network. */
export interface AuditSink {
  record(event: AuditEvent): void;
}

/** What one finished request (REST or gRPC) contributes to its audit event. */
export interface AuditedRequest {
  /** The REST path and query, or for gRPC the REST URL the call stands for. */
  readonly requestURI: string;
  /** The authorization attributes (verb, objectRef); parsed from `requestURI` and `method` when absent. */
  readonly attributes: Pick<RequestAttributes, 'verb' | 'isResourceRequest' | 'resource' | 'namespace' | 'name' | 'apiGroup' | 'apiVersion' | 'subresource'>;
  readonly user: UserInfo;
  readonly impersonatedUser?: UserInfo | undefined;
  readonly sourceIP: string;
  readonly userAgent?: string | undefined;
  /** HTTP status code of the response (for gRPC: the code of the Status the call ended with). */
  readonly code: number;
  readonly receivedAt: number;
  readonly completedAt: number;
}

const microTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}000Z`;

const auditUser = (u: UserInfo): AuditUser => ({
  username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: [...u.groups],
  ...(u.extra && Object.keys(u.extra).length > 0 ? { extra: Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]])) } : {}),
});

/** The Metadata-level event of one finished request, whichever API served it. */
export function buildAuditEvent(r: AuditedRequest): AuditEvent {
  const a = r.attributes;
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: randomUUID(), stage: 'ResponseComplete',
    requestURI: r.requestURI, verb: a.verb, user: auditUser(r.user), ...(r.impersonatedUser ? { impersonatedUser: auditUser(r.impersonatedUser) } : {}),
    sourceIPs: [r.sourceIP], ...(r.userAgent ? { userAgent: r.userAgent } : {}),
    ...(a.isResourceRequest ? {
      objectRef: {
        resource: a.resource, ...(a.namespace ? { namespace: a.namespace } : {}), ...(a.name ? { name: a.name } : {}),
        ...(a.apiGroup ? { apiGroup: a.apiGroup } : {}), apiVersion: a.apiVersion, ...(a.subresource ? { subresource: a.subresource } : {}),
      },
    } : {}),
    responseStatus: { metadata: {}, code: r.code }, requestReceivedTimestamp: microTime(r.receivedAt), stageTimestamp: microTime(r.completedAt),
  };
}

/** The event of one finished REST request; `user` is who authenticated, `impersonated` who it acted as. */
export function auditEvent(req: IncomingMessage, user: UserInfo, code: number, receivedAt: number, now: number, impersonated?: UserInfo): AuditEvent {
  return buildAuditEvent({
    requestURI: req.url ?? '/', attributes: parseRequestInfo(req.method ?? 'GET', req.url ?? '/'), user, impersonatedUser: impersonated,
    sourceIP: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'], code, receivedAt, completedAt: now,
  });
}
