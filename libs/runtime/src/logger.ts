import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * JSON logs on stdout, one object a line, with the service and (when set) the availability zone on every
 * record so a lab's merged logs can be filtered by AZ. `EKSLAB_AZ` is how the lab tells a container its AZ.
 */
export function createLogger(service: string, level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const base: Record<string, string> = { service };
  const az = process.env['EKSLAB_AZ'];
  if (az) base['az'] = az;
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination({ dest: 1, sync: true }));
}
