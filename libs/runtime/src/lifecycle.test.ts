import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sleep } from './clock.js';
import { runService, untilAborted } from './lifecycle.js';
import { createLogger } from './logger.js';

function capture() {
  const lines: Array<{ msg: string; level: number }> = [];
  const log = createLogger('test', 'info', new Writable({
    write: (chunk: Buffer, _e, cb) => {
      lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
      cb();
    },
  }));
  return { log, lines };
}

describe('lifecycle', () => {
  it('runService — exit code 0 when the service stops after a shutdown request', async () => {
    const { log, lines } = capture();
    const ctl = new AbortController();
    const done = runService(log, 1_000, (s) => untilAborted(s), ctl.signal);
    ctl.abort(new Error('received SIGTERM'));
    expect(await done).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(['shutting down', 'stopped']);
  });

  it('runService — exit code 0 when the service rejects only because it was aborted', async () => {
    const { log } = capture();
    const ctl = new AbortController();
    const done = runService(log, 1_000, (s) => sleep(60_000, s), ctl.signal);
    ctl.abort(new Error('received SIGTERM'));
    expect(await done).toBe(0);
  });

  it('runService — exit code 1 and a fatal log when the service fails on its own', async () => {
    const { log, lines } = capture();
    const code = await runService(log, 1_000, () => Promise.reject(new Error('port in use')), new AbortController().signal);
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg === 'service failed')?.level).toBe(60);
  });

  it('runService — exit code 1 when shutdown overruns its timeout', async () => {
    const { log, lines } = capture();
    const ctl = new AbortController();
    const done = runService(log, 50, () => new Promise<void>(() => undefined), ctl.signal);
    ctl.abort(new Error('received SIGTERM'));
    expect(await done).toBe(1);
    expect(lines.some((l) => l.msg === 'forcing exit')).toBe(true);
  });

  it('sleep — rejects with the abort reason', async () => {
    const ctl = new AbortController();
    const p = sleep(60_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
