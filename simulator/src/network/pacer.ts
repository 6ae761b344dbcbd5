/** The real timer functions a SimulatedClock in speed-up mode runs on (firmware's RealTimers shape). */
export interface PacedTimers {
  now(): number;
  setTimeout(task: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface NetworkPacerOptions {
  /** Longest real wait for an answer before time moves on anyway (a dropped or lost datagram): default 10 ms. */
  readonly capMs?: number;
}

/** How often the pacer looks for a stuck event loop, and how late the look may be before it counts. */
const LAG_WATCH_MS = 5;
const LAG_SLACK_MS = 2;

interface PacedHandle {
  real: NodeJS.Timeout | undefined;
  cancelled: boolean;
}

/**
 * Holds simulated time while the network works. At a speed-up of 1,440 one
 * real millisecond is 1.4 simulated seconds: a relay answering in 2 ms real
 * would answer after the depot's 2-3 s retransmission timer fired, and most
 * handshakes would never complete. So from the moment a datagram reaches the
 * relay's socket until an answer comes back on that depot's line (or `capMs`
 * real ms pass: the relay drops duplicates silently), the pacer's clock stands
 * still. The round trip then takes no simulated time, as on a LAN; the delays
 * the shim adds are simulated time on top. Many depots waiting at once share
 * one hold, so the relay still sees them concurrently and batches them.
 */
export class NetworkPacer {
  private readonly capMs: number;
  private readonly awaiting = new Map<object, NodeJS.Timeout>();
  private heldSince = 0;
  private heldTotal = 0;
  private resumers: (() => void)[] = [];
  /** Real ms the event loop was stuck (a burst of work): simulated time does not run on through them. */
  private lagTotal = 0;
  private lastNow = Number.NEGATIVE_INFINITY;
  /** Paced time when the watch last ran: time runs at most one watch period and the slack past it. */
  private watchedAt = performance.now();
  private readonly lagWatch: NodeJS.Timeout;
  /** Holds that ended because no answer came within capMs. */
  expired = 0;

  constructor(options: NetworkPacerOptions = {}) {
    this.capMs = options.capMs ?? 10;
    // A stuck event loop would otherwise let simulated time race ahead while nothing runs: every
    // retransmission and NAT timer of the fleet would then fall due in one burst, which makes
    // the next stall longer. Lateness of this watch beyond a little slack is taken out of time.
    let last = performance.now();
    this.lagWatch = setInterval(() => {
      const now = performance.now();
      const late = now - last - LAG_WATCH_MS;
      if (late > LAG_SLACK_MS) this.lagTotal += late - LAG_SLACK_MS;
      last = now;
      this.watchedAt = now - this.heldMs;
    }, LAG_WATCH_MS);
    this.lagWatch.unref();
  }

  /** Stops the lag watch (the clock's stop() calls it). */
  stop(): void {
    clearInterval(this.lagWatch);
  }

  /** True while some line awaits an answer. */
  get held(): boolean {
    return this.awaiting.size > 0;
  }

  /** Real ms simulated time stood still so far. */
  get heldMs(): number {
    return this.heldTotal + this.lagTotal + (this.held ? performance.now() - this.heldSince : 0);
  }

  /** A datagram from `line` reached the relay's socket: hold until it answers (one hold per line). */
  sent(line: object): void {
    if (this.awaiting.has(line)) return;
    if (this.awaiting.size === 0) this.heldSince = performance.now();
    const timer = setTimeout(() => {
      this.expired++;
      this.release(line);
    }, this.capMs);
    timer.unref();
    this.awaiting.set(line, timer);
  }

  /** A datagram arrived on `line` from the relay. */
  answered(line: object): void {
    this.release(line);
  }

  /** Real time minus the holds: what the clock's speed-up multiplies. */
  readonly timers: PacedTimers = {
    // Inside a stall, time stops one watch period past the last watch; when the late watch runs, the
    // stall goes into lagTotal and time goes on from that same point, so it never jumps either way.
    now: () => {
      const paced = Math.min(performance.now() - this.heldMs, this.watchedAt + LAG_WATCH_MS + LAG_SLACK_MS);
      this.lastNow = Math.max(this.lastNow, paced);
      return this.lastNow;
    },
    setTimeout: (task, delayMs) => {
      const handle: PacedHandle = { real: undefined, cancelled: false };
      const due = this.timers.now() + delayMs;
      const check = () => {
        handle.real = undefined;
        if (handle.cancelled) return;
        const left = due - this.timers.now();
        if (left <= 0) task();
        else if (this.held) this.resumers.push(check);
        else handle.real = setTimeout(check, left);
      };
      handle.real = setTimeout(check, delayMs);
      return handle;
    },
    clearTimeout: (handle) => {
      const paced = handle as PacedHandle;
      paced.cancelled = true;
      if (paced.real !== undefined) clearTimeout(paced.real);
    },
  };

  private release(line: object): void {
    const timer = this.awaiting.get(line);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.awaiting.delete(line);
    if (this.awaiting.size > 0) return;
    this.heldTotal += performance.now() - this.heldSince;
    for (const resume of this.resumers.splice(0)) resume();
  }
}
