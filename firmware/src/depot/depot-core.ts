import {
  type CommandFrame,
  type CommandResultFrame,
  type EventFrame,
  EventKind,
  FrameKind,
  HOUR_MS,
  OfflinePinMatcher,
  type StatusFrame,
} from '@keydepot/shared';
import type { DepotHardware, KeypadKey, Timer } from '../hardware/types.js';
import type { DepotPort } from '../link/depot-port.js';
import type { DepotStore } from '../store/depot-store.js';
import type { NewEvent } from '../store/records.js';
import { handleCommand } from './commands.js';
import { CompartmentController } from './compartment.js';
import { type Feedback, IDLE_SESSION, idleFeedback, pressKey, type SessionState, timeOut } from './keypad-session.js';
import { endLockout, isLockedOut, lockoutEnded, NO_LOCKOUT, registerFailure, remainingMs } from './lockout.js';
import { decidePin, type Verdict } from './pin-verdict.js';
import { type DepotSettings, resolveSettings } from './settings.js';
import { fitLines, type Texts, textsFor } from './texts.js';
import { TrustedClock } from './trusted-clock.js';

/** The logging the core needs; a pino logger fits. */
export interface DepotLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface DepotCoreOptions {
  readonly hardware: DepotHardware;
  readonly store: DepotStore;
  /** Key of the PIN MACs (see derivePinMacKey). */
  readonly pinMacKey: Uint8Array;
  /** The depot's own offline key (ProvisioningBundle.offlineKey) and id; absent = no offline PINs. */
  readonly offline?: { readonly key: Uint8Array; readonly depotId: number };
  readonly firmwareVersion: string;
  readonly logger?: DepotLogger;
  /** How long a verdict stays on the display before the prompt returns. */
  readonly feedbackMs?: number;
}

/** The depot's brain: DepotPort for the link, plus its lifecycle and a hook for fresh events. */
export interface DepotCore extends DepotPort {
  /** The journal epoch (16 hex digits). */
  readonly epoch: string;
  /** Journals BOOT, starts listening to keys and sensors. */
  start(): void;
  /** Stops listening and timers, releases locks, writes the clock floor. Closes neither store nor hardware. */
  stop(): void;
  /** Called (after the transaction, in a microtask) with freshly journaled events, so the link can send soon. */
  onJournaled(listener: (events: readonly EventFrame[]) => void): () => void;
  /**
   * Called when the state STATUS reports changed without an event (a lock closed
   * again after its pulse), so the link sends a STATUS soon and the portal does
   * not show an open lock until the next check-in.
   */
  onStatusChanged(listener: () => void): () => void;
  /** Current settings (defaults + CONFIG), e.g. `keepalive` for the link. */
  settings(): DepotSettings;
  /** True while the keypad is locked out. */
  lockedOut(): boolean;
  /** True after a TIME in this boot. */
  clockKnown(): boolean;
}

const SILENT: DepotLogger = { info() {}, warn() {}, error() {} };

