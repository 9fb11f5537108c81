import type { Logger } from 'pino';
import { ShutdownTimeoutError } from './errors.js';

/**
 * An AbortSignal that fires on the first SIGTERM or SIGINT. A second signal exits at once with status 130,
 * for the operator who does not want to wait for a graceful shutdown.
 */
export function shutdownSignal(proc: NodeJS.Process = process): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) proc.exit(130);
    controller.abort(new Error(`received ${name}`));
  };
  proc.on('SIGTERM', onSignal);
  proc.on('SIGINT', onSignal);
  return controller.signal;
}

/** Resolves when `signal` aborts. Never rejects. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Runs a service's `start(signal)` and turns its end into a process exit code: 0 when it returns (or fails
 * only because it was aborted) after a shutdown request, 1 when it fails on its own or does not finish
 * within `shutdownTimeoutMs` of the request. Never throws.
 */
export async function runService(
  log: Logger,
  shutdownTimeoutMs: number,
  start: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<number> {
  const started = start(signal).then(
    () => 0,
    (err: unknown) => {
      if (signal.aborted) return 0;
      log.fatal({ err }, 'service failed');
      return 1;
    },
  );
  const deadline = new Promise<number>((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        log.info({ reason: String((signal.reason as Error | undefined)?.message ?? signal.reason) }, 'shutting down');
        setTimeout(() => {
          log.error({ err: new ShutdownTimeoutError(shutdownTimeoutMs) }, 'forcing exit');
          resolve(1);
        }, shutdownTimeoutMs).unref();
      },
      { once: true },
    );
  });
  const code = await Promise.race([started, deadline]);
  if (code === 0) log.info('stopped');
  return code;
}
