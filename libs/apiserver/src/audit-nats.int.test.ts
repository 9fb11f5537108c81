import { createLogger } from '@ekslab/runtime';
import { useNatsCluster, waitFor } from '@ekslab/testing';
import { connect, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditEvent, type AuditEvent } from './audit.js';
import { NatsAuditSink } from './audit-nats.js';

const event = (verb: string, name: string): AuditEvent => buildAuditEvent({
  requestURI: `/api/v1/namespaces/default/pods/${name}`, user: { username: 'alice', groups: ['system:authenticated'] },
  attributes: { verb, isResourceRequest: true, resource: 'pods', namespace: 'default', name, apiGroup: '', apiVersion: 'v1', subresource: '' },
  sourceIP: '10.0.0.1', code: 200, receivedAt: Date.now(), completedAt: Date.now(),
});

describe('NatsAuditSink batches', () => {
  const nats = useNatsCluster({ cluster: 3 });
  let sub: NatsConnection;
  const received: Array<{ name: string; at: number }> = [];
  let sink: NatsAuditSink | undefined;
  beforeAll(async () => {
    sub = await connect({ servers: nats().urls });
    const s = sub.subscribe('ekslab.audit.>');
    void (async () => {
      for await (const m of s) received.push({ name: (JSON.parse(m.string()) as { objectRef: { name: string } }).objectRef.name, at: Date.now() });
    })();
    await sub.flush();
  });
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });
  afterAll(async () => {
    await sub.close();
  });
  const start = async (batchMaxWaitMs: number, batchMaxSize: number): Promise<NatsAuditSink> => {
    const s = NatsAuditSink.start({ servers: nats().urls, log: createLogger('test', 'fatal'), batchMaxWaitMs, batchMaxSize });
    await waitFor(() => s.connected, { description: 'the sink connected to NATS', timeoutMs: 10_000 });
    return s;
  };
  const names = (prefix: string): string[] => received.filter((r) => r.name.startsWith(prefix)).map((r) => r.name);

  it('audit batching — events wait for the batch wait, then all arrive in order', async () => {
    sink = await start(400, 100);
    const recordedAt = Date.now();
    for (const n of ['wait-a', 'wait-b', 'wait-c']) sink.record(event('get', n));
    await waitFor(() => names('wait-').length === 3, { description: 'the batch on NATS', timeoutMs: 10_000 });
    expect(names('wait-')).toEqual(['wait-a', 'wait-b', 'wait-c']);
    // The timer cannot fire early: nothing was published before the batch wait passed.
    expect(Math.min(...received.filter((r) => r.name.startsWith('wait-')).map((r) => r.at)) - recordedAt).toBeGreaterThanOrEqual(390);
  });

  it('audit batching — a full batch goes out without waiting, and close() publishes what waits', async () => {
    sink = await start(600_000, 2);
    sink.record(event('create', 'full-a'));
    sink.record(event('create', 'full-b'));
    sink.record(event('create', 'full-c'));
    await waitFor(() => names('full-').length === 2, { description: 'the full batch on NATS', timeoutMs: 10_000 });
    expect(names('full-')).toEqual(['full-a', 'full-b']);
    await sink.close();
    sink = undefined;
    await waitFor(() => names('full-').length === 3, { description: 'the rest published on close', timeoutMs: 10_000 });
    expect(names('full-')).toEqual(['full-a', 'full-b', 'full-c']);
  });
});
