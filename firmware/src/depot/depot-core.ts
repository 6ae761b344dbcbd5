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
import type { DepotHardware } from '../hardware/types.js';
import type { DepotPort } from '../link/depot-port.js';
import type { DepotStore } from '../store/depot-store.js';
import { handleCommand } from './commands.js';
import { CompartmentController } from './compartment.js';
import { type DepotLogger, EventJournal, SILENT } from './event-journal.js';
import { KeypadDisplay } from './keypad-display.js';
import { isLockedOut } from './lockout.js';
import { LockoutWatch } from './lockout-watch.js';
import { PinEntry } from './pin-entry.js';
import { type DepotSettings, resolveSettings } from './settings.js';
import { type Texts, textsFor } from './texts.js';
import { TrustedClock } from './trusted-clock.js';

export type { DepotLogger } from './event-journal.js';

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
  /** Disk and keypad health for STATUS (the daemon's DiskHealth and KeypadHealth); absent = healthy. */
  readonly health?: () => { readonly diskFull: boolean; readonly keypadDead: boolean };
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
  /** Tells the onStatusChanged listeners that something STATUS reports changed (disk or keypad health). */
  statusChanged(): void;
  /** Current settings (defaults + CONFIG), e.g. `keepalive` for the link. */
  settings(): DepotSettings;
  /** True while the keypad is locked out. */
  lockedOut(): boolean;
  /** True after a TIME in this boot. */
  clockKnown(): boolean;
}

/**
 * Wires keypad → PIN entry → verdict → lockout → compartments over the store
 * (I/O passed in, docs/conventions.md), and answers the link as its DepotPort:
 * events, commands, STATUS and TIME.
 */
export function createDepotCore(options: DepotCoreOptions): DepotCore {
  const { hardware, store, pinMacKey } = options;
  const log = options.logger ?? SILENT;
  const clock = hardware.clock;
  const trusted = new TrustedClock({
    clock,
    store,
    onError: (error) => log.error({ err: error }, 'writing the clock floor failed'),
  });
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
  let startMono = clock.monotonicMs();
  let running = false;
  const unsubscribe: (() => void)[] = [];
  const statusListeners = new Set<() => void>();
  const journal = new EventJournal(store, trusted, log);

  const compartments = hardware.compartments.map(
    (hw) =>
      new CompartmentController({
        hardware: hw,
        clock,
        settings: () => settings,
        journal: (compartment, events) =>
          store.transaction(() => {
            for (const e of events) journal.write({ timeMs: journal.eventTime(), compartment, ...e });
          }),
        onError: (error) => log.error({ err: error, compartment: hw.number }, 'lock pulse failed'),
        onRelocked: () => {
          for (const listener of statusListeners) listener();
        },
      }),
  );
  const compartment = (n: number) => compartments.find((c) => c.number === n);
  const lockout = new LockoutWatch({ store, trusted, clock, journal, log, running: () => running });
  const display: KeypadDisplay = new KeypadDisplay({
    keypad: hardware.keypad,
    clock,
    feedbackMs: options.feedbackMs ?? 4000,
    texts: () => texts,
    typing: (): boolean => entry.typing,
  });
  const entry: PinEntry = new PinEntry({
    store,
    pinMacKey,
    matcher,
    trusted,
    clock,
    journal,
    display,
    lockout,
    compartment,
    settings: () => settings,
    texts: () => texts,
    log,
  });

  const core: DepotCore = {
    epoch: store.epoch,

    start() {
      if (running) return;
      running = true;
      startMono = clock.monotonicMs();
      journal.write({
        timeMs: journal.eventTime(),
        event: EventKind.Boot,
        compartment: 0,
        subject: options.firmwareVersion,
      });
      for (const c of compartments) c.start();
      unsubscribe.push(
        hardware.keypad.onKey((key) => {
          if (running) entry.onKey(key);
        }),
      );
      trusted.start();
      lockout.check();
      display.idle();
      log.info({ epoch: store.epoch, lastSequence: store.lastSequence() }, 'depot core started');
    },

    stop() {
      if (!running) return;
      running = false;
      for (const off of unsubscribe.splice(0)) off();
      entry.cancel();
      display.cancel();
      lockout.cancel();
      for (const c of compartments) c.stop();
      trusted.stop();
      if (store.isOpen) trusted.persistFloor();
    },

    statusChanged() {
      for (const listener of statusListeners) listener();
    },

    onJournaled: (listener) => journal.onJournaled(listener),

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
          journal: (event) => journal.write(event),
        },
        command,
      );
      for (const effect of outcome.effects) {
        if (effect.kind === 'unlock') void compartment(effect.compartment)?.unlock();
        else if (effect.kind === 'lockout-reset') {
          lockout.cancel();
          if (running) display.idle();
        } else {
          settings = resolveSettings(store.config());
          texts = textsFor(settings.language);
        }
      }
      if (outcome.result !== undefined) log.info({ ...outcome.result }, 'command handled');
      return outcome.result;
    },

    status(): StatusFrame {
      const state = store.lockout();
      const now = trusted.estimateMs();
      const health = options.health?.();
      return {
        kind: FrameKind.Status,
        uptimeSeconds: Math.min(Math.floor((clock.monotonicMs() - startMono) / 1000), 0xffff_ffff),
        lastCommandId: store.lastCommandId(),
        outboxSize: store.outboxSize(),
        lockoutUntilMs: isLockedOut(state, now) ? state.untilMs : 0,
        failedAttempts: Math.min(state.failedAttempts, 255),
        clockKnown: trusted.known,
        ...(health?.diskFull ? { diskFull: true } : {}),
        ...(health?.keypadDead ? { keypadDead: true } : {}),
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
        journal.write({ timeMs: journal.eventTime(), event: EventKind.ClockSet, compartment: 0, subject });
        store.pruneRevokedSlots(journal.eventTime());
      }
      // Keep the offline candidate table on the current hour here (cheap when it is), so a typed PIN never pays
      // for a table build: the first TIME builds it, each new hour adds 8 × compartments × 4 HMACs.
      matcher?.advanceTo(Math.floor(trusted.estimateMs() / HOUR_MS));
      lockout.check();
    },
  };
  return core;
}
