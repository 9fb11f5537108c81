import { describe, expect, it } from 'vitest';
import { WaitTimeoutError } from './errors.js';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('waitFor — resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `done after ${calls}` : false), { description: 'three calls', intervalMs: 1 });
    expect(value).toBe('done after 3');
  });

  it('waitFor — treats a throwing condition as not yet, and reports the last error on timeout', async () => {
    const err = await waitFor(
      () => {
        throw new Error('still broken');
      },
      { description: 'a broken thing', timeoutMs: 50, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toBe('timed out after 50ms waiting for a broken thing (last error: still broken)');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('waitFor — abandons a hung attempt at the deadline', async () => {
    const started = Date.now();
    const err = await waitFor(() => new Promise<boolean>(() => undefined), { description: 'a hung call', timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('waitFor — rejects with the abort reason when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('test over');
    setTimeout(() => controller.abort(reason), 10);
    const err = await waitFor(() => false, { description: 'never', signal: controller.signal, intervalMs: 1 }).catch((e: unknown) => e);
    expect(err).toBe(reason);
  });
});
