import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, credentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCloudEvents, type FaultChanged } from '@ekslab/cloud-events';
import { cloudErrorFromServiceError, FaultServiceClient, ProbeServiceClient, type ProbeResponse } from '@ekslab/proto';
import { startEtcdCluster, startNats, waitFor, type EtcdCluster, type NatsCluster } from '@ekslab/testing';
import { repoRoot, ServiceProcess } from './process.js';

// The built cloud bundle on a real etcd and a real NATS JetStream, driven over gRPC and by the CLI.
let etcd: EtcdCluster;
let nats: NatsCluster;
let cloud: ServiceProcess;
let reader: NatsConnection;
let address: string;
let opsUrl: string;

beforeAll(async () => {
  [etcd, nats] = await Promise.all([startEtcdCluster({ members: 1 }), startNats({ cluster: 3 })]);
  cloud = new ServiceProcess('cloud', [
    '--etcd-servers', etcd.endpoints.join(','), '--nats-servers', nats.urls.join(','),
    '--bind-address', '127.0.0.1', '--grpc-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0', '--replica-id', 'cloud-e2e',
  ]);
  const ops = await cloud.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)', 20_000);
  opsUrl = `http://127.0.0.1:${String(ops['port'])}`;
  const serving = await cloud.waitForLog((r) => r['msg'] === 'serving the cloud APIs over gRPC', 30_000);
  address = `127.0.0.1:${String(serving['port'])}`;
  reader = await connect({ servers: nats.urls });
}, 180_000);

afterAll(async () => {
  cloud?.dispose();
  await reader?.close();
  await Promise.all([etcd?.cleanup(), nats?.cleanup()]);
});

function unary<C extends Client, Req, Res>(client: C, method: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((res, rej) => void method.call(client, req, (err, out) => (err ? rej(err) : res(out))));
}

describe('cloud service (built bundle, real etcd + NATS)', () => {
  it('cloud — /readyz checks etcd, NATS and the fault state; gRPC health says SERVING', async () => {
    const ready = await waitFor(async () => {
      const r = await fetch(`${opsUrl}/readyz?verbose`);
      if (!r.ok) throw new Error(await r.text());
      return r.text();
    }, { description: 'cloud /readyz', timeoutMs: 20_000 });
    expect(ready).toContain('[+]etcd ok');
    expect(ready).toContain('[+]nats ok');
    expect(ready).toContain('[+]fault-state ok');
    const health = new Client(address, credentials.createInsecure());
    try {
      const status = await new Promise<number>((res, rej) => {
        health.makeUnaryRequest('/grpc.health.v1.Health/Check', (s: string) => Buffer.concat([Buffer.from([0x0a, s.length]), Buffer.from(s)]), (b: Buffer) => b[1]!, 'ekslab.cloud.v1.FaultService', (err, v) => (err ? rej(err) : res(v!)));
      });
      expect(status).toBe(1); // SERVING
    } finally {
      health.close();
    }
  });

  it('cloud — SetThrottle over gRPC: calls beyond the limit fail RequestLimitExceeded, a fault event is on the stream, the CLI shows it', async () => {
    const faults = new FaultServiceClient(address, credentials.createInsecure());
    const probes = new ProbeServiceClient(address, credentials.createInsecure());
    try {
      await unary(faults, faults.setThrottle, { api: 'Probe', ratePerSecond: 0, burst: 2, clear: false });
      const first = await unary<ProbeServiceClient, { key: string }, ProbeResponse>(probes, probes.probe, { key: 'e2e' });
      const second = await unary<ProbeServiceClient, { key: string }, ProbeResponse>(probes, probes.probe, { key: 'e2e' });
      expect([first.count, second.count, second.replicaId]).toEqual([1, 2, 'cloud-e2e']);
      const err = await unary(probes, probes.probe, { key: 'e2e' }).then(() => undefined, (e: unknown) => e as ServiceError);
      expect(err?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      expect(cloudErrorFromServiceError(err)).toEqual({ code: 'RequestLimitExceeded', message: 'Request limit exceeded.', retryable: true });

      const events: FaultChanged[] = [];
      for await (const e of replayCloudEvents(reader, { kinds: ['fault'], signal: AbortSignal.timeout(10_000) })) if (e.event.kind === 'fault') events.push(e.event);
      expect(events).toEqual([expect.objectContaining({ kind: 'fault', fault: 'throttle', active: true, source: 'cloud-e2e', detail: { api: 'Probe', ratePerSecond: 0, burst: 2 } })]);

      const { stdout } = await promisify(execFile)(process.execPath, [resolve(repoRoot, 'apps/cli/bin/ekslab.mjs'), 'cloud', 'faults', '-o', 'json', '--server', address], { cwd: repoRoot, timeout: 60_000 });
      expect(JSON.parse(stdout)).toEqual({ throttles: [{ api: 'Probe', ratePerSecond: 0, burst: 2 }], latencies: [], impairedAzs: [] });

      await unary(faults, faults.clearAll, {});
      const third = await unary<ProbeServiceClient, { key: string }, ProbeResponse>(probes, probes.probe, { key: 'e2e' });
      expect(third.count).toBe(3);
    } finally {
      faults.close();
      probes.close();
    }
  }, 90_000);

  it('cloud — a second replica applies the faults set through the first (state in etcd)', async () => {
    const second = new ServiceProcess('cloud', [
      '--etcd-servers', etcd.endpoints.join(','), '--nats-servers', nats.urls.join(','),
      '--bind-address', '127.0.0.1', '--grpc-port', '0', '--ops-address', '127.0.0.1', '--ops-port', '0', '--replica-id', 'cloud-e2e-2',
    ]);
    const faults = new FaultServiceClient(address, credentials.createInsecure());
    let probes: ProbeServiceClient | undefined;
    try {
      const serving = await second.waitForLog((r) => r['msg'] === 'serving the cloud APIs over gRPC', 30_000);
      probes = new ProbeServiceClient(`127.0.0.1:${String(serving['port'])}`, credentials.createInsecure());
      await unary(faults, faults.setLatency, { api: 'Probe', fixedMs: 400, jitterMs: 0, clear: false });
      const started = Date.now();
      const res = await waitFor(async () => {
        const t0 = Date.now();
        const r = await unary<ProbeServiceClient, { key: string }, ProbeResponse>(probes!, probes!.probe, { key: 'e2e-2' });
        if (Date.now() - t0 < 400) throw new Error('no added latency yet');
        return r;
      }, { description: 'the second replica to delay Probe by 400 ms', timeoutMs: 15_000 });
      expect(res.replicaId).toBe('cloud-e2e-2');
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      await unary(faults, faults.clearAll, {});
    } finally {
      faults.close();
      probes?.close();
      second.signal('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
    }
  }, 60_000);

  it('cloud — SIGTERM: a clean exit', async () => {
    cloud.signal('SIGTERM');
    expect(await cloud.exited).toEqual({ code: 0, signal: null });
  });
});
