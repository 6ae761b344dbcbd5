/**
 * Movements as a real fleet journals them: episodes of events (a customer
 * picks a key up with a one-time PIN, staff bring one back, a wrong PIN, a
 * remote open, now and then a door left open, a tamper or a lockout), spread
 * evenly over the last 90 days and unevenly over depots (log-normal: a busy
 * workshop sees ten times the traffic of a quiet holiday flat). Seeded, so
 * every run loads the same rows.
 */

import type { Random } from '../../firmware/src/link/rhythm.js';
import { deriveSeed, seededRandom } from '../../firmware/src/link/seeded-random.js';
import { EventKind } from '../../shared/src/index.js';

export const MOVEMENT_DAYS = 90;
const DAY_MS = 86_400_000;

export interface MovementRow {
  /** Index into the depot list given to generateMovements. */
  readonly depotIndex: number;
  /** Journal sequence on the depot, from 1. */
  readonly sequence: number;
  readonly kind: EventKind;
  readonly compartment: number;
  readonly subject: string;
  readonly depotTimeMs: number;
  readonly receivedAtMs: number;
}

type Step = readonly [kind: EventKind, compartment: number, subject: string];

/** Per depot: its compartment count and the counters its PIN and command ids come from. */
interface DepotState {
  readonly compartments: number;
  sequence: number;
  pins: number;
  commands: number;
}

const K = EventKind;
/** Episode kinds with their share of all episodes; the sequences follow firmware/src/depot/depot-core.ts. */
const EPISODES: ReadonlyArray<{ weight: number; steps(d: DepotState, c: number, random: Random): Step[] }> = [
  {
    // A customer collects a key with a one-time PIN: accepted, spent and unlocked in one transaction.
    weight: 34,
    steps: (d, c) => {
      const pin = `pin:${++d.pins}`;
      return [
        [K.PinAccepted, c, pin],
        [K.PinSpent, c, pin],
        [K.Unlocked, c, pin],
        [K.DoorOpened, c, ''],
        [K.KeyRemoved, c, ''],
        [K.DoorClosed, c, ''],
      ];
    },
  },
  {
    // Staff bring a key back with their permanent PIN.
    weight: 30,
    steps: (d, c) => {
      const pin = `pin:${(d.pins % 5) + 1}`;
      return [
        [K.PinAccepted, c, pin],
        [K.Unlocked, c, pin],
        [K.DoorOpened, c, ''],
        [K.KeyReturned, c, ''],
        [K.DoorClosed, c, ''],
      ];
    },
  },
  // The portal sent a PIN (or revoked one): the depot applied the command.
  { weight: 10, steps: (d) => [[K.CommandApplied, 0, `cmd:${++d.commands}`]] },
  {
    weight: 8,
    steps: (d, c) => [
      [K.CommandApplied, 0, `cmd:${++d.commands}`],
      [K.Unlocked, c, `cmd:${d.commands}`],
      [K.DoorOpened, c, ''],
      [K.KeyRemoved, c, ''],
      [K.DoorClosed, c, ''],
    ],
  },
  {
    weight: 12,
    steps: (d, _c, random) =>
      Array.from({ length: 1 + Math.floor(random() * 2) }, (): Step => [K.PinRejected, 0, `pin:${d.pins + 7} spent`]),
  },
  {
    weight: 2,
    steps: (d, c) => {
      const pin = `pin:${++d.pins}`;
      return [
        [K.PinAccepted, c, pin],
        [K.PinSpent, c, pin],
        [K.Unlocked, c, pin],
        [K.DoorOpened, c, ''],
        [K.KeyRemoved, c, ''],
        [K.DoorLeftOpen, c, ''],
        [K.DoorClosed, c, ''],
      ];
    },
  },
  {
    weight: 0.4,
    steps: () => [
      ...Array.from({ length: 5 }, (): Step => [K.PinRejected, 0, 'unknown']),
      [K.LockoutStarted, 0, '60 s'],
      [K.LockoutEnded, 0, 'elapsed'],
    ],
  },
  {
    weight: 0.3,
    steps: (_d, c) => [
      [K.Tamper, c, ''],
      [K.DoorClosed, c, ''],
    ],
  },
  {
    weight: 0.5,
    steps: () => [
      [K.Boot, 0, '1.4.2'],
      [K.ClockSet, 0, 'set'],
    ],
  },
];

/** Cumulative weights, for picking by one uniform draw. */
function cumulative(weights: readonly number[]): Float64Array {
  const sums = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    sums[i] = sum;
  });
  return sums;
}

function pick(sums: Float64Array, random: Random): number {
  const target = random() * (sums[sums.length - 1] ?? 0);
  let lo = 0;
  let hi = sums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sums[mid] ?? 0) > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Traffic share per depot: log-normal (σ 0.8) from the seed, so the busiest has ~8× the median. */
export function depotWeights(count: number, seed: number): number[] {
  const random = seededRandom(deriveSeed(seed, 'depot-weights'));
  return Array.from({ length: count }, () => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.exp(0.8 * gaussian);
  });
}

/**
 * Yields `total` movements in arrival order (ids grow with time, as the
 * relay stores them) over the MOVEMENT_DAYS before `endMs`.
 */
export function* generateMovements(
  depots: ReadonlyArray<{ compartments: number }>,
  total: number,
  endMs: number,
  seed: number,
): Generator<MovementRow> {
  const random = seededRandom(deriveSeed(seed, 'movements'));
  const depotSums = cumulative(depotWeights(depots.length, seed));
  const episodeSums = cumulative(EPISODES.map((e) => e.weight));
  const states: DepotState[] = depots.map((d) => ({ compartments: d.compartments, sequence: 0, pins: 0, commands: 0 }));
  const startMs = endMs - MOVEMENT_DAYS * DAY_MS;
  const stepMs = (endMs - startMs) / Math.max(1, total);
  let emitted = 0;
  while (emitted < total) {
    const depotIndex = pick(depotSums, random);
    const depot = states[depotIndex] as DepotState;
    const compartment = 1 + Math.floor(random() * depot.compartments);
    const episode = EPISODES[pick(episodeSums, random)] as (typeof EPISODES)[number];
    let timeMs = Math.floor(startMs + emitted * stepMs);
    // A depot that was offline delivers its journal late (2% of episodes, up to two hours).
    const delayMs = random() < 0.02 ? Math.floor(random() * 7_200_000) : 150 + Math.floor(random() * 1_500);
    for (const [kind, c, subject] of episode.steps(depot, compartment, random)) {
      if (emitted >= total) return;
      depot.sequence += 1;
      emitted += 1;
      yield {
        depotIndex,
        sequence: depot.sequence,
        kind,
        compartment: c,
        subject,
        depotTimeMs: Math.min(endMs, timeMs),
        receivedAtMs: Math.min(endMs, timeMs + delayMs),
      };
      timeMs += 1_000 + Math.floor(random() * 4_000);
    }
  }
}
