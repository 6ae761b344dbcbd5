import type { Random } from '@keydepot/firmware';

/** A span of simulated time (ms on the fleet clock's monotonic scale) in which nothing gets through. */
export interface OutageWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * How bad the network between the depots and the relay is. Every field is
 * optional; the empty object is a perfect network (delivery at once, nothing
 * lost). Delays are simulated ms on the fleet clock.
 */
export interface NetworkConditions {
  /** Share of datagrams lost, 0-100. */
  readonly lossPercent?: number;
  /** Share of delivered datagrams that arrive twice, 0-100 (each copy with its own delay). */
  readonly duplicatePercent?: number;
  /** Share of datagrams held back by an extra delay drawn from [0, reorderMaxMs], so later ones overtake them. */
  readonly reorderPercent?: number;
  /**
   * Longest extra hold-back of a reordered datagram (default 3,000 ms): past the
   * 2-3 s first retransmission, so a late original can arrive after its
   * retransmission, the case the replay window and idempotent frames are for.
   */
  readonly reorderMaxMs?: number;
  /** Base one-way delay. */
  readonly delayMs?: number;
  /** Up to this much more delay, uniformly drawn per datagram (so jitter alone reorders close datagrams). */
  readonly jitterMs?: number;
  /** Total outages: every datagram sent inside one is lost. */
  readonly outages?: readonly OutageWindow[];
}

/** The default: no loss, no delay. */
export const PERFECT_NETWORK: NetworkConditions = Object.freeze({});

/** Default for `reorderMaxMs`. */
export const DEFAULT_REORDER_MAX_MS = 3_000;

const percent = (name: string, value: number | undefined) => {
  if (value !== undefined && !(value >= 0 && value <= 100)) throw new RangeError(`${name} must be 0-100, got ${value}`);
};
const duration = (name: string, value: number | undefined) => {
  if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be a finite number of ms ≥ 0, got ${value}`);
  }
};

/** Throws a RangeError naming the first field out of range; returns the conditions otherwise. */
export function checkConditions(conditions: NetworkConditions): NetworkConditions {
  percent('lossPercent', conditions.lossPercent);
  percent('duplicatePercent', conditions.duplicatePercent);
  percent('reorderPercent', conditions.reorderPercent);
  duration('reorderMaxMs', conditions.reorderMaxMs);
  duration('delayMs', conditions.delayMs);
  duration('jitterMs', conditions.jitterMs);
  for (const window of conditions.outages ?? []) {
    if (!(window.endMs >= window.startMs)) {
      throw new RangeError(`an outage must end after it starts, got ${window.startMs}-${window.endMs}`);
    }
  }
  return conditions;
}

/** True while `nowMs` lies in one of the outage windows (start inclusive, end exclusive). */
function inOutage(conditions: NetworkConditions, nowMs: number): boolean {
  return (conditions.outages ?? []).some((w) => nowMs >= w.startMs && nowMs < w.endMs);
}

/**
 * The fate of one datagram sent at `nowMs`: the delay of each copy that
 * arrives, in simulated ms. [] = lost, two entries = duplicated. Pure apart
 * from the draws it takes from `random`: the same seed and the same sequence
 * of calls give the same fates. Every datagram outside an outage takes the
 * same number of draws whatever the percentages, so changing one knob does
 * not reshuffle the others' decisions.
 */
export function datagramFate(conditions: NetworkConditions, random: Random, nowMs: number): number[] {
  if (inOutage(conditions, nowMs)) return [];
  const lost = random() * 100 < (conditions.lossPercent ?? 0);
  const duplicated = random() * 100 < (conditions.duplicatePercent ?? 0);
  const reordered = random() * 100 < (conditions.reorderPercent ?? 0);
  const holdBack = random() * (conditions.reorderMaxMs ?? DEFAULT_REORDER_MAX_MS);
  const first = delayOf(conditions, random());
  const second = delayOf(conditions, random());
  if (lost) return [];
  const delays = [reordered ? first + holdBack : first];
  if (duplicated) delays.push(second);
  return delays;
}

function delayOf(conditions: NetworkConditions, draw: number): number {
  return (conditions.delayMs ?? 0) + draw * (conditions.jitterMs ?? 0);
}
