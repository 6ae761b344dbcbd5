import { releaseEveryRelay } from '../hardware/release-relays.js';
import type { CompartmentHardware } from '../hardware/types.js';

/** The parts of `process` the crash path uses (the real one in the daemon, a fake in tests). */
export interface CrashHooks {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  exit(code: number): void;
}

export interface CrashLog {
  error(fields: object, message: string): void;
}

/** The exit code after a crash: systemd's Restart=on-failure starts the daemon again. */
export const CRASH_EXIT_CODE = 70;

/**
 * Makes an uncaught exception or unhandled rejection anywhere in the daemon
 * (a driver's callback, the link, the store) release every relay before the
 * process exits, synchronously, in the handler: after it no timer runs, so a
 * pulse would otherwise keep its strike energised until systemd restarted us.
 * Returns a function that removes the handlers (after a graceful stop).
 */
export function releaseRelaysOnCrash(
  compartments: readonly Pick<CompartmentHardware, 'number' | 'lock'>[],
  hooks: CrashHooks,
  log: CrashLog,
): () => void {
  const crash = (kind: string) => (error: unknown) => {
    const failures = releaseEveryRelay(compartments);
    for (const failure of failures) {
      log.error({ err: failure.error, compartment: failure.number }, 'relay release failed during crash');
    }
    log.error(
      { err: error, released: compartments.length - failures.length },
      `${kind}: every relay released, exiting for systemd to restart the daemon`,
    );
    hooks.exit(CRASH_EXIT_CODE);
  };
  const onException = crash('uncaught exception');
  const onRejection = crash('unhandled rejection');
  hooks.on('uncaughtException', onException);
  hooks.on('unhandledRejection', onRejection);
  return () => {
    hooks.off('uncaughtException', onException);
    hooks.off('unhandledRejection', onRejection);
  };
}
