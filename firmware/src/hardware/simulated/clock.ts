import type { Clock, Timer } from '../types.js';

/** 2026-01-01T00:00:00Z: a fixed default so simulated runs repeat exactly. */
const DEFAULT_START_WALL_MS = Date.UTC(2026, 0, 1);

/** The real timer functions the speed-up mode runs on (tests may hand in their own). */
export interface RealTimers {
  now(): number;
  setTimeout(task: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SimulatedClockOptions {
  /** The wall clock at the start, ms since the Unix epoch. */
  readonly startWallMs?: number;
  /**
   * Omitted: time moves only through advance(). A factor: simulated time also runs
   * on its own at `speed` times real time (60_480 runs a week in ten seconds).
   */
  readonly speed?: number;
  readonly realTimers?: RealTimers;
}

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly task: () => void;
  cancelled: boolean;
}

const defaultRealTimers: RealTimers = {
  now: () => performance.now(),
  setTimeout: (task, delayMs) => setTimeout(task, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A Clock for tests and the simulator. Timers run in due order (ties in the order
 * they were set), each seeing the clock at its own due time in manual mode, so a
 * test can step through a week of check-ins without waiting for any of it.
 */
export class SimulatedClock implements Clock {
  /** Simulated ms added by advance() (and, in manual mode, all of the time). */
  private offsetMs = 0;
  private wallAdjustMs = 0;
  private seq = 0;
  private readonly queue: PendingTimer[] = [];
  private speedFactor: number | undefined;
  private readonly real: RealTimers;
  private realStart: number;
  private realHandle: unknown;
  private realHandleDue = Number.POSITIVE_INFINITY;
  private stopped = false;
  private readonly startWallMs: number;

  constructor(options: SimulatedClockOptions = {}) {
    if (options.speed !== undefined && !(options.speed > 0 && Number.isFinite(options.speed))) {
      throw new RangeError(`speed must be a positive finite factor, got ${options.speed}`);
    }
    this.speedFactor = options.speed;
    this.real = options.realTimers ?? defaultRealTimers;
    this.realStart = this.real.now();
    this.startWallMs = options.startWallMs ?? DEFAULT_START_WALL_MS;
  }

  monotonicMs(): number {
    if (this.speedFactor === undefined) return this.offsetMs;
    return this.offsetMs + (this.real.now() - this.realStart) * this.speedFactor;
  }

  /** The speed-up factor, or undefined in manual mode. */
  get speed(): number | undefined {
    return this.speedFactor;
  }

  /**
   * Changes the speed from now on (undefined: manual mode, time moves only
   * through advance()); time so far is kept, and pending timers fall due at the new rate.
   */
  setSpeed(speed: number | undefined): void {
    if (speed !== undefined && !(speed > 0 && Number.isFinite(speed))) {
      throw new RangeError(`speed must be a positive finite factor, got ${speed}`);
    }
    this.offsetMs = this.monotonicMs();
    this.realStart = this.real.now();
    this.speedFactor = speed;
    this.disarmReal();
    this.armReal();
  }

  wallMs(): number {
    return this.startWallMs + this.wallAdjustMs + this.monotonicMs();
  }

  /** Sets the wall clock (a Pi without RTC booting at 1970, an NTP jump); monotonic time is untouched. */
  setWallMs(wallMs: number): void {
    this.wallAdjustMs = wallMs - this.startWallMs - this.monotonicMs();
  }

  after(delayMs: number, task: () => void): Timer {
    const timer: PendingTimer = {
      due: this.monotonicMs() + Math.max(0, delayMs),
      seq: this.seq++,
      task,
      cancelled: false,
    };
    this.insert(timer);
    this.armReal();
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        const index = this.queue.indexOf(timer);
        if (index >= 0) this.queue.splice(index, 1);
      },
    };
  }

  /** Timers still waiting. */
  get pendingTimers(): number {
    return this.queue.length;
  }

  /** Ms until the next timer is due, or undefined when none waits. */
  nextTimerInMs(): number | undefined {
    const next = this.queue[0];
    return next ? Math.max(0, next.due - this.monotonicMs()) : undefined;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way,
   * including timers those tasks set. A throwing task stops the advance there.
   */
  advance(ms: number): void {
    const target = this.monotonicMs() + Math.max(0, ms);
    for (let next = this.takeDue(target); next; next = this.takeDue(target)) this.run(next);
    this.moveTo(target);
    this.armReal();
  }

  /**
   * Like advance(), but lets promise chains and callbacks settle (one macrotask
   * turn) before each timer and at the end, so async code that awaits a pulse and
   * then sets the next timer runs as it would in real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.monotonicMs() + Math.max(0, ms);
    await settle();
    for (let next = this.takeDue(target); next; next = this.takeDue(target)) {
      this.run(next);
      await settle();
    }
    this.moveTo(target);
    this.armReal();
    await settle();
  }

  /** Stops the speed-up mode's real timer; pending timers stay queued for advance(). */
  stop(): void {
    this.stopped = true;
    this.disarmReal();
  }

  private insert(timer: PendingTimer): void {
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.queue[mid] as PendingTimer;
      if (other.due < timer.due || (other.due === timer.due && other.seq < timer.seq)) low = mid + 1;
      else high = mid;
    }
    this.queue.splice(low, 0, timer);
  }

  private takeDue(limit: number): PendingTimer | undefined {
    const next = this.queue[0];
    if (!next || next.due > limit) return undefined;
    this.queue.shift();
    return next;
  }

  private run(timer: PendingTimer): void {
    // Manual mode: the task sees the clock at its own due time, not at the advance's end.
    this.moveTo(timer.due);
    timer.cancelled = true;
    timer.task();
  }

  private moveTo(time: number): void {
    const now = this.monotonicMs();
    if (time > now) this.offsetMs += time - now;
  }

  /** Speed-up mode: one real timer for the earliest simulated one. */
  private armReal(): void {
    if (this.speedFactor === undefined || this.stopped) return;
    const next = this.queue[0];
    if (!next) {
      this.disarmReal();
      return;
    }
    if (next.due === this.realHandleDue && this.realHandle !== undefined) return;
    this.disarmReal();
    const speed = this.speedFactor;
    this.realHandleDue = next.due;
    this.realHandle = this.real.setTimeout(
      () => {
        this.realHandle = undefined;
        this.realHandleDue = Number.POSITIVE_INFINITY;
        const now = this.monotonicMs();
        try {
          for (let due = this.takeDue(now); due; due = this.takeDue(now)) {
            due.cancelled = true;
            due.task();
          }
        } finally {
          this.armReal();
        }
      },
      Math.max(0, (next.due - this.monotonicMs()) / speed),
    );
  }

  private disarmReal(): void {
    if (this.realHandle !== undefined) this.real.clearTimeout(this.realHandle);
    this.realHandle = undefined;
    this.realHandleDue = Number.POSITIVE_INFINITY;
  }
}

// Taken at import so a test that fakes timers (vi.useFakeTimers) cannot stall advanceAsync.
const realSetImmediate = setImmediate;
const settle = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));
