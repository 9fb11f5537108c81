import { AckPolicy, connect } from 'nats';
import type { NatsConnection } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { useNatsCluster } from './vitest.js';
import { waitFor } from './wait.js';

describe('NATS cluster harness', () => {
  const nats = useNatsCluster({ cluster: 3 });
  let nc: NatsConnection | undefined;
  afterAll(async () => {
    await nc?.close();
  });

  it('nats harness — an R3 stream takes and delivers messages, and keeps taking them with one server killed', async () => {
    nc = await connect({ servers: nats().urls, maxReconnectAttempts: -1, reconnectTimeWait: 100, ignoreClusterUpdates: true });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'], num_replicas: 3 });
    expect(info.config.num_replicas).toBe(3);
    const js = nc.jetstream();
    for (let i = 0; i < 10; i++) await js.publish('harness.before', `m${i}`);

    await jsm.consumers.add('HARNESS', { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get('HARNESS', 'reader');
    const received: string[] = [];
    const batch = await consumer.fetch({ max_messages: 10, expires: 5_000 });
    for await (const m of batch) {
      received.push(m.string());
      m.ack();
    }
    expect(received).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));

    await nats().kill(1);
    const ack = await waitFor(() => js.publish('harness.after', 'after-kill', { timeout: 2_000, msgID: 'after-kill' }), {
      description: 'a JetStream publish with one server killed',
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    expect(ack.seq).toBe(11);
    const stream = await waitFor(() => jsm.streams.info('HARNESS'), { description: 'stream info', timeoutMs: 10_000 });
    expect(stream.state.messages).toBe(11);

    await nats().start(1);
    await nats().waitReady();
  }, 90_000);
});
