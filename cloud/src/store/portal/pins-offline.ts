import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  OFFLINE_DURATION_HOURS,
  OFFLINE_PIN_DIGITS,
  OFFLINE_VARIANTS,
  type OfflinePinSlot,
  offlinePin,
} from '@keydepot/shared';

/** HMACs between two yields to the event loop (a few milliseconds of work). */
const CHUNK = 250;

export interface OfflineSearchOptions {
  readonly offlineKey: Uint8Array;
  readonly depotId: number;
  readonly compartments: number;
  readonly digits?: number;
}

/**
 * The first variant of a slot (compartment, start, duration) that is not in
 * `taken` and whose PIN no other slot shares while both can be in the depot's
 * candidate table: the rule of shared's findOfflinePinCollision, so the depot
 * never finds an issued PIN ambiguous. Every free variant is checked in one
 * pass over the overlapping slots (a week-long PIN on 6 compartments is about
 * 40,000 HMACs), yielding to the event loop every CHUNK HMACs so other
 * requests are not held up. Null when every variant is taken or collides.
 */
export async function firstFreeOfflineSlot(
  options: OfflineSearchOptions,
  base: Omit<OfflinePinSlot, 'variant'>,
  taken: ReadonlySet<number>,
): Promise<OfflinePinSlot | null> {
  const digits = options.digits ?? OFFLINE_PIN_DIGITS;
  const pinOf = (slot: OfflinePinSlot) => offlinePin(options.offlineKey, options.depotId, slot, digits);
  const byPin = new Map<string, number[]>();
  for (let variant = 0; variant < OFFLINE_VARIANTS; variant++) {
    if (taken.has(variant)) continue;
    const pin = pinOf({ ...base, variant });
    byPin.set(pin, [...(byPin.get(pin) ?? []), variant]);
  }
  const collided = new Set<number>();

  const end = base.startHour + OFFLINE_DURATION_HOURS[base.durationCode];
  let work = 0;
  for (let durationCode = 0; durationCode < OFFLINE_DURATION_HOURS.length; durationCode++) {
    // A slot is in the table at some hour of [start, end) when it starts before `end` and ends after `start`.
    const first = Math.max(0, base.startHour - OFFLINE_DURATION_HOURS[durationCode] + 1);
    for (let startHour = first; startHour < end; startHour++) {
      for (let compartment = 1; compartment <= options.compartments; compartment++) {
        for (let variant = 0; variant < OFFLINE_VARIANTS; variant++) {
          const hit = byPin.get(pinOf({ compartment, startHour, durationCode, variant }));
          // A hit is a collision unless it is the candidate itself (its sibling variants do count).
          const sameBase =
            compartment === base.compartment && startHour === base.startHour && durationCode === base.durationCode;
          if (hit) for (const v of hit) if (!(sameBase && v === variant)) collided.add(v);
          if (++work % CHUNK === 0) await yieldToLoop();
        }
      }
    }
  }
  for (let variant = 0; variant < OFFLINE_VARIANTS; variant++) {
    if (!taken.has(variant) && !collided.has(variant)) return { ...base, variant };
  }
  return null;
}
