import { EventKind } from '@keydepot/shared';
import type { Clock, CompartmentHardware, Timer } from '../hardware/types.js';
import { EnergisedLimit } from './energised-limit.js';
import type { DepotSettings } from './settings.js';

/** Journals events of one compartment together (one transaction) before anything else happens. */
export type CompartmentJournal = (
  compartment: number,
  events: readonly { event: EventKind; subject: string }[],
) => void;

export interface CompartmentOptions {
  readonly hardware: CompartmentHardware;
  readonly clock: Clock;
  readonly journal: CompartmentJournal;
  readonly settings: () => DepotSettings;
  /** Told when a pulse fails (a relay driver error); the depot keeps running. */
  readonly onError?: (error: unknown) => void;
  /** Told when the lock is closed again after a pulse: no event says so, only the next STATUS. */
  readonly onRelocked?: () => void;
  /** Rest between two pulses (default RELAY_REST_MS). */
  readonly restMs?: number;
}

/**
 * One compartment's flow: the unlock pulse, and events from its sensors.
 * A door that opens without an unlock in the last unlockWindowSeconds is
 * TAMPER; one left open past doorOpenAlertSeconds is DOOR_LEFT_OPEN, once
 * per opening. The caller journals UNLOCKED before calling unlock().
 *
 * The relay is energised for at most one unlockPulseMs in one go: an unlock
 * during a pulse (or while the next one waits out the rest) shares that pulse
 * instead of extending it (energised-limit.ts), and a guard timer releases the
 * relay at the pulse's end even if the driver's own timer did not.
 */
export class CompartmentController {
  readonly number: number;
  private unlockedAtMono: number | undefined;
  private readonly limit: EnergisedLimit;
  /** The pulse energised or waiting; every unlock until it ends shares it. */
  private pulse: { done: Promise<void>; finish: () => void; timers: Timer[] } | undefined;
  private leftOpenTimer: Timer | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: CompartmentOptions) {
    this.number = options.hardware.number;
    this.limit = new EnergisedLimit(options.restMs);
  }

  /** Listens to the sensors. A door found open at start is reported (not as tamper: the cause is unknown). */
  start(): void {
    const { door, key } = this.options.hardware;
    this.unsubscribe.push(door.onChange((open) => this.doorChanged(open)));
    if (key !== undefined) this.unsubscribe.push(key.onChange((present) => this.keyChanged(present)));
    if (door.read()) {
      this.options.journal(this.number, [{ event: EventKind.DoorOpened, subject: 'at start' }]);
      this.armLeftOpen();
    }
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.leftOpenTimer?.cancel();
    this.leftOpenTimer = undefined;
    this.options.hardware.lock.release();
    this.pulse?.finish();
  }

  /** False while the relay is energised. */
  get locked(): boolean {
    return !this.limit.isEnergised;
  }

  get doorOpen(): boolean {
    return this.options.hardware.door.read();
  }

  get keyPresent(): boolean | undefined {
    return this.options.hardware.key?.read();
  }

  /** Pulses the lock. UNLOCKED must already be committed (protocol §11). Resolves when the relay is released. */
  unlock(): Promise<void> {
    const { clock } = this.options;
    this.unlockedAtMono = clock.monotonicMs();
    const decision = this.limit.request(clock.monotonicMs());
    if (decision.kind === 'join' && this.pulse) return this.pulse.done;
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const pulse = { done, finish: () => {}, timers: [] as Timer[] };
    pulse.finish = () => {
      if (this.pulse !== pulse) return;
      this.pulse = undefined;
      for (const timer of pulse.timers) timer.cancel();
      const wasEnergised = this.limit.isEnergised;
      this.limit.released(clock.monotonicMs());
      finish();
      if (wasEnergised) this.options.onRelocked?.();
    };
    this.pulse = pulse;
    if (decision.kind === 'wait') pulse.timers.push(clock.after(decision.delayMs, () => this.energise(pulse)));
    else this.energise(pulse);
    return done;
  }

  private energise(pulse: NonNullable<CompartmentController['pulse']>): void {
    if (this.pulse !== pulse) return;
    const { clock, hardware } = this.options;
    const pulseMs = this.options.settings().unlockPulseMs;
    this.limit.energised(clock.monotonicMs());
    hardware.lock
      .pulse(pulseMs)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => pulse.finish());
    // The hard cap: the relay is released one pulse length after it was energised even if the driver's own
    // timer failed. Armed after the driver's, so on time the driver releases first and this only finishes.
    pulse.timers.push(
      clock.after(pulseMs, () => {
        hardware.lock.release();
        pulse.finish();
      }),
    );
  }

  private doorChanged(open: boolean): void {
    if (!open) {
      this.leftOpenTimer?.cancel();
      this.leftOpenTimer = undefined;
      this.options.journal(this.number, [{ event: EventKind.DoorClosed, subject: '' }]);
      return;
    }
    const now = this.options.clock.monotonicMs();
    const windowMs = this.options.settings().unlockWindowSeconds * 1000;
    const expected = this.unlockedAtMono !== undefined && now - this.unlockedAtMono <= windowMs;
    // One unlock admits one opening: a second opening after a close is tamper again.
    this.unlockedAtMono = undefined;
    const events: { event: EventKind; subject: string }[] = [{ event: EventKind.DoorOpened, subject: '' }];
    if (!expected) events.push({ event: EventKind.Tamper, subject: 'door opened without unlock' });
    this.options.journal(this.number, events);
    this.armLeftOpen();
  }

  private armLeftOpen(): void {
    this.leftOpenTimer?.cancel();
    const seconds = this.options.settings().doorOpenAlertSeconds;
    this.leftOpenTimer = this.options.clock.after(seconds * 1000, () => {
      this.leftOpenTimer = undefined;
      if (this.options.hardware.door.read()) {
        this.options.journal(this.number, [{ event: EventKind.DoorLeftOpen, subject: `${seconds} s` }]);
      }
    });
  }

  private keyChanged(present: boolean): void {
    this.options.journal(this.number, [{ event: present ? EventKind.KeyReturned : EventKind.KeyRemoved, subject: '' }]);
  }
}
