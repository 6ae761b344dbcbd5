import type { Clock, Timer } from './types.js';

/**
 * Node's setTimeout fires at once (with a warning) for delays past 2^31-1 ms,
 * about 24.8 days; a lockout or a time-window PIN can be further away than that.
 */
const MAX_NODE_DELAY_MS = 2 ** 31 - 1;

/** The process's own clock: Date.now, performance.now and setTimeout. */
export class RealClock implements Clock {
  wallMs(): number {
    return Date.now();
  }

  monotonicMs(): number {
    // The global, looked up per call, so fake timers (vi.useFakeTimers) can stand in for it.
    return performance.now();
  }

  after(delayMs: number, task: () => void): Timer {
    const due = this.monotonicMs() + Math.max(0, delayMs);
    let handle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      const remaining = due - this.monotonicMs();
      if (remaining > MAX_NODE_DELAY_MS) {
        handle = setTimeout(arm, MAX_NODE_DELAY_MS);
      } else {
        handle = setTimeout(task, Math.max(0, remaining));
      }
    };
    arm();
    return {
      cancel: () => {
        if (handle) clearTimeout(handle);
      },
    };
  }
}
