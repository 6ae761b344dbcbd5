import { EventKind, type OfflinePinMatcher } from '@keydepot/shared';
import type { Clock, KeypadKey, Timer } from '../hardware/types.js';
import type { DepotStore } from '../store/depot-store.js';
import type { CompartmentController } from './compartment.js';
import type { DepotLogger, EventJournal } from './event-journal.js';
import type { KeypadDisplay } from './keypad-display.js';
import { IDLE_SESSION, pressKey, type SessionState, timeOut } from './keypad-session.js';
import { isLockedOut, NO_LOCKOUT, registerFailure, remainingMs } from './lockout.js';
import type { LockoutWatch } from './lockout-watch.js';
import { decidePin, type Verdict } from './pin-verdict.js';
import type { DepotSettings } from './settings.js';
import { fitLines, type Texts } from './texts.js';
import type { TrustedClock } from './trusted-clock.js';

export interface PinEntryOptions {
  readonly store: DepotStore;
  readonly pinMacKey: Uint8Array;
  readonly matcher: OfflinePinMatcher | undefined;
  readonly trusted: TrustedClock;
  readonly clock: Clock;
  readonly journal: EventJournal;
  readonly display: KeypadDisplay;
  readonly lockout: LockoutWatch;
  readonly compartment: (n: number) => CompartmentController | undefined;
  readonly settings: () => DepotSettings;
  readonly texts: () => Texts;
  readonly log: DepotLogger;
}

/**
 * The key taker at the keypad: keys build a PIN (keypad-session.ts), `#`
 * submits it, the verdict is journaled and the compartment pulsed, or the
 * refusal counted towards a lockout. During a lockout typed PINs are not even
 * checked; forgotten digits time out after keypadTimeoutSeconds.
 */
export class PinEntry {
  private session: SessionState = IDLE_SESSION;
  private inactivity: Timer | undefined;

  constructor(private readonly options: PinEntryOptions) {}

  /** True while digits are typed and not yet submitted or forgotten. */
  get typing(): boolean {
    return this.session.digits.length > 0;
  }

  onKey(key: KeypadKey): void {
    const { store, trusted, display, clock } = this.options;
    const texts = this.options.texts();
    try {
      this.options.lockout.check();
      const lockout = store.lockout();
      const now = trusted.estimateMs();
      if (isLockedOut(lockout, now)) {
        // During a lockout typed PINs are not even checked.
        this.session = IDLE_SESSION;
        display.show({
          lines: fitLines(texts.locked(Math.ceil(remainingMs(lockout, now) / 1000))),
          beep: 'error',
          led: 'red',
        });
        return;
      }
      const step = pressKey(this.session, key, texts);
      this.session = step.state;
      this.cancel();
      if (this.typing) {
        this.inactivity = clock.after(this.options.settings().keypadTimeoutSeconds * 1000, () => {
          const timedOut = timeOut(this.session, this.options.texts());
          this.session = timedOut.state;
          if (timedOut.feedback) display.show(timedOut.feedback, false);
        });
      }
      if (step.feedback) display.show(step.feedback, !this.typing);
      if (step.submit !== undefined) this.submit(step.submit);
    } catch (error) {
      this.options.log.error({ err: error }, 'key handling failed');
      this.session = IDLE_SESSION;
    }
  }

  /** Stops the inactivity timer. */
  cancel(): void {
    this.inactivity?.cancel();
    this.inactivity = undefined;
  }

  private submit(digits: string): void {
    const { store, pinMacKey, matcher, trusted } = this.options;
    const verdict = decidePin(
      { store, pinMacKey, matcher, nowMs: trusted.nowMs(), timeZone: this.options.settings().timeZone },
      digits,
    );
    if (verdict.kind === 'accepted') this.accept(verdict);
    else this.refuse(verdict);
  }

  private accept(verdict: Extract<Verdict, { kind: 'accepted' }>): void {
    const { store, trusted, journal, display } = this.options;
    const texts = this.options.texts();
    const target = this.options.compartment(verdict.compartment);
    const time = journal.eventTime();
    const event = (kind: EventKind, compartment = verdict.compartment, subject = verdict.subject) =>
      journal.write({ timeMs: time, event: kind, compartment, subject });
    // One transaction before the pulse: accepted, spent, unlocked and the counter reset (protocol §11).
    store.transaction(() => {
      event(EventKind.PinAccepted);
      if (verdict.spendPinId !== undefined) {
        store.spendPin(verdict.spendPinId, time === 0 ? trusted.estimateMs() : time);
        event(EventKind.PinSpent);
      }
      if (target !== undefined) event(EventKind.Unlocked);
      const lockout = store.lockout();
      if (lockout.untilMs !== 0) event(EventKind.LockoutEnded, 0, 'correct pin');
      if (lockout.failedAttempts !== 0 || lockout.level !== 0) store.setLockout(NO_LOCKOUT);
    });
    if (target === undefined) {
      this.options.log.warn({ compartment: verdict.compartment }, 'PIN for a compartment this depot does not have');
      display.show({ lines: fitLines(texts.wrongPin), beep: 'error', led: 'red' });
      return;
    }
    display.show({ lines: fitLines(texts.open(verdict.compartment)), beep: 'ok', led: 'green' });
    void target.unlock();
  }

  private refuse(verdict: Extract<Verdict, { kind: 'refused' }>): void {
    const { store, trusted, journal, display } = this.options;
    const texts = this.options.texts();
    const time = journal.eventTime();
    const started = store.transaction(() => {
      journal.write({ timeMs: time, event: EventKind.PinRejected, compartment: 0, subject: verdict.subject });
      if (!verdict.countsAsFailure) return undefined;
      const next = registerFailure(store.lockout(), trusted.estimateMs());
      store.setLockout(next.state);
      if (next.started) {
        const seconds = Math.round((next.state.untilMs - trusted.estimateMs()) / 1000);
        journal.write({ timeMs: time, event: EventKind.LockoutStarted, compartment: 0, subject: `${seconds} s` });
        return seconds;
      }
      return undefined;
    });
    const text = {
      wrong: texts.wrongPin,
      'not-valid': texts.notValidNow,
      spent: texts.used,
      ambiguous: texts.ambiguous,
      'clock-unknown': texts.clockUnknown,
    }[verdict.reason];
    if (started !== undefined) {
      this.options.log.warn({ seconds: started }, 'keypad lockout started');
      display.show({ lines: fitLines(texts.locked(started)), beep: 'error', led: 'red' });
      this.options.lockout.check();
    } else {
      display.show({ lines: fitLines(text), beep: 'error', led: 'red' });
    }
  }
}
