import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Parts of the cloud that log; each gets a child logger with `category` set. */
export type LogCategory = 'relay' | 'store' | 'portal' | 'cli' | 'metrics' | 'server';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where JSON lines go; standard output when omitted. */
  readonly destination?: DestinationStream;
}

/**
 * The one logger factory: JSON lines with structured fields. Take a child per
 * part, `createLogger({ level }).child({ category: 'relay' })`, and pass it in.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = { level: options.level, base: { service: 'keydepot-cloud' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A child logger of one category. */
export function categoryLogger(parent: Logger, category: LogCategory): Logger {
  return parent.child({ category });
}
