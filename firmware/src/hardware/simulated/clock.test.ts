import { describe, expect, it } from 'vitest';
import { type RealTimers, SimulatedClock } from './clock.js';

/** Real timers under the test's control, for the speed-up mode. */
class ManualRealTimers implements RealTimers {
  time = 1_000;
  private handles = new Map<number, { at: number; task: () => void }>();
  private next = 1;
  now = (): number => this.time;
  setTimeout = (task: () => void, delayMs: number): unknown => {
    const id = this.next++;
    this.handles.set(id, { at: this.time + delayMs, task });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.handles.delete(handle as number);
  };
  get armed(): number[] {
    return [...this.handles.values()].map((h) => h.at - this.time);
  }
  /** Moves real time and fires what fell due. */
  pass(ms: number): void {
    this.time += ms;
    for (const [id, handle] of [...this.handles]) {
      if (handle.at <= this.time) {
        this.handles.delete(id);
        handle.task();
      }
    }
  }
}

describe('SimulatedClock, manual mode', () => {
  it('runs due timers in due order, ties in the order they were set, each at its own time', () => {
    const clock = new SimulatedClock();
    const seen: string[] = [];
    clock.after(300, () => seen.push(`c@${clock.monotonicMs()}`));
    clock.after(100, () => seen.push(`a@${clock.monotonicMs()}`));
    clock.after(100, () => seen.push(`b@${clock.monotonicMs()}`));
    clock.after(1_000, () => seen.push('late'));
    clock.advance(500);
    expect(seen).toEqual(['a@100', 'b@100', 'c@300']);
    expect(clock.monotonicMs()).toBe(500);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerInMs()).toBe(500);
  });

  it('runs timers set by timers when they fall inside the same advance', () => {
    const clock = new SimulatedClock();
    const ticks: number[] = [];
    const tick = (): void => {
      ticks.push(clock.monotonicMs());
      clock.after(60_000, tick);
    };
    clock.after(60_000, tick);
    clock.advance(7 * 24 * 3_600_000);
    expect(ticks).toHaveLength(7 * 24 * 60);
    expect(ticks.at(-1)).toBe(7 * 24 * 3_600_000);
  });

  it('does not run cancelled timers', () => {
    const clock = new SimulatedClock();
    let ran = false;
    const timer = clock.after(10, () => {
      ran = true;
    });
    timer.cancel();
    timer.cancel();
    clock.advance(20);
    expect(ran).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps monotonic time when the wall clock is set back', () => {
    const clock = new SimulatedClock({ startWallMs: Date.UTC(2026, 5, 1) });
    clock.advance(5_000);
    expect(clock.wallMs()).toBe(Date.UTC(2026, 5, 1) + 5_000);
    clock.setWallMs(0);
    expect(clock.wallMs()).toBe(0);
    clock.advance(1_000);
    expect(clock.wallMs()).toBe(1_000);
    expect(clock.monotonicMs()).toBe(6_000);
  });

  it('lets promise chains set their next timer between timers in advanceAsync', async () => {
    const clock = new SimulatedClock();
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.after(ms, resolve));
    const stamps: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(100);
        stamps.push(clock.monotonicMs());
      }
    })();
    await clock.advanceAsync(1_000);
    await loop;
    expect(stamps).toEqual([100, 200, 300]);
  });
});

describe('SimulatedClock, speed-up mode', () => {
  it('runs simulated time at the factor on one real timer', () => {
    const real = new ManualRealTimers();
    const clock = new SimulatedClock({ speed: 1_000, realTimers: real });
    const fired: number[] = [];
    clock.after(60_000, () => fired.push(clock.monotonicMs()));
    clock.after(120_000, () => fired.push(clock.monotonicMs()));
    expect(real.armed).toEqual([60]);
    real.pass(30);
    expect(clock.monotonicMs()).toBe(30_000);
    expect(fired).toEqual([]);
    real.pass(30);
    expect(fired).toEqual([60_000]);
    expect(real.armed).toEqual([60]);
    real.pass(60);
    expect(fired).toEqual([60_000, 120_000]);
    expect(real.armed).toEqual([]);
  });

  it('jumps ahead with advance() and re-arms the real timer', () => {
    const real = new ManualRealTimers();
    const clock = new SimulatedClock({ speed: 10, realTimers: real });
    const fired: string[] = [];
    clock.after(1_000, () => fired.push('a'));
    clock.after(5_000, () => fired.push('b'));
    clock.advance(2_000);
    expect(fired).toEqual(['a']);
    expect(real.armed).toEqual([300]);
    clock.stop();
    expect(real.armed).toEqual([]);
  });

  it('refuses a speed that is not a positive factor', () => {
    expect(() => new SimulatedClock({ speed: 0 })).toThrow(RangeError);
    expect(() => new SimulatedClock({ speed: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});
