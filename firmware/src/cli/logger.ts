import pino from 'pino';
import type { LinkLogger } from '../link/link-logger.js';

/** The daemon's one logger: pino JSON lines on stderr (journald keeps them). */
export function createLogger(level: string): LinkLogger {
  return pino({ level, base: { service: 'keydepot-depot' } }, pino.destination(2));
}
