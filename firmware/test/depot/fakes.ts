/**
 * Hand-written fakes of the hardware interfaces (firmware/src/hardware/types.ts)
 * for the depot core's tests: a clock whose time moves only when told, and
 * locks, sensors and a keypad that record what the core did to them.
 */
import type {
  Beep,
  BinarySensor,
  Clock,
  CompartmentHardware,
  CompartmentLock,
  DepotHardware,
  Keypad,
  KeypadKey,
  LedColour,
  Timer,
} from '../../src/hardware/types.js';

interface Pending {
  at: number;
  order: number;
  task: () => void;
  cancelled: boolean;
}

/** Monotonic and wall time that move only with advance(); timers fire in time order. */
export class FakeClock implements Clock {
  private mono = 1_000;
  private wall: number;
  private timers: Pending[] = [];
  private order = 0;

  constructor(wallMs = 0) {
    this.wall = wallMs;
  }

  wallMs(): number {
    return this.wall;
  }

  monotonicMs(): number {
    return this.mono;
  }

  after(delayMs: number, task: () => void): Timer {
    const pending: Pending = { at: this.mono + Math.max(0, delayMs), order: this.order++, task, cancelled: false };
    this.timers.push(pending);
    return {
      cancel: () => {
        pending.cancelled = true;
      },
    };
  }

  /** Moves time forward, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.at <= end)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.wall += due.at - this.mono;
      this.mono = due.at;
      due.task();
    }
    this.wall += end - this.mono;
    this.mono = end;
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

/** A lock relay that stays energised until the fake clock passes the pulse's end. */
export class FakeLock implements CompartmentLock {
  readonly pulses: number[] = [];
  energised = false;

  constructor(private readonly clock: FakeClock) {}

  pulse(durationMs: number): Promise<void> {
    this.pulses.push(durationMs);
    this.energised = true;
    return new Promise((resolve) => {
      this.clock.after(durationMs, () => {
        this.energised = false;
        resolve();
      });
    });
  }

  release(): void {
    this.energised = false;
  }
}

export class FakeSensor implements BinarySensor {
  private readonly listeners = new Set<(value: boolean) => void>();

  constructor(private value = false) {}

  read(): boolean {
    return this.value;
  }

  onChange(listener: (value: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(value: boolean): void {
    if (value === this.value) return;
    this.value = value;
    for (const listener of this.listeners) listener(value);
  }
}

export class FakeKeypad implements Keypad {
  private readonly listeners = new Set<(key: KeypadKey) => void>();
  readonly lines: string[][] = [];
  readonly beeps: Beep[] = [];
  readonly leds: LedColour[] = [];

  onKey(listener: (key: KeypadKey) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  display(line1: string, line2?: string): void {
    this.lines.push(line2 === undefined ? [line1] : [line1, line2]);
  }

  beep(kind: Beep): void {
    this.beeps.push(kind);
  }

  led(colour: LedColour): void {
    this.leds.push(colour);
  }

  press(keys: string): void {
    for (const key of keys) for (const listener of this.listeners) listener(key as KeypadKey);
  }

  /** The last display text, lines joined by a space. */
  get shown(): string {
    return (this.lines.at(-1) ?? []).join(' ');
  }
}

export interface FakeCompartment extends CompartmentHardware {
  readonly lock: FakeLock;
  readonly door: FakeSensor;
  readonly key?: FakeSensor;
}

export interface FakeHardware extends DepotHardware {
  readonly compartments: readonly FakeCompartment[];
  readonly keypad: FakeKeypad;
  readonly clock: FakeClock;
}

/** `count` compartments, each with a door and a key sensor (key present). */
export function fakeHardware(count: number, clock = new FakeClock()): FakeHardware {
  const compartments = Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    lock: new FakeLock(clock),
    door: new FakeSensor(false),
    key: new FakeSensor(true),
  }));
  return {
    compartments,
    keypad: new FakeKeypad(),
    clock,
    close: async () => {
      for (const c of compartments) c.lock.release();
    },
  };
}
