import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appImage, docker, requireImage } from './docker.js';

const services = ['apiserver', 'scheduler', 'controller-manager', 'cloud-controller-manager', 'cloud', 'kubelet', 'ipamd'] as const;
const containers: string[] = [];

beforeAll(async () => {
  await requireImage(appImage);
});

afterAll(async () => {
  if (containers.length) await docker('rm', '-f', ...containers);
});

async function waitForReady(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('app image', () => {
  it('runs as a non-root user', async () => {
    const uid = await docker('run', '--rm', '--entrypoint', 'id', appImage, '-u');
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it.each(services)('picks %s from its first argument and prints its help', async (service) => {
    const help = await docker('run', '--rm', appImage, service, '--help');
    expect(help).toContain(`Usage: ekslab-${service} [options]`);
  });

  it('runs the ekslab command', async () => {
    expect(await docker('run', '--rm', appImage, 'cli', '--help')).toContain('Usage: ekslab [options] [command]');
  });

  it('an unknown service name is an error that lists the services', async () => {
    await expect(docker('run', '--rm', appImage, 'etcd')).rejects.toThrow(/apiserver/);
  });

  it('a service in a container is ready, logs JSON, and exits 0 on docker stop well within 5 s', async () => {
    const id = await docker('run', '-d', '-e', 'EKSLAB_AZ=us-east-1b', '-p', '127.0.0.1::10259', appImage, 'scheduler');
    containers.push(id);
    const port = (await docker('port', id, '10259/tcp')).split('\n')[0]!.split(':').pop()!;
    const ready = await waitForReady(`http://127.0.0.1:${port}/readyz`, 30_000);
    expect(await ready.text()).toBe('ok');

    const started = Date.now();
    await docker('stop', '--time', '10', id);
    const elapsed = Date.now() - started;
    expect(await docker('inspect', '--format', '{{.State.ExitCode}}', id)).toBe('0');
    expect(elapsed).toBeLessThan(5_000);

    const logs = (await docker('logs', id)).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs[0]).toMatchObject({ service: 'scheduler', az: 'us-east-1b' });
    expect(logs.map((l) => l['msg'])).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });
});
