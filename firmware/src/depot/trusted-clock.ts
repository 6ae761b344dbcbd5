import type { Clock, Timer } from '../hardware/types.js';

/** What the trusted clock keeps on disk: a floor the clock never goes below, across reboots. */
export interface ClockFloorStore {
  clockFloorMs(): number;
  raiseClockFloor(ms: number): void;
}

export interface TrustedClockOptions {
  readonly clock: Clock;
  readonly store: ClockFloorStore;
  /** Between TIME frames the floor is written at most this often (SD card wear vs. lost time after a cut). */
  readonly floorWriteIntervalMs?: number;
  /** A TIME that moves the clock by more than this is journaled as CLOCK_SET. */
  readonly correctionThresholdMs?: number;
  /** A floor write that failed from the timer or on stop: told here, never thrown out of a timer. */
  readonly onError?: (error: unknown) => void;
}

/** What a TIME did: the caller journals CLOCK_SET for 'set' (first in this boot) and 'corrected'. */
export type TimeUpdate =
  | { readonly kind: 'set' | 'corrected'; readonly deltaMs: number }
  | { readonly kind: 'unchanged'; readonly deltaMs: number };

/**
 * Trusted time (protocol §13): the relay's TIME plus the hardware's monotonic
 * clock. The system wall clock is never used: a Pi without an RTC boots with
 * whatever it had.
 *
 * Decision: the clock is *known* only after a TIME in this boot. The floor on
 * disk is only a lower bound (the depot may have been off for a week), so it
 * keeps the clock from running backwards and times lockouts, but never makes
 * a time window or schedule pass (fail closed).
 */
export class TrustedClock {
  private readonly clock: Clock;
  private readonly store: ClockFloorStore;
  private readonly floorWriteIntervalMs: number;
  private readonly correctionThresholdMs: number;
  private readonly bootMono: number;
  private readonly bootFloor: number;
  /** relay time − monotonic, once a TIME arrived. */
  private offset: number | undefined;
  private highest = 0;
  private timer: Timer | undefined;
  private readonly onError: (error: unknown) => void;

  constructor(options: TrustedClockOptions) {
    this.onError = options.onError ?? (() => {});
    this.clock = options.clock;
    this.store = options.store;
    this.floorWriteIntervalMs = options.floorWriteIntervalMs ?? 5 * 60_000;
    this.correctionThresholdMs = options.correctionThresholdMs ?? 60_000;
    this.bootMono = this.monotonicMs();
    this.bootFloor = Math.floor(this.store.clockFloorMs());
  }

  /** True after a TIME in this boot. */
  get known(): boolean {
    return this.offset !== undefined;
  }

  /** Trusted time in ms since the Unix epoch, or undefined while unknown (fail closed). */
  nowMs(): number | undefined {
    return this.known ? this.estimateMs() : undefined;
  }

  /**
   * The best lower bound of the time: trusted time when known, else floor +
   * uptime. Never goes backwards. Lockouts are timed by it, so a power cut
   * can only make a lockout longer, never shorter.
   */
  estimateMs(): number {
    const mono = this.monotonicMs();
    const raw = this.offset !== undefined ? this.offset + mono : this.bootFloor + (mono - this.bootMono);
    if (raw > this.highest) this.highest = raw;
    return this.highest;
  }

  /** Takes a TIME from an authenticated relay telegram and writes the floor. */
  setTime(relayTimeMs: number): TimeUpdate {
    const relayNowMs = Math.floor(relayTimeMs);
    const before = this.offset;
    const mono = this.monotonicMs();
    const deltaMs = before === undefined ? relayNowMs - this.estimateMs() : relayNowMs - (before + mono);
    this.offset = relayNowMs - mono;
    // A relay clock stepped backwards: time stands still until it catches up (estimateMs keeps the highest).
    this.store.raiseClockFloor(this.estimateMs());
    if (before === undefined) return { kind: 'set', deltaMs };
    return { kind: Math.abs(deltaMs) > this.correctionThresholdMs ? 'corrected' : 'unchanged', deltaMs };
  }

  /** Writes the floor now (also on shutdown); a failure goes to onError (it runs from a timer and from stop). */
  persistFloor(): void {
    try {
      this.store.raiseClockFloor(this.estimateMs());
    } catch (error) {
      this.onError(error);
    }
  }

  /** Starts writing the floor every floorWriteIntervalMs. */
  start(): void {
    const tick = () => {
      this.persistFloor();
      this.timer = this.clock.after(this.floorWriteIntervalMs, tick);
    };
    this.timer = this.clock.after(this.floorWriteIntervalMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * Whole milliseconds: RealClock's monotonic time is performance.now() (fractional), but every time the
   * core derives from it ends up in the store's INTEGER columns and on the wire as integer ms.
   */
  private monotonicMs(): number {
    return Math.floor(this.clock.monotonicMs());
  }
}
