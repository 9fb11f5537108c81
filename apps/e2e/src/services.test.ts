import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceProcess, runToExit } from './process.js';

const services = ['apiserver', 'scheduler', 'controller-manager', 'cloud-controller-manager', 'cloud', 'kubelet', 'ipamd'] as const;

// The apiserver needs etcd to be ready: here it gets none (nothing listens on port 1), so it must stay up,
// healthy and not ready, saying why.
const extraArgs: Partial<Record<(typeof services)[number], string[]>> = {
  apiserver: ['--etcd-servers', 'http://127.0.0.1:1', '--etcd-request-timeout', '500ms', '--cert-dir', mkdtempSync(join(tmpdir(), 'ekslab-pki-')), '--secure-port', '0', '--grpc-port', '0'],
  cloud: ['--etcd-servers', 'http://127.0.0.1:1', '--etcd-request-timeout', '500ms', '--nats-servers', 'nats://127.0.0.1:1', '--grpc-port', '0'],
};
const oneLine = (text: string): string => text.replace(/\s+/g, ' ');
const running: ServiceProcess[] = [];

afterEach(() => {
  for (const p of running.splice(0)) p.dispose();
});

describe.each(services)('%s', (service) => {
  it('--help lists its flags with their environment variables and exits 0', async () => {
    const res = await runToExit(service, ['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Usage: ekslab-${service} [options]`);
    for (const text of ['--ops-port <port>', 'env: EKSLAB_OPS_PORT', '--log-level', '--shutdown-timeout <duration>', 'default: 5s']) {
      expect(oneLine(res.stdout)).toContain(text);
    }
  });

  it('a bad flag value is a usage error naming the flag, exit code 1', async () => {
    const res = await runToExit(service, ['--ops-port', 'eighty']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/option '--ops-port <port>' argument 'eighty' is invalid/);
  });

  it('serves /healthz, /readyz and /metrics, logs JSON, and exits 0 within 5 s of SIGTERM', async () => {
    const proc = new ServiceProcess(service, ['--ops-address', '127.0.0.1', '--ops-port', '0', ...(extraArgs[service] ?? [])]);
    running.push(proc);
    const listening = await proc.waitForLog((r) => r['msg'] === 'ops endpoint listening (/healthz /readyz /metrics)');
    expect(listening).toMatchObject({ service, az: 'us-east-1a', level: 30 });
    const base = `http://127.0.0.1:${String(listening['port'])}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz?verbose`);
    const readyText = await ready.text();
    expect(readyText).toContain('[+]shutdown ok');
    if (service === 'apiserver' || service === 'cloud') {
      expect(ready.status).toBe(503);
      expect(readyText).toMatch(/\[-\]etcd failed: /);
    } else {
      expect(ready.status).toBe(200);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`process_resident_memory_bytes{service="${service}"}`);

    const sentAt = Date.now();
    proc.signal('SIGTERM');
    const exit = await proc.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(proc.logs.map((r) => r['msg'])).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });
});

describe('cli', () => {
  it('ekslab --help lists the lab commands', async () => {
    const res = await runToExit('cli', ['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: ekslab [options] [command]');
    expect(res.stdout).toMatch(/lab\s+bring the local lab up, down, or show it/);
  });

  it('ekslab lab --help lists up, down and status', async () => {
    const res = await runToExit('cli', ['lab', '--help']);
    expect(res.code).toBe(0);
    for (const cmd of ['up', 'down [options]', 'status']) expect(res.stdout).toContain(cmd);
  });

  it('an unknown command is an error', async () => {
    const res = await runToExit('cli', ['nonsense']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("unknown command 'nonsense'");
  });
});
