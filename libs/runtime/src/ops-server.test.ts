import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { HealthChecks } from './health.js';
import { OpsServer } from './ops-server.js';

const silent = createLogger('test', 'fatal', new Writable({ write: (_c, _e, cb) => cb() }));
let server: OpsServer | undefined;

async function startServer(): Promise<{ ops: OpsServer; get: (path: string) => Promise<{ status: number; body: string }> }> {
  const ops = new OpsServer({ address: '127.0.0.1', port: 0, log: silent, service: 'test' });
  await ops.listen();
  server = ops;
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${ops.port}${path}`);
    return { status: res.status, body: await res.text() };
  };
  return { ops, get };
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ops server', () => {
  it('healthz and readyz — ok when every check passes', async () => {
    const { get } = await startServer();
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok' });
    expect(await get('/livez')).toEqual({ status: 200, body: 'ok' });
    expect(await get('/readyz')).toEqual({ status: 200, body: 'ok' });
  });

  it('readyz — 503 naming the failed check, verbose lists all checks like kube-apiserver', async () => {
    const { ops, get } = await startServer();
    ops.readiness.add('etcd', () => {
      throw new Error('no quorum');
    });
    ops.readiness.add('informers', async () => {});
    const res = await get('/readyz?verbose');
    expect(res.status).toBe(503);
    expect(res.body).toContain('[-]etcd failed: no quorum');
    expect(res.body).toContain('[+]informers ok');
    expect(res.body).toContain('readyz check failed');
    expect((await get('/healthz')).status).toBe(200);
  });

  it('readyz — a check that hangs fails by timeout instead of hanging the probe', async () => {
    const checks = new HealthChecks(50);
    checks.add('stuck', () => new Promise<void>(() => undefined));
    const results = await checks.run();
    expect(results.find((r) => r.name === 'stuck')).toMatchObject({ ok: false, reason: 'timed out after 50ms' });
  });

  it('metrics — Prometheus text with default process metrics labelled by service', async () => {
    const { get } = await startServer();
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^process_cpu_seconds_total\{service="test"\} /m);
    expect(res.body).toContain('nodejs_heap_size_used_bytes');
  });

  it('unknown paths are 404 and other methods 405', async () => {
    const { ops, get } = await startServer();
    expect((await get('/nope')).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${ops.port}/healthz`, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
