import { credentials, Server, ServerCredentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEventInput } from '@ekslab/cloud-events';
import { cloudErrorFromServiceError, FaultServiceClient, type Faults } from '@ekslab/proto';
import { systemClock, type Clock } from '@ekslab/runtime';
import { EtcdStore } from '@ekslab/storage';
import { useEtcdCluster, waitFor } from '@ekslab/testing';
import { CloudApiError, type EventSink } from '../ports.js';
import { EtcdFaultGate } from './etcd-fault-gate.js';
import { registerFaultService } from './grpc.js';

const log = pino({ level: 'silent' });

class RecordingSink implements EventSink {
  readonly events: CloudEventInput[] = [];
  publish(event: CloudEventInput): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

/** Real time, but sleeps are recorded and return at once. */
class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return systemClock.now();
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}

async function rejection(p: Promise<unknown>): Promise<CloudApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CloudApiError)) throw new Error(`expected a CloudApiError, got ${String(err)}`);
  return err;
}

describe('EtcdFaultGate (real etcd, two replicas)', () => {
  const etcd = useEtcdCluster({ members: 1 });
  const controller = new AbortController();
  const signal = controller.signal;
  let storeA: EtcdStore, storeB: EtcdStore;
  let a: EtcdFaultGate, b: EtcdFaultGate;
  const sink = new RecordingSink();
  const clockB = new RecordingClock();
  const running: Array<Promise<void>> = [];

  beforeAll(async () => {
    storeA = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    storeB = new EtcdStore({ endpoints: etcd().endpoints, prefix: '/ekslab-cloud' });
    a = new EtcdFaultGate({ store: storeA, events: sink, log });
    b = new EtcdFaultGate({ store: storeB, events: new RecordingSink(), log, clock: clockB, random: () => 0.5 });
    running.push(a.start(signal), b.start(signal));
    await waitFor(() => a.hasSynced() && b.hasSynced(), { description: 'both gates synced', timeoutMs: 10_000 });
  });
  afterAll(async () => {
    controller.abort();
    await Promise.all(running);
    storeA.close();
    storeB.close();
  });

  it('faults — a throttle set through one replica applies on the other: burst, then RequestLimitExceeded', async () => {
    await a.setThrottle('RunInstances', 0, 2, false, signal);
    await waitFor(() => b.current().throttles['RunInstances'] !== undefined, { description: 'replica b sees the throttle', timeoutMs: 10_000 });
    await b.enter('RunInstances', {}, signal);
    await b.enter('RunInstances', {}, signal);
    const err = await rejection(b.enter('RunInstances', {}, signal));
    expect([err.code, err.message, err.retryable]).toEqual(['RequestLimitExceeded', 'Request limit exceeded.', true]);
    // Other APIs are untouched; the fault controls themselves are never throttled.
    await b.enter('DescribeInstances', {}, signal);
    await b.enter('ListFaults', {}, signal);
    expect(sink.events.at(-1)).toEqual({ kind: 'fault', fault: 'throttle', active: true, detail: { api: 'RunInstances', ratePerSecond: 0, burst: 2 } });
    await a.setThrottle('RunInstances', 0, 0, true, signal);
    await waitFor(() => b.current().throttles['RunInstances'] === undefined, { description: 'replica b sees the throttle cleared', timeoutMs: 10_000 });
    await b.enter('RunInstances', {}, signal);
  });

  it('faults — a * throttle gives each API its own bucket at the rate', async () => {
    await a.setThrottle('*', 0, 1, false, signal);
    await a.enter('DescribeSubnets', {}, signal);
    await a.enter('DescribeInstances', {}, signal);
    expect((await rejection(a.enter('DescribeSubnets', {}, signal))).code).toBe('RequestLimitExceeded');
    await a.clearAll(signal);
    await a.enter('DescribeSubnets', {}, signal);
  });

  it('faults — latency: fixed plus jitter, per API or for all', async () => {
    await a.setLatency('*', 100, 50, false, signal);
    await a.setLatency('RunInstances', 500, 0, false, signal);
    await waitFor(() => Object.keys(b.current().latencies).length === 2, { description: 'replica b sees both latency rules', timeoutMs: 10_000 });
    clockB.sleeps.length = 0;
    await b.enter('DescribeInstances', {}, signal);
    await b.enter('RunInstances', {}, signal);
    expect(clockB.sleeps).toEqual([125, 500]);
    await a.clearAll(signal);
  });

  it('faults — an impaired AZ fails RunInstances there with InsufficientInstanceCapacity, not elsewhere', async () => {
    await a.setAzImpaired('us-east-1a', true, signal);
    await waitFor(() => b.current().impairedAzs['us-east-1a'] !== undefined, { description: 'replica b sees the impaired AZ', timeoutMs: 10_000 });
    const err = await rejection(b.enter('RunInstances', { availabilityZone: 'us-east-1a', instanceType: 'm5.large' }, signal));
    expect(err.code).toBe('InsufficientInstanceCapacity');
    expect(err.message).toMatch(/^We currently do not have sufficient m5\.large capacity in the Availability Zone you requested \(us-east-1a\)\. .* or choosing us-east-1b, us-east-1c\.$/);
    await b.enter('RunInstances', { availabilityZone: 'us-east-1b', instanceType: 'm5.large' }, signal);
    await b.enter('DescribeInstances', { availabilityZone: 'us-east-1a' }, signal);
    expect(sink.events.at(-1)).toEqual({ kind: 'fault', fault: 'az-impaired', active: true, detail: { availabilityZone: 'us-east-1a' } });
    await a.setAzImpaired('us-east-1a', false, signal);
    await waitFor(() => b.current().impairedAzs['us-east-1a'] === undefined, { description: 'replica b sees the AZ recovered', timeoutMs: 10_000 });
    await b.enter('RunInstances', { availabilityZone: 'us-east-1a', instanceType: 'm5.large' }, signal);
  });

  it('faults — FaultService over gRPC: set, list, bad input as InvalidParameterValue, clear', async () => {
    const server = new Server();
    registerFaultService(server, a, log);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const client = new FaultServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    const unary = <Req, Res>(fn: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> =>
      new Promise((resolve, reject) => void fn.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
    try {
      await unary(client.setThrottle, { api: 'AssignPrivateIpAddresses', ratePerSecond: 5, burst: 0, clear: false });
      await unary(client.setAzImpaired, { availabilityZone: 'us-east-1c', impaired: true });
      const { faults } = await unary<object, { faults?: Faults }>(client.listFaults, {});
      expect(faults?.throttles).toEqual([{ api: 'AssignPrivateIpAddresses', ratePerSecond: 5, burst: 5 }]);
      expect(faults?.impairedAzs.map((z) => z.availabilityZone)).toEqual(['us-east-1c']);
      const bad = await unary(client.setLatency, { api: '*', fixedMs: 700_000, jitterMs: 0, clear: false }).catch((e: unknown) => e as ServiceError);
      expect((bad as ServiceError).code).toBe(GrpcCode.INVALID_ARGUMENT);
      expect(cloudErrorFromServiceError(bad)).toEqual({ code: 'InvalidParameterValue', message: 'fixedMs must be between 0 and 600000, got 700000', retryable: false });
      const cleared = await unary<object, { faults?: Faults }>(client.clearAll, {});
      expect(cleared.faults).toEqual({ throttles: [], latencies: [], impairedAzs: [] });
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
