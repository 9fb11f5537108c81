import { createLogger, parseConfig, runService, shutdownSignal } from '@ekslab/runtime';
import { info, options } from './config.js';
import { start } from './start.js';

const signal = shutdownSignal();
const config = parseConfig(info, options, process.argv);
const log = createLogger(info.service, config.logLevel);
process.exit(await runService(log, config.shutdownTimeout, (s) => start({ config, log }, s), signal));
