import { createHmac, hkdfSync } from 'node:crypto';
import { OFFLINE_PIN_DIGITS, type OfflinePinMatcher, type OfflinePinSlot, PinKind } from '@keydepot/shared';
import type { DepotStore } from '../store/depot-store.js';
import type { PinRecord } from '../store/records.js';
import { type PinRuling, rulePin } from './pin-rules.js';

/** The keyed MAC a PIN is stored and looked up by: HMAC-SHA256(pin key, ASCII digits). */
export function pinMac(pinMacKey: Uint8Array, digits: string): Uint8Array {
  return createHmac('sha256', pinMacKey).update(digits, 'ascii').digest();
}

/**
 * A PIN MAC key derived from the depot's secret key (HKDF-SHA256, own label),
 * for an entry point that has no separate key file. Stored PINs match only
 * under the key they were added with: a new depot key means re-sending PINs.
 */
export function derivePinMacKey(depotSecretKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', depotSecretKey, 'keydepot pin-mac key v1', 'pin-mac', 32));
}

export type Verdict =
  | {
      readonly kind: 'accepted';
      readonly compartment: number;
      /** PIN_ACCEPTED subject: `pin:<id>` or `offline:<compartment>/<start hour>/<duration>/<variant>`. */
      readonly subject: string;
      /** A one-time PIN to mark spent in the same transaction as UNLOCKED. */
      readonly spendPinId?: number;
    }
  | {
      readonly kind: 'refused';
      readonly reason: 'wrong' | 'ambiguous' | 'clock-unknown' | 'not-valid' | 'spent';
      readonly subject: string;
      /** False for refusals that reveal nothing to a guesser (ambiguous, clock unknown). */
      readonly countsAsFailure: boolean;
    };

export interface VerdictContext {
  readonly store: Pick<DepotStore, 'pinsByMac' | 'isSlotRevoked'>;
  readonly pinMacKey: Uint8Array;
  readonly matcher?: OfflinePinMatcher;
  /** Trusted time; undefined while the clock is unknown. */
  readonly nowMs: number | undefined;
  readonly timeZone: string;
}

const slotSubject = (s: OfflinePinSlot) => `offline:${s.compartment}/${s.startHour}/${s.durationCode}/${s.variant}`;

function refusal(ruling: Exclude<PinRuling, { ok: true }>, pin: PinRecord): Verdict {
  const subject = `pin:${pin.id} ${ruling.reason}`;
  if (ruling.reason === 'clock-unknown')
    return { kind: 'refused', reason: 'clock-unknown', subject, countsAsFailure: false };
  if (ruling.reason === 'spent') return { kind: 'refused', reason: 'spent', subject, countsAsFailure: true };
  return { kind: 'refused', reason: 'not-valid', subject, countsAsFailure: true };
}

/**
 * Decides a typed PIN: stored PINs first (one index lookup by MAC), then
 * offline PINs (one Map lookup in the candidate table). Pure apart from the
 * reads; the caller journals and acts on the verdict in one transaction.
 */
export function decidePin(context: VerdictContext, digits: string): Verdict {
  const { store, nowMs, timeZone } = context;
  const pins = store.pinsByMac(pinMac(context.pinMacKey, digits));
  const valid = pins.filter((pin) => rulePin(pin, nowMs, timeZone).ok);
  if (valid.length > 0) {
    if (new Set(valid.map((pin) => pin.compartment)).size > 1) {
      return { kind: 'refused', reason: 'ambiguous', subject: 'ambiguous', countsAsFailure: false };
    }
    // Spend a one-time PIN only when no lasting PIN with the same digits opens the same door.
    const pin = valid.find((p) => p.kind !== PinKind.OneTime) ?? valid[0];
    return {
      kind: 'accepted',
      compartment: pin.compartment,
      subject: `pin:${pin.id}`,
      spendPinId: pin.kind === PinKind.OneTime ? pin.id : undefined,
    };
  }
  const stored = pins[0];
  if (digits.length === OFFLINE_PIN_DIGITS && context.matcher !== undefined) {
    if (nowMs === undefined) {
      return stored !== undefined
        ? refusal({ ok: false, reason: 'clock-unknown' }, stored)
        : { kind: 'refused', reason: 'clock-unknown', subject: 'clock-unknown', countsAsFailure: false };
    }
    const slots = context.matcher.match(digits, nowMs);
    if (slots.length > 1) return { kind: 'refused', reason: 'ambiguous', subject: 'ambiguous', countsAsFailure: false };
    if (slots.length === 1) {
      const slot = slots[0];
      if (!store.isSlotRevoked(slot))
        return { kind: 'accepted', compartment: slot.compartment, subject: slotSubject(slot) };
      return { kind: 'refused', reason: 'wrong', subject: `${slotSubject(slot)} revoked`, countsAsFailure: true };
    }
  }
  if (stored !== undefined) {
    const ruling = rulePin(stored, nowMs, timeZone);
    if (!ruling.ok) return refusal(ruling, stored);
  }
  return { kind: 'refused', reason: 'wrong', subject: 'wrong', countsAsFailure: true };
}
