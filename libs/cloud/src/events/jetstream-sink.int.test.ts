import { connect, type NatsConnection } from 'nats';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudEventStream, replayCloudEvents, type ReplayedEvent } from '@ekslab/cloud-events';
import { useNatsCluster, waitFor } from '@ekslab/testing';
import { JetStreamEventSink } from './jetstream-sink.js';

const log = pino({ level: 'silent' });

async function collect(nc: NatsConnection, options: Parameters<typeof replayCloudEvents>[1] = {}): Promise<ReplayedEvent[]> {
  const out: ReplayedEvent[] = [];
  for await (const e of replayCloudEvents(nc, { signal: AbortSignal.timeout(20_000), ...options })) out.push(e);
  return out;
}

describe('JetStreamEventSink (3 NATS servers)', () => {
  const nats = useNatsCluster({ cluster: 3 });
  const sinks: JetStreamEventSink[] = [];
  let reader: NatsConnection | undefined;
  afterAll(async () => {
    await Promise.all(sinks.map((s) => s.close()));
    await reader?.close();
  });

  it('events sink — creates an R3 file stream, publishes, and a replay from the start yields typed events in order', async () => {
    const registry = new Registry();
    const sink = await JetStreamEventSink.connect({ servers: nats().urls, source: 'cloud-a', log, registry, maxAgeMs: 3_600_000 });
    sinks.push(sink);
    const jsm = await sink.connection.jetstreamManager();
    const info = await jsm.streams.info(cloudEventStream);
    expect(info.config.num_replicas).toBe(3);
    expect(info.config.storage).toBe('file');
    expect(info.config.subjects).toEqual(['ekslab.cloud.>']);
    expect(info.config.max_age).toBe(3_600_000 * 1e6);

    for (let i = 0; i < 5; i++) {
      await sink.publish({ kind: 'instance-state', instanceId: `i-${i}`, availabilityZone: 'us-east-1a', instanceType: 'm5.large', previousState: 'pending', state: 'running' });
    }
    await sink.publish({ kind: 'fault', fault: 'throttle', active: true, detail: { api: 'RunInstances', ratePerSecond: 1 } });

    reader = await connect({ servers: nats().urls });
    const events = await collect(reader);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.slice(0, 5).map((e) => (e.event.kind === 'instance-state' ? e.event.instanceId : ''))).toEqual(['i-0', 'i-1', 'i-2', 'i-3', 'i-4']);
    expect(events[0]!.subject).toBe('ekslab.cloud.instance-state.i-0');
    expect(events[0]!.event.source).toBe('cloud-a');
    expect(Date.parse(events[0]!.event.time)).toBeGreaterThan(Date.now() - 60_000);
    const last = events[5]!.event;
    expect(last.kind === 'fault' && last.detail).toEqual({ api: 'RunInstances', ratePerSecond: 1 });

    // Resume after a sequence, and filter by kind.
    expect((await collect(reader, { fromSequence: 5 })).map((e) => e.sequence)).toEqual([5, 6]);
    expect((await collect(reader, { kinds: ['fault'] })).map((e) => e.event.kind)).toEqual(['fault']);
    expect(await registry.getSingleMetricAsString('ekslab_cloud_events_published_total')).toContain('kind="instance-state"} 5');

    // A second replica connecting finds the stream and leaves it as it is.
    const second = await JetStreamEventSink.connect({ servers: nats().urls, source: 'cloud-b', log, maxAgeMs: 3_600_000 });
    sinks.push(second);
    expect((await jsm.streams.info(cloudEventStream)).state.messages).toBe(6);
    // A replica started with another max age brings the stream in line, keeping its events.
    const third = await JetStreamEventSink.connect({ servers: nats().urls, source: 'cloud-c', log, maxAgeMs: 7_200_000 });
    sinks.push(third);
    const updated = await jsm.streams.info(cloudEventStream);
    expect([updated.config.max_age, updated.config.num_replicas, updated.state.messages]).toEqual([7_200_000 * 1e6, 3, 6]);
  }, 60_000);

  it('events sink — a publish repeated with the same Nats-Msg-Id is stored once', async () => {
    const sink = sinks[0]!;
    const jsm = await sink.connection.jetstreamManager();
    const before = (await jsm.streams.info(cloudEventStream)).state.messages;
    const event = { kind: 'eni', networkInterfaceId: 'eni-1', subnetId: 'subnet-1', availabilityZone: 'us-east-1a', action: 'ips-assigned', addresses: ['10.0.1.5'] } as const;
    const first = await sink.publishWithId(event, 'assign-eni-1-token', AbortSignal.timeout(10_000));
    const again = await sink.publishWithId(event, 'assign-eni-1-token', AbortSignal.timeout(10_000));
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    expect((await jsm.streams.info(cloudEventStream)).state.messages).toBe(before + 1);
  }, 30_000);

  it('replay — follow: yields events published after it started, ends quietly when the signal aborts', async () => {
    const sink = sinks[0]!;
    const jsm = await sink.connection.jetstreamManager();
    const last = (await jsm.streams.info(cloudEventStream)).state.last_seq;
    const controller = new AbortController();
    const seen: ReplayedEvent[] = [];
    const following = (async () => {
      for await (const e of replayCloudEvents(reader!, { fromSequence: last + 1, follow: true, signal: controller.signal })) {
        seen.push(e);
        if (seen.length === 2) controller.abort();
      }
    })();
    await sink.publish({ kind: 'spot-interruption', instanceId: 'i-spot', availabilityZone: 'us-east-1b', action: 'terminate', actionTime: '2026-11-22T06:00:00.000Z' });
    await sink.publish({ kind: 'load-balancer-state', loadBalancerArn: 'arn:lb', loadBalancerName: 'k8s-default-web-0123456789', dnsName: 'k8s-default-web-0123456789.elb.us-east-1.amazonaws.com', type: 'network', state: 'active' });
    await following;
    expect(seen.map((e) => [e.sequence, e.event.kind])).toEqual([[last + 1, 'spot-interruption'], [last + 2, 'load-balancer-state']]);
  }, 30_000);

  it('events sink — a NATS server restart loses no acknowledged event, and publish rides out a lost quorum', async () => {
    const sink = sinks[0]!;
    const jsm = await sink.connection.jetstreamManager();
    const before = (await jsm.streams.info(cloudEventStream)).state.messages;
    for (let i = 0; i < 20; i++) await sink.publish({ kind: 'targets', targetGroupArn: `tg-${i}`, action: 'registered', targets: [{ id: `i-${i}` }] });
    await nats().kill(0);
    // Stream has 2 of 3 replicas: still writable.
    await sink.publish({ kind: 'targets', targetGroupArn: 'tg-during', action: 'registered', targets: [{ id: 'i-x' }] });
    // Lose the quorum for a moment: the publish waits (bounded retry) and succeeds once a server is back.
    await nats().stop(1);
    const pending = sink.publish({ kind: 'targets', targetGroupArn: 'tg-quorum', action: 'registered', targets: [{ id: 'i-y' }] });
    await nats().start(1);
    await nats().start(0);
    await pending;
    await nats().waitReady();
    await reader?.close();
    reader = await connect({ servers: nats().urls, maxReconnectAttempts: -1 });
    const events = await waitFor(async () => {
      const e = await collect(reader!, { kinds: ['targets'] });
      if (e.length < 22) throw new Error(`only ${e.length} targets events so far`);
      return e;
    }, { description: 'all targets events after the restart', timeoutMs: 30_000 });
    const arns = events.map((e) => (e.event.kind === 'targets' ? e.event.targetGroupArn : ''));
    expect(arns).toEqual([...Array.from({ length: 20 }, (_, i) => `tg-${i}`), 'tg-during', 'tg-quorum']);
    expect((await (await reader.jetstreamManager()).streams.info(cloudEventStream)).state.messages).toBe(before + 22);
  }, 120_000);
});
