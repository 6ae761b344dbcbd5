import { EventKind } from '@keydepot/shared';
import type { Clock, CompartmentHardware, Timer } from '../hardware/types.js';
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
}

/**
 * One compartment's flow: the unlock pulse, and events from its sensors.
 * A door that opens without an unlock in the last unlockWindowSeconds is
 * TAMPER; one left open past doorOpenAlertSeconds is DOOR_LEFT_OPEN, once
 * per opening. The caller journals UNLOCKED before calling unlock().
 */
export class CompartmentController {
  readonly number: number;
  private unlockedAtMono: number | undefined;
  private pulses = 0;
  private leftOpenTimer: Timer | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: CompartmentOptions) {
    this.number = options.hardware.number;
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
  }

  /** False while the relay is energised. */
  get locked(): boolean {
    return this.pulses === 0;
  }

  get doorOpen(): boolean {
    return this.options.hardware.door.read();
  }

  get keyPresent(): boolean | undefined {
    return this.options.hardware.key?.read();
  }

  /** Pulses the lock. UNLOCKED must already be committed (protocol §11). */
  unlock(): Promise<void> {
    this.unlockedAtMono = this.options.clock.monotonicMs();
    this.pulses++;
    return this.options.hardware.lock
      .pulse(this.options.settings().unlockPulseMs)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.pulses--;
        if (this.pulses === 0) this.options.onRelocked?.();
      });
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
