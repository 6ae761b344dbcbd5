import { createHmac, hkdfSync } from 'node:crypto';
import { utf8 } from './bytes.js';
import { MAX_COMPARTMENTS } from './constants.js';
import type { OfflinePinSlot } from './frames.js';

/*
 * Offline PINs (docs/design.md, Offline PINs; protocol §14): the portal can issue a PIN while the depot is
 * offline. Both sides hold the depot's offline key; the PIN is the decimal
 * truncation (RFC 4226 §5.3) of HMAC-SHA256(K_offline, slot), and the depot
 * looks a typed PIN up among the slots that can be valid now.
 */

/** Offline PINs are longer than online ones: many slots are live at once (see falseAcceptRate). */
export const OFFLINE_PIN_DIGITS = 9;
/** Distinct PINs the portal can issue for the same compartment, start and duration. */
export const OFFLINE_VARIANTS = 4;
/** Duration codes (index) → validity in hours. Never reorder: the code is part of the PIN. */
export const OFFLINE_DURATION_HOURS = [1, 2, 4, 8, 24, 48, 72, 168] as const;
export const HOUR_MS = 3_600_000;

const KEY_SALT = utf8('keydepot offline-pin key v1');
const SLOT_TAG = utf8('KDOP');

/**
 * K_offline for one depot: HKDF-SHA256(ikm = the cloud's offline master key,
 * salt = "keydepot offline-pin key v1", info = depot id ‖ derivation id, both
 * u32 LE). A PRF per depot, so one depot's key says nothing about another's
 * (the 2024 Saflok break came from a shared derivation); a new derivation id
 * (rekey) makes all earlier offline PINs of that depot worthless.
 */
export function deriveOfflineKey(masterKey: Uint8Array, depotId: number, derivationId: number): Uint8Array {
  if (masterKey.length !== 32) throw new RangeError('offline master key must be 32 bytes');
  const info = Buffer.alloc(8);
  info.writeUInt32LE(depotId, 0);
  info.writeUInt32LE(derivationId, 4);
  return new Uint8Array(hkdfSync('sha256', masterKey, KEY_SALT, info, 32));
}

/** The 15 bytes the PIN is computed over: "KDOP" ‖ depot u32 ‖ compartment u8 ‖ start hour u32 ‖ duration code u8 ‖ variant u8. */
export function offlineSlotMessage(depotId: number, slot: OfflinePinSlot): Uint8Array {
  checkSlot(slot);
  const message = Buffer.alloc(15);
  message.set(SLOT_TAG, 0);
  message.writeUInt32LE(depotId, 4);
  message.writeUInt8(slot.compartment, 8);
  message.writeUInt32LE(slot.startHour, 9);
  message.writeUInt8(slot.durationCode, 13);
  message.writeUInt8(slot.variant, 14);
  return message;
}

/** True when every field of the slot is in range: the one rule the PIN maths and the frame codec share. */
export function isOfflineSlot(slot: OfflinePinSlot): boolean {
  return (
    Number.isInteger(slot.compartment) &&
    slot.compartment >= 1 &&
    slot.compartment <= MAX_COMPARTMENTS &&
    Number.isInteger(slot.startHour) &&
    slot.startHour >= 0 &&
    slot.startHour <= 0xffff_ffff &&
    Number.isInteger(slot.durationCode) &&
    slot.durationCode >= 0 &&
    slot.durationCode < OFFLINE_DURATION_HOURS.length &&
    Number.isInteger(slot.variant) &&
    slot.variant >= 0 &&
    slot.variant < OFFLINE_VARIANTS
  );
}

function checkSlot(slot: OfflinePinSlot): void {
  if (!isOfflineSlot(slot)) throw new RangeError(`offline PIN slot out of range: ${JSON.stringify(slot)}`);
}

