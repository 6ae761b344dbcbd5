import {
  CHECK_IN_INTERVAL_MS,
  CHECK_IN_JITTER_MS,
  KEEPALIVE_MAX_MS,
  KEEPALIVE_MIN_MS,
  RETRANSMIT_ATTEMPTS,
  RETRANSMIT_MAX_MS,
  RETRANSMIT_MIN_MS,
} from '@keydepot/shared';

/** A source of uniform numbers in [0, 1): Math.random in the daemon, a seeded one in tests. */
export type Random = () => number;

/** The timings of protocol §10; tests and the simulator may shorten them, the daemon uses the defaults. */
export interface RhythmSettings {
  readonly checkInIntervalMs: number;
  readonly checkInJitterMs: number;
  /** Keepalive after this much silence (a random point in [min, max]); null switches keepalives off. */
  readonly keepalive: { readonly minMs: number; readonly maxMs: number } | null;
  readonly retransmitMinMs: number;
  readonly retransmitMaxMs: number;
  readonly retransmitAttempts: number;
  /** Fresh journal events are sent after at most this delay, so a burst of events shares one telegram. */
  readonly journalFlushMs: number;
}

export const DEFAULT_RHYTHM: RhythmSettings = {
  checkInIntervalMs: CHECK_IN_INTERVAL_MS,
  checkInJitterMs: CHECK_IN_JITTER_MS,
  keepalive: { minMs: KEEPALIVE_MIN_MS, maxMs: KEEPALIVE_MAX_MS },
  retransmitMinMs: RETRANSMIT_MIN_MS,
  retransmitMaxMs: RETRANSMIT_MAX_MS,
  retransmitAttempts: RETRANSMIT_ATTEMPTS,
  journalFlushMs: 200,
};

function between(random: Random, min: number, max: number): number {
  return Math.round(min + random() * (max - min));
}

/** Time to the next check-in: the interval ± jitter, drawn anew each time so depots rebooted together drift apart. */
export function checkInDelay(rhythm: RhythmSettings, random: Random): number {
  return between(
    random,
    rhythm.checkInIntervalMs - rhythm.checkInJitterMs,
    rhythm.checkInIntervalMs + rhythm.checkInJitterMs,
  );
}

/** Silence after which a keepalive goes out, or null when keepalives are off. */
export function keepaliveDelay(rhythm: RhythmSettings, random: Random): number | null {
  return rhythm.keepalive === null ? null : between(random, rhythm.keepalive.minMs, rhythm.keepalive.maxMs);
}

/**
 * The waits of one exchange (CoAP-style): T₀ drawn from [min, max], then doubled
 * after every retransmission: T₀, 2T₀, 4T₀, … (attempts + 1 waits in all; the
 * last one ends in giving up).
 */
export function retransmitWaits(rhythm: RhythmSettings, random: Random): number[] {
  const first = between(random, rhythm.retransmitMinMs, rhythm.retransmitMaxMs);
  return Array.from({ length: rhythm.retransmitAttempts + 1 }, (_, i) => first * 2 ** i);
}
