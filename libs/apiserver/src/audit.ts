import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseRequestInfo, type UserInfo } from '@ekslab/apiserver-auth';
import type { Logger } from '@ekslab/runtime';
import { connect, type NatsConnection } from 'nats';

/** An audit.k8s.io/v1 Event at the Metadata level (who did what to which object, and the outcome). */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username: string; groups: string[] };
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

const microTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}000Z`;

/** Builds the event for one finished request. */
export function auditEvent(req: IncomingMessage, user: UserInfo, code: number, receivedAt: number, now: number): AuditEvent {
  const attrs = parseRequestInfo(req.method ?? 'GET', req.url ?? '/');
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: randomUUID(), stage: 'ResponseComplete',
    requestURI: req.url ?? '/', verb: attrs.verb, user: { username: user.username, groups: [...user.groups] },
    sourceIPs: [req.socket.remoteAddress ?? ''], ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    ...(attrs.isResourceRequest ? {
      objectRef: {
        resource: attrs.resource, ...(attrs.namespace ? { namespace: attrs.namespace } : {}), ...(attrs.name ? { name: attrs.name } : {}),
        ...(attrs.apiGroup ? { apiGroup: attrs.apiGroup } : {}), apiVersion: attrs.apiVersion, ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
      },
    } : {}),
    responseStatus: { metadata: {}, code }, requestReceivedTimestamp: microTime(receivedAt), stageTimestamp: microTime(now),
  };
}

/**
 * Publishes audit events on NATS, subject `ekslab.audit.<verb>` (JSON), as EKS ships its audit log to
 * CloudWatch Logs. Publishing is fire-and-forget: while NATS is unreachable the client buffers and
 * reconnects; events beyond its buffer are lost (counted in the log), never blocking a request.
 * Not guaranteed: delivery to subscribers that were not connected (use a JetStream stream on
 * `ekslab.audit.>` to keep them).
 */
export class NatsAuditSink implements AuditSink {
  private dropped = 0;

  private constructor(private readonly nc: NatsConnection, private readonly log: Logger) {}

  static async connect(servers: readonly string[], log: Logger): Promise<NatsAuditSink> {
    const nc = await connect({ servers: [...servers], name: 'ekslab-apiserver-audit', maxReconnectAttempts: -1, waitOnFirstConnect: true });
    log.info({ servers }, 'publishing audit events to NATS (ekslab.audit.<verb>)');
    return new NatsAuditSink(nc, log);
  }

  record(event: AuditEvent): void {
    try {
      this.nc.publish(`ekslab.audit.${event.verb || 'unknown'}`, JSON.stringify(event));
    } catch (err) {
      this.dropped += 1;
      if (this.dropped % 1000 === 1) this.log.warn({ err, dropped: this.dropped }, 'audit events dropped');
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
  }
}
