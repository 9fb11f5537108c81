import { createServer } from 'node:net';
import { createLogger } from '@ekslab/runtime';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAuditEvent, type AuditEvent } from './audit.js';
import { NatsAuditSink } from './audit-nats.js';
import { peerAddress } from './grpc/audit.js';

const event = (verb: string): AuditEvent => buildAuditEvent({
  requestURI: '/api/v1/namespaces/default/pods/p', user: { username: 'alice', groups: ['system:authenticated'] },
  attributes: { verb, isResourceRequest: true, resource: 'pods', namespace: 'default', name: 'p', apiGroup: '', apiVersion: 'v1', subresource: '' },
  sourceIP: '10.0.0.1', userAgent: 'kubectl/v1.33.0', code: 200, receivedAt: Date.UTC(2026, 0, 1), completedAt: Date.UTC(2026, 0, 1, 0, 0, 1),
});

describe('buildAuditEvent', () => {
  it('audit — one shape for REST and gRPC: objectRef from the attributes, microsecond timestamps', () => {
    const e = buildAuditEvent({
      requestURI: '/apis/apps/v1/namespaces/ns/deployments/web/scale', user: { username: 'bob', groups: ['g'] },
      impersonatedUser: { username: 'jane', uid: 'u1', groups: ['system:authenticated'], extra: { scopes: ['a'] } },
      attributes: { verb: 'patch', isResourceRequest: true, resource: 'deployments', namespace: 'ns', name: 'web', apiGroup: 'apps', apiVersion: 'v1', subresource: 'scale' },
      sourceIP: '10.0.0.2', code: 422, receivedAt: Date.UTC(2026, 0, 1), completedAt: Date.UTC(2026, 0, 1, 0, 0, 0, 5),
    });
    expect(e).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete', verb: 'patch',
      user: { username: 'bob', groups: ['g'] }, impersonatedUser: { username: 'jane', uid: 'u1', groups: ['system:authenticated'], extra: { scopes: ['a'] } },
      sourceIPs: ['10.0.0.2'], objectRef: { resource: 'deployments', namespace: 'ns', name: 'web', apiGroup: 'apps', apiVersion: 'v1', subresource: 'scale' },
      responseStatus: { metadata: {}, code: 422 }, requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z', stageTimestamp: '2026-01-01T00:00:00.005000Z',
    });
    expect(e).not.toHaveProperty('userAgent');
  });

  it('audit — grpc peers become bare source IPs', () => {
    expect(peerAddress('127.0.0.1:50123')).toBe('127.0.0.1');
    expect(peerAddress('[::1]:50123')).toBe('::1');
    expect(peerAddress('/tmp/sock')).toBe('/tmp/sock');
  });
});

describe('NatsAuditSink', () => {
  let sink: NatsAuditSink | undefined;
  afterEach(async () => {
    await sink?.close();
  });

  it('audit sink — starts without NATS, keeps a bounded buffer and counts what it drops', async () => {
    // A port that refuses connections (bound, then released): NATS is down.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const registry = new Registry();
    // start() is synchronous: nothing waits for NATS.
    sink = NatsAuditSink.start({ servers: [`nats://127.0.0.1:${port}`], log: createLogger('test', 'fatal'), bufferSize: 3, retryIntervalMs: 50, registry });
    for (const verb of ['get', 'list', 'create', 'update', 'delete']) sink.record(event(verb));
    expect(sink.connected).toBe(false);
    expect(sink.droppedEvents).toBe(2);
    const metrics = await registry.metrics();
    expect(metrics).toContain('apiserver_audit_event_total 5');
    expect(metrics).toContain('apiserver_audit_error_total{plugin="nats"} 2');
  });
});
