import { EventKind } from '@keydepot/shared';
import type { Clock, Timer } from '../hardware/types.js';
import type { DepotStore } from '../store/depot-store.js';
import type { DepotLogger, EventJournal } from './event-journal.js';
import { endLockout, lockoutEnded } from './lockout.js';
import type { TrustedClock } from './trusted-clock.js';

/**
 * Ends a keypad lockout when its time has passed: journals LOCKOUT_ENDED and
 * clears it in one transaction, and keeps a timer for the end while one runs.
 */
export class LockoutWatch {
  private timer: Timer | undefined;

  constructor(
    private readonly options: {
      readonly store: DepotStore;
      readonly trusted: TrustedClock;
      readonly clock: Clock;
      readonly journal: EventJournal;
      readonly log: DepotLogger;
      /** Timers are armed only while the core runs. */
      readonly running: () => boolean;
    },
  ) {}

  /** Journals LOCKOUT_ENDED once the lockout's time has passed; (re)arms the timer while one runs. */
  check(): void {
    const { store, trusted, journal } = this.options;
    this.cancel();
    const now = trusted.estimateMs();
    const state = store.lockout();
    if (lockoutEnded(state, now)) {
      store.transaction(() => {
        journal.write({
          timeMs: journal.eventTime(),
          event: EventKind.LockoutEnded,
          compartment: 0,
          subject: 'elapsed',
        });
        store.setLockout(endLockout(state));
      });
      this.options.log.info({}, 'keypad lockout ended');
    } else if (this.options.running() && state.untilMs !== 0) {
      this.timer = this.options.clock.after(state.untilMs - now, () => this.check());
    }
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