/** Wires keypad → session → verdict → lockout → compartments over the store (I/O passed in, docs/conventions.md). */
export function createDepotCore(options: DepotCoreOptions): DepotCore {
  const { hardware, store, pinMacKey } = options;
  const log = options.logger ?? SILENT;
  const clock = hardware.clock;
  const trusted = new TrustedClock({ clock, store });
  const matcher =
    options.offline === undefined
      ? undefined
      : new OfflinePinMatcher({
          offlineKey: options.offline.key,
          depotId: options.offline.depotId,
          compartments: hardware.compartments.length,
        });
  let settings = resolveSettings(store.config());
  let texts: Texts = textsFor(settings.language);
  let session: SessionState = IDLE_SESSION;
  let startMono = clock.monotonicMs();
  let running = false;
  let inactivity: Timer | undefined;
  let feedbackTimer: Timer | undefined;
  let lockoutTimer: Timer | undefined;
  const unsubscribe: (() => void)[] = [];
  const listeners = new Set<(events: readonly EventFrame[]) => void>();
  const statusListeners = new Set<() => void>();
  let fresh: EventFrame[] = [];

  const eventTime = () => trusted.nowMs() ?? 0;

  function journal(event: NewEvent): void {
    const frame = store.journal(event);
    if (fresh.length === 0) queueMicrotask(notify);
    fresh.push(frame);
  }

  function notify(): void {
    const events = fresh;
    fresh = [];
    for (const listener of listeners) {
      try {
        listener(events);
      } catch (error) {
        log.error({ err: error }, 'journal listener failed');
      }
    }
  }

  const compartments = hardware.compartments.map(
    (hw) =>
      new CompartmentController({
        hardware: hw,
        clock,
        settings: () => settings,
        journal: (compartment, events) =>
          store.transaction(() => {
            for (const e of events) journal({ timeMs: eventTime(), compartment, ...e });
          }),
        onError: (error) => log.error({ err: error, compartment: hw.number }, 'lock pulse failed'),
        onRelocked: () => {
          for (const listener of statusListeners) listener();
        },
      }),
  );
  const compartment = (n: number) => compartments.find((c) => c.number === n);

  function show(feedback: Feedback, resetAfter = true): void {
    const [line1, line2] = feedback.lines;
    hardware.keypad.display(line1, line2);
    if (feedback.beep !== undefined) hardware.keypad.beep(feedback.beep);
    if (feedback.led !== undefined) hardware.keypad.led(feedback.led);
    feedbackTimer?.cancel();
    feedbackTimer = undefined;
    if (resetAfter) {
      feedbackTimer = clock.after(options.feedbackMs ?? 4000, () => {
        feedbackTimer = undefined;
        if (session.digits.length === 0) show(idleFeedback(texts), false);
      });
    }
  }

  /** Journals LOCKOUT_ENDED once the lockout's time has passed; (re)arms the timer while one runs. */
  function checkLockout(): void {
    lockoutTimer?.cancel();
    lockoutTimer = undefined;
    const now = trusted.estimateMs();
    const state = store.lockout();
    if (lockoutEnded(state, now)) {
      store.transaction(() => {
        journal({ timeMs: eventTime(), event: EventKind.LockoutEnded, compartment: 0, subject: 'elapsed' });
        store.setLockout(endLockout(state));
      });
      log.info({}, 'keypad lockout ended');
    } else if (running && state.untilMs !== 0) {
      lockoutTimer = clock.after(state.untilMs - now, checkLockout);
    }
  }

  function onKey(key: KeypadKey): void {
    if (!running) return;
    try {
      checkLockout();
      const lockout = store.lockout();
      const now = trusted.estimateMs();
      if (isLockedOut(lockout, now)) {
        // During a lockout typed PINs are not even checked.
        session = IDLE_SESSION;
        show({ lines: fitLines(texts.locked(Math.ceil(remainingMs(lockout, now) / 1000))), beep: 'error', led: 'red' });
        return;
      }
      const step = pressKey(session, key, texts);
      session = step.state;
      inactivity?.cancel();
      inactivity = undefined;
      if (session.digits.length > 0) {
        inactivity = clock.after(settings.keypadTimeoutSeconds * 1000, () => {
          const timedOut = timeOut(session, texts);
          session = timedOut.state;
          if (timedOut.feedback) show(timedOut.feedback, false);
        });
      }
      if (step.feedback) show(step.feedback, session.digits.length === 0);
      if (step.submit !== undefined) submit(step.submit);
    } catch (error) {
      log.error({ err: error }, 'key handling failed');
      session = IDLE_SESSION;
    }
  }

  function submit(digits: string): void {
    const verdict = decidePin(
      { store, pinMacKey, matcher, nowMs: trusted.nowMs(), timeZone: settings.timeZone },
      digits,
    );
    if (verdict.kind === 'accepted') accept(verdict);
    else refuse(verdict);
  }

  function accept(verdict: Extract<Verdict, { kind: 'accepted' }>): void {
    const target = compartment(verdict.compartment);
    const time = eventTime();
    // One transaction before the pulse: accepted, spent, unlocked and the counter reset (protocol §11).
    store.transaction(() => {
      journal({
        timeMs: time,
        event: EventKind.PinAccepted,
        compartment: verdict.compartment,
        subject: verdict.subject,
      });
      if (verdict.spendPinId !== undefined) {
        store.spendPin(verdict.spendPinId, time === 0 ? trusted.estimateMs() : time);
        journal({
          timeMs: time,
          event: EventKind.PinSpent,
          compartment: verdict.compartment,
          subject: verdict.subject,
        });
      }
      if (target !== undefined) {
        journal({
          timeMs: time,
          event: EventKind.Unlocked,
          compartment: verdict.compartment,
          subject: verdict.subject,
        });
      }
      const lockout = store.lockout();
      if (lockout.untilMs !== 0) {
        journal({ timeMs: time, event: EventKind.LockoutEnded, compartment: 0, subject: 'correct pin' });
      }
      if (lockout.failedAttempts !== 0 || lockout.level !== 0) store.setLockout(NO_LOCKOUT);
    });
    if (target === undefined) {
      log.warn({ compartment: verdict.compartment }, 'PIN for a compartment this depot does not have');
      show({ lines: fitLines(texts.wrongPin), beep: 'error', led: 'red' });
      return;
    }
    show({ lines: fitLines(texts.open(verdict.compartment)), beep: 'ok', led: 'green' });
    void target.unlock();
  }

  function refuse(verdict: Extract<Verdict, { kind: 'refused' }>): void {
    const time = eventTime();
    const started = store.transaction(() => {
      journal({ timeMs: time, event: EventKind.PinRejected, compartment: 0, subject: verdict.subject });
      if (!verdict.countsAsFailure) return undefined;
      const next = registerFailure(store.lockout(), trusted.estimateMs());
      store.setLockout(next.state);
      if (next.started) {
        const seconds = Math.round((next.state.untilMs - trusted.estimateMs()) / 1000);
        journal({ timeMs: time, event: EventKind.LockoutStarted, compartment: 0, subject: `${seconds} s` });
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
      log.warn({ seconds: started }, 'keypad lockout started');
      show({ lines: fitLines(texts.locked(started)), beep: 'error', led: 'red' });
      checkLockout();
    } else {
      show({ lines: fitLines(text), beep: 'error', led: 'red' });
    }
  }

  const core: DepotCore = {
    epoch: store.epoch,

    start() {
      if (running) return;
      running = true;
      startMono = clock.monotonicMs();
      journal({ timeMs: eventTime(), event: EventKind.Boot, compartment: 0, subject: options.firmwareVersion });
      for (const c of compartments) c.start();
      unsubscribe.push(hardware.keypad.onKey(onKey));
      trusted.start();
      checkLockout();
      show(idleFeedback(texts), false);
      log.info({ epoch: store.epoch, lastSequence: store.lastSequence() }, 'depot core started');
    },

    stop() {
      if (!running) return;
      running = false;
      for (const off of unsubscribe.splice(0)) off();
      for (const timer of [inactivity, feedbackTimer, lockoutTimer]) timer?.cancel();
      inactivity = feedbackTimer = lockoutTimer = undefined;
      for (const c of compartments) c.stop();
      trusted.stop();
      if (store.isOpen) trusted.persistFloor();
    },

    onJournaled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    onStatusChanged(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },

    settings: () => settings,
    lockedOut: () => isLockedOut(store.lockout(), trusted.estimateMs()),
    clockKnown: () => trusted.known,

    pendingEvents: (limit) => store.pendingEvents(limit),
    acknowledgeEvents: (epoch, sequence) => store.acknowledgeEvents(epoch, sequence),
    pendingResults: () => store.unconfirmedResults(),
    confirmResults: (ids) => store.confirmResults(ids),

    receiveCommand(command: CommandFrame): CommandResultFrame | undefined {
      const outcome = handleCommand(
        {
          store,
          pinMacKey,
          compartments: hardware.compartments.length,
          nowMs: trusted.nowMs(),
          estimateMs: trusted.estimateMs(),
          journal,
        },
        command,
      );
      for (const effect of outcome.effects) {
        if (effect.kind === 'unlock') void compartment(effect.compartment)?.unlock();
        else if (effect.kind === 'lockout-reset') {
          lockoutTimer?.cancel();
          lockoutTimer = undefined;
          if (running) show(idleFeedback(texts), false);
        } else {
          settings = resolveSettings(store.config());
          texts = textsFor(settings.language);
        }
      }
      if (outcome.result !== undefined) log.info({ ...outcome.result }, 'command handled');
      return outcome.result;
    },

    status(): StatusFrame {
      const lockout = store.lockout();
      const now = trusted.estimateMs();
      return {
        kind: FrameKind.Status,
        uptimeSeconds: Math.min(Math.floor((clock.monotonicMs() - startMono) / 1000), 0xffff_ffff),
        lastCommandId: store.lastCommandId(),
        outboxSize: store.outboxSize(),
        lockoutUntilMs: isLockedOut(lockout, now) ? lockout.untilMs : 0,
        failedAttempts: Math.min(lockout.failedAttempts, 255),
        clockKnown: trusted.known,
        firmwareVersion: options.firmwareVersion,
        compartments: compartments.map((c) => ({
          doorOpen: c.doorOpen,
          keyPresent: c.keyPresent ?? false,
          keySensor: c.keyPresent !== undefined,
          locked: c.locked,
        })),
      };
    },

    setTime(relayNowMs: number): void {
      const update = trusted.setTime(relayNowMs);
      if (update.kind !== 'unchanged') {
        const subject = update.kind === 'set' ? 'set' : `corrected ${Math.round(update.deltaMs / 1000)} s`;
        journal({ timeMs: eventTime(), event: EventKind.ClockSet, compartment: 0, subject });
        store.pruneRevokedSlots(eventTime());
      }
      // Keep the offline candidate table on the current hour here (cheap when it is), so a typed PIN never pays
      // for a table build: the first TIME builds it, each new hour adds 8 × compartments × 4 HMACs.
      matcher?.advanceTo(Math.floor(trusted.estimateMs() / HOUR_MS));
      checkLockout();
    },
  };
  return core;
}