/** RFC 4226 §5.3 dynamic truncation of an HMAC to `digits` decimal digits (offset from the last byte). */
export function truncateToDigits(mac: Uint8Array, digits: number): string {
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The offline PIN for a slot. Used by the portal to issue and by the depot to search. */
export function offlinePin(
  offlineKey: Uint8Array,
  depotId: number,
  slot: OfflinePinSlot,
  digits = OFFLINE_PIN_DIGITS,
): string {
  const mac = createHmac('sha256', offlineKey).update(offlineSlotMessage(depotId, slot)).digest();
  return truncateToDigits(mac, digits);
}

/** Validity of a slot in ms since the Unix epoch: [start hour, start hour + duration). */
export function slotValidity(slot: OfflinePinSlot): { fromMs: number; untilMs: number } {
  const fromMs = slot.startHour * HOUR_MS;
  return { fromMs, untilMs: fromMs + OFFLINE_DURATION_HOURS[slot.durationCode] * HOUR_MS };
}

/** Slots valid at some moment of one hour, per compartment and variant: Σ durations = 327. */
export const SLOTS_PER_HOUR_PER_COMPARTMENT_VARIANT = OFFLINE_DURATION_HOURS.reduce((a, b) => a + b, 0);

/**
 * Probability that one random guess of `digits` digits opens some compartment,
 * with all slots live: 1 - (1 - 10^-digits)^candidates. For 6 compartments,
 * 4 variants and 9 digits: 7,848 candidates, about 7.8 × 10^-6 per guess; with
 * the lockout's ~24 guesses a day that is about 1.9 × 10^-4 a day.
 */
export function falseAcceptRate(
  compartments: number,
  digits = OFFLINE_PIN_DIGITS,
  variants = OFFLINE_VARIANTS,
): number {
  const candidates = SLOTS_PER_HOUR_PER_COMPARTMENT_VARIANT * compartments * variants;
  return -Math.expm1(candidates * Math.log1p(-(10 ** -digits)));
}

export interface OfflinePinMatcherOptions {
  readonly offlineKey: Uint8Array;
  readonly depotId: number;
  readonly compartments: number;
  readonly digits?: number;
}

/**
 * The depot's candidate search. It keeps a table of every slot that can be
 * valid in the current hour (327 × compartments × variants PINs), advanced
 * hour by hour: each new hour computes 8 × compartments × variants HMACs and
 * forgets the slots that ended, so a typed PIN is one Map lookup.
 */
export class OfflinePinMatcher {
  private readonly byPin = new Map<string, OfflinePinSlot[]>();
  private readonly byStartHour = new Map<number, Array<{ pin: string; slot: OfflinePinSlot }>>();
  private hour = -1;
  private readonly digits: number;

  constructor(private readonly options: OfflinePinMatcherOptions) {
    this.digits = options.digits ?? OFFLINE_PIN_DIGITS;
  }

  /** Number of (PIN, slot) entries in the table. */
  get size(): number {
    let n = 0;
    for (const entries of this.byStartHour.values()) n += entries.length;
    return n;
  }

  /** Every slot in the table (live at some moment of the current hour) whose PIN is `pin`. */
  slotsFor(pin: string): readonly OfflinePinSlot[] {
    return this.byPin.get(pin) ?? [];
  }

  /**
   * Slots whose PIN is `pin` and whose validity covers nowMs. More than one
   * is an ambiguous PIN: the depot must refuse it rather than guess a
   * compartment (the portal never issues one, see findOfflinePinCollision).
   */
  match(pin: string, nowMs: number): OfflinePinSlot[] {
    this.advanceTo(Math.floor(nowMs / HOUR_MS));
    const slots = this.byPin.get(pin);
    if (slots === undefined) return [];
    return slots.filter((slot) => {
      const { fromMs, untilMs } = slotValidity(slot);
      return fromMs <= nowMs && nowMs < untilMs;
    });
  }

  /** Brings the table to `hour`, incrementally when it moved forward by less than a week. */
  advanceTo(hour: number): void {
    if (hour === this.hour) return;
    const longest = OFFLINE_DURATION_HOURS[OFFLINE_DURATION_HOURS.length - 1];
    if (this.hour < 0 || hour < this.hour || hour - this.hour > longest) {
      this.byPin.clear();
      this.byStartHour.clear();
      for (let start = hour - longest + 1; start <= hour; start++) this.addStartHour(start, hour);
    } else {
      for (let start = this.hour + 1; start <= hour; start++) this.addStartHour(start, hour);
    }
    this.hour = hour;
    this.dropEnded(hour);
  }

  private addStartHour(start: number, nowHour: number): void {
    if (start < 0) return;
    const entries: Array<{ pin: string; slot: OfflinePinSlot }> = [];
    const { offlineKey, depotId, compartments } = this.options;
    OFFLINE_DURATION_HOURS.forEach((hours, durationCode) => {
      if (start + hours <= nowHour) return;
      for (let compartment = 1; compartment <= compartments; compartment++) {
        for (let variant = 0; variant < OFFLINE_VARIANTS; variant++) {
          const slot = { compartment, startHour: start, durationCode, variant };
          const pin = offlinePin(offlineKey, depotId, slot, this.digits);
          entries.push({ pin, slot });
          const list = this.byPin.get(pin);
          if (list) list.push(slot);
          else this.byPin.set(pin, [slot]);
        }
      }
    });
    this.byStartHour.set(start, entries);
  }

  private dropEnded(nowHour: number): void {
    for (const [start, entries] of this.byStartHour) {
      const live = entries.filter(({ slot }) => start + OFFLINE_DURATION_HOURS[slot.durationCode] > nowHour);
      for (const { pin, slot } of entries) {
        if (start + OFFLINE_DURATION_HOURS[slot.durationCode] > nowHour) continue;
        const list = this.byPin.get(pin);
        if (!list) continue;
        const kept = list.filter((s) => s !== slot);
        if (kept.length === 0) this.byPin.delete(pin);
        else this.byPin.set(pin, kept);
      }
      if (live.length === 0) this.byStartHour.delete(start);
      else if (live.length !== entries.length) this.byStartHour.set(start, live);
    }
  }
}

const sameSlot = (a: OfflinePinSlot, b: OfflinePinSlot) =>
  a.compartment === b.compartment &&
  a.startHour === b.startHour &&
  a.durationCode === b.durationCode &&
  a.variant === b.variant;

/**
 * For the portal, before it issues an offline PIN: another slot with the same
 * PIN that the depot's table holds at some hour of this slot's validity, or
 * null. Issue only slots without a collision (try the next variant), so a
 * depot never sees an issued PIN match two slots. Costs one table build plus
 * 8 × compartments × 4 HMACs per hour of validity (≈ 40k for a week).
 */
export function findOfflinePinCollision(
  options: OfflinePinMatcherOptions,
  slot: OfflinePinSlot,
): OfflinePinSlot | null {
  const pin = offlinePin(options.offlineKey, options.depotId, slot, options.digits);
  const matcher = new OfflinePinMatcher(options);
  const end = slot.startHour + OFFLINE_DURATION_HOURS[slot.durationCode];
  for (let hour = slot.startHour; hour < end; hour++) {
    matcher.advanceTo(hour);
    const other = matcher.slotsFor(pin).find((candidate) => !sameSlot(candidate, slot));
    if (other !== undefined) return other;
  }
  return null;
}
