import type { Clock, CompartmentHardware } from '../types.js';
import { SimulatedLock } from './lock.js';
import { SimulatedSensor } from './sensor.js';

export interface SimulatedCompartmentOptions {
  /** 1-based, as on the wire. */
  readonly number: number;
  readonly clock: Clock;
  /** Whether the compartment has a key-presence sensor. */
  readonly keySensor: boolean;
  /** Whether the key hangs in the compartment at the start (default true). */
  readonly keyPresent?: boolean;
  readonly debounceMs?: number;
}

/**
 * A compartment whose door obeys its lock: it opens only while the lock is
 * energised, unless forced (a crowbar: the depot core must call that tamper).
 */
export class SimulatedCompartment implements CompartmentHardware {
  readonly number: number;
  readonly lock: SimulatedLock;
  /** true = open. */
  readonly door: SimulatedSensor;
  /** true = key present; absent without a key sensor. */
  readonly key?: SimulatedSensor;
  /** How often openDoor({ force: true }) opened a locked door. */
  forcedOpenings = 0;

  constructor(options: SimulatedCompartmentOptions) {
    this.number = options.number;
    this.lock = new SimulatedLock(options.clock);
    this.door = new SimulatedSensor({ initial: false, clock: options.clock, debounceMs: options.debounceMs });
    if (options.keySensor) {
      this.key = new SimulatedSensor({
        initial: options.keyPresent ?? true,
        clock: options.clock,
        debounceMs: options.debounceMs,
      });
    }
  }

  get doorOpen(): boolean {
    return this.door.raw;
  }

  /**
   * Pulls the door. Opens it if the lock is energised (or the door is already
   * open); with `force`, opens it anyway. Returns whether the door is open now.
   */
  openDoor(options: { force?: boolean } = {}): boolean {
    if (this.door.raw) return true;
    if (this.lock.locked && !options.force) return false;
    if (this.lock.locked) this.forcedOpenings++;
    this.door.set(true);
    return true;
  }

  /** Shuts the door; the strike latches it whatever the relay does. */
  closeDoor(): void {
    if (this.door.raw) this.door.set(false);
  }

  /** Takes the key out; only possible through an open door. Returns whether a key was taken. */
  takeKey(): boolean {
    const key = this.requireKeySensor();
    if (!this.door.raw || !key.raw) return false;
    key.set(false);
    return true;
  }

  /** Hangs the key back; only possible through an open door. Returns whether it was put back. */
  returnKey(): boolean {
    const key = this.requireKeySensor();
    if (!this.door.raw || key.raw) return false;
    key.set(true);
    return true;
  }

  dispose(): void {
    this.lock.release();
    this.door.dispose();
    this.key?.dispose();
  }

  private requireKeySensor(): SimulatedSensor {
    if (!this.key) throw new Error(`compartment ${this.number} has no key sensor`);
    return this.key;
  }
}
