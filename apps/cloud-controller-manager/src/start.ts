import { serveOpsOnly, type Logger } from '@ekslab/runtime';
import { info, leaderElected, type Config } from './config.js';

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
}

/** Runs until `signal` aborts. So far the service serves only its ops endpoint; its controllers arrive with issue 7. */
export async function start({ config, log }: Deps, signal: AbortSignal): Promise<void> {
  await serveOpsOnly(info.service, config, log, { leaderElected }, signal);
}
