/**
 * How long a strike may rest between two pulses. A storm of unlocks (a lying
 * relay repeating OPEN, a key taker hammering a valid PIN) then keeps a coil at
 * most pulse / (pulse + rest) of the time energised, never continuously.
 */
export const RELAY_REST_MS = 1_000;

/** What to do with one unlock request. */
export type PulseDecision =
  /** Energise now, for the one pulse length. */
  | { readonly kind: 'start' }
  /** A pulse is energised or already waiting: the request shares it and does not extend it. */
  | { readonly kind: 'join' }
  /** The relay has just been released: energise after `delayMs` of rest. */
  | { readonly kind: 'wait'; readonly delayMs: number };

/**
 * The energised-time limit of one lock, pure (times are passed in): a pulse
 * never grows while it runs, so the relay is energised at most one pulse length
 * in one go, whatever requests arrive, and it rests `restMs` before the next.
 * The caller reports what it did with `energised()` and `released()`.
 */
export class EnergisedLimit {
  private energisedAtMs: number | undefined;
  private releasedAtMs: number | undefined;
  private waiting = false;

  constructor(readonly restMs: number = RELAY_REST_MS) {}

  /** True from `energised()` to `released()`. */
  get isEnergised(): boolean {
    return this.energisedAtMs !== undefined;
  }

  /** The decision for a request at `nowMs` (monotonic). */
  request(nowMs: number): PulseDecision {
    if (this.energisedAtMs !== undefined || this.waiting) return { kind: 'join' };
    const restLeft = this.releasedAtMs === undefined ? 0 : this.releasedAtMs + this.restMs - nowMs;
    if (restLeft > 0) {
      this.waiting = true;
      return { kind: 'wait', delayMs: restLeft };
    }
    return { kind: 'start' };
  }

  energised(nowMs: number): void {
    this.waiting = false;
    this.energisedAtMs ??= nowMs;
  }

  /** The relay is released (pulse end, cut short, failed); a waiting pulse is dropped too. */
  released(nowMs: number): void {
    if (this.energisedAtMs !== undefined) this.releasedAtMs = nowMs;
    this.energisedAtMs = undefined;
    this.waiting = false;
  }

  /** How long the relay has been energised in one go at `nowMs` (0 while released). */
  energisedForMs(nowMs: number): number {
    return this.energisedAtMs === undefined ? 0 : nowMs - this.energisedAtMs;
  }
}
