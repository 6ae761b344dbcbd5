/** The pino methods the link uses (pino's `(fields, message)` form), so a pino logger fits as it is. */
export interface LinkLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A logger that drops everything: the default in tests. */
export const silentLogger: LinkLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
