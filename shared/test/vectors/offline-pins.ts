/** The offline PIN section: K_offline, the PIN of every slot with each step of its truncation, and matcher cases. */
import { createHmac } from 'node:crypto';
import {
  deriveOfflineKey,
  falseAcceptRate,
  OFFLINE_DURATION_HOURS,
  OFFLINE_PIN_DIGITS,
  OFFLINE_VARIANTS,
  OfflinePinMatcher,
  type OfflinePinSlot,
  offlinePin,
  offlineSlotMessage,
  SLOTS_PER_HOUR_PER_COMPARTMENT_VARIANT,
  slotValidity,
  toHex,
  truncateToDigits,
} from '../../src/index.js';
import { assert } from './assert.js';
import { FIXED, HOUR_MS } from './fixed-keys.js';
import type { OfflineSlotVector, TestVectors } from './types.js';

export function offlinePinsSection(): TestVectors['offlinePins'] {
  const offlineKey = deriveOfflineKey(FIXED.offlineMasterKey, FIXED.depotId, FIXED.derivationId);
  const startHour = FIXED.stamp / HOUR_MS;
  const slots: OfflinePinSlot[] = [];
  for (let durationCode = 0; durationCode < OFFLINE_DURATION_HOURS.length; durationCode++) {
    for (let variant = 0; variant < OFFLINE_VARIANTS; variant++)
      slots.push({ compartment: 1, startHour, durationCode, variant });
  }
  slots.push(
    { compartment: 2, startHour: startHour + 1, durationCode: 4, variant: 1 },
    { compartment: 6, startHour: startHour + 24, durationCode: 6, variant: 2 },
    { compartment: 12, startHour: startHour + 7 * 24, durationCode: 5, variant: 0 },
    { compartment: 64, startHour: 0, durationCode: 7, variant: 3 },
    { compartment: 3, startHour: 2_000_000, durationCode: 0, variant: 0 },
  );
  const rows = slots.map((slot): OfflineSlotVector => {
    const message = offlineSlotMessage(FIXED.depotId, slot);
    const mac = createHmac('sha256', offlineKey).update(message).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
    const pin = offlinePin(offlineKey, FIXED.depotId, slot);
    assert(pin === truncateToDigits(mac, OFFLINE_PIN_DIGITS), 'truncation');
    assert(pin === String(binary % 10 ** OFFLINE_PIN_DIGITS).padStart(OFFLINE_PIN_DIGITS, '0'), 'binary');
    const { fromMs, untilMs } = slotValidity(slot);
    return {
      ...slot,
      message: toHex(message),
      hmac: toHex(mac),
      offset,
      binary,
      pin,
      validFromMs: fromMs,
      validUntilMs: untilMs,
    };
  });
  const slotOnly = ({ compartment, startHour: start, durationCode, variant }: OfflinePinSlot) => ({
    compartment,
    startHour: start,
    durationCode,
    variant,
  });
  const matchAt = (note: string, pin: string, nowMs: number) => {
    const matcher = new OfflinePinMatcher({ offlineKey, depotId: FIXED.depotId, compartments: 6 });
    return { note, compartments: 6, pin, nowMs, slots: matcher.match(pin, nowMs).map(slotOnly) };
  };
  const oneHour = rows[0];
  const oneWeek = rows[31];
  const matches = [
    matchAt('1-hour slot, half an hour in', oneHour.pin, oneHour.validFromMs + 30 * 60_000),
    matchAt('1-hour slot, first millisecond', oneHour.pin, oneHour.validFromMs),
    matchAt('1-hour slot, 1 ms before it starts', oneHour.pin, oneHour.validFromMs - 1),
    matchAt('1-hour slot, at its end (exclusive)', oneHour.pin, oneHour.validUntilMs),
    matchAt('168-hour slot, last millisecond', oneWeek.pin, oneWeek.validUntilMs - 1),
    matchAt('a PIN that is no slot’s', '000000000', oneHour.validFromMs),
  ];
  assert(matches[0].slots.length === 1 && matches[4].slots.length === 1 && matches[5].slots.length === 0, 'matcher');
  return {
    description:
      'Offline PINs: K_offline = HKDF-SHA256(master key, salt "keydepot offline-pin key v1", info depot id ‖ ' +
      'derivation id), PIN = RFC 4226 truncation of HMAC-SHA256(K_offline, slot message) to 9 digits. matches: ' +
      'what a depot with 6 compartments accepts for a typed PIN at nowMs.',
    masterKey: toHex(FIXED.offlineMasterKey),
    depotId: FIXED.depotId,
    derivationId: FIXED.derivationId,
    offlineKey: toHex(offlineKey),
    digits: OFFLINE_PIN_DIGITS,
    variants: OFFLINE_VARIANTS,
    durationHours: [...OFFLINE_DURATION_HOURS],
    slots: rows,
    matches,
    falseAcceptRates: [1, 6, 12, 64].map((compartments) => {
      const perGuess = falseAcceptRate(compartments);
      return {
        compartments,
        candidates: SLOTS_PER_HOUR_PER_COMPARTMENT_VARIANT * compartments * OFFLINE_VARIANTS,
        perGuess,
        perDayAt24Guesses: -Math.expm1(24 * Math.log1p(-perGuess)),
      };
    }),
  };
}
