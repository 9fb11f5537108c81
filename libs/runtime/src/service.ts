import type { Logger } from 'pino';
import type { LogLevel } from './logger.js';
import { logLevels } from './logger.js';
import { opt, type OptionSpec } from './options.js';
import { untilAborted } from './lifecycle.js';
import { OpsServer } from './ops-server.js';

/** The flags every service has, with the ops port's default chosen per service. */
export function commonOptions(defaultOpsPort: number) {
  return {
    opsAddress: opt.string('0.0.0.0', 'address of the ops endpoint (/healthz, /readyz, /metrics)', { placeholder: '<address>' }),
    opsPort: opt.port(defaultOpsPort, 'port of the ops endpoint; 0 picks a free port'),
    logLevel: opt.choice<LogLevel>('info', logLevels, 'log level'),
    shutdownTimeout: opt.duration(5_000, 'how long a graceful shutdown may take before the process exits anyway'),
  } satisfies Record<string, OptionSpec<unknown>>;
}

export interface CommonConfig {
  readonly opsAddress: string;
  readonly opsPort: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeout: number;
}

/**
 * Serves the ops endpoint for the lifetime of `body`: listens first, closes (after marking the process
 * not ready) when `body` settles. `body` gets the server to register readiness checks and metrics.
 */
export async function withOpsServer(
  service: string,
  config: CommonConfig,
  log: Logger,
  body: (ops: OpsServer) => Promise<void>,
): Promise<void> {
  const ops = new OpsServer({ address: config.opsAddress, port: config.opsPort, log, service });
  await ops.listen();
  try {
    await body(ops);
  } finally {
    await ops.close();
  }
}

/**
 * A service whose work has not been written yet: it serves its ops endpoint, says it started, and waits
 * for `signal`. The shells of the services still to come use it so each is a real, observable process.
 */
export async function serveOpsOnly(service: string, config: CommonConfig, log: Logger, details: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  await withOpsServer(service, config, log, async () => {
    log.info(details, 'started');
    await untilAborted(signal);
  });
}
