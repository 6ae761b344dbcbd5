/** Range rules shared by the encoder and the decoder, so that both refuse the same values. */
import { fromHex, utf8 } from '../bytes.js';
import { MAX_COMPARTMENTS, MAX_PIN_DIGITS, MIN_PIN_DIGITS } from '../constants.js';
import { PinKind, type ScheduleEntry } from '../frames.js';
import { fail } from './body-io.js';

const MINUTES_PER_DAY = 1440;

export function check(ok: boolean, message: string): void {
  if (!ok) fail('bad-value', message);
}
export const isU8 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xff;
const isU16 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffff;
export const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
export const isTime = (v: number) => Number.isSafeInteger(v) && v >= 0;
export const isCompartment = (v: number, allowDepot: boolean) =>
  Number.isInteger(v) && v >= (allowDepot ? 0 : 1) && v <= MAX_COMPARTMENTS;

export function epochBytes(epoch: string): Uint8Array {
  check(/^[0-9a-f]{16}$/.test(epoch), `journal epoch must be 16 lower-case hex digits, got '${epoch}'`);
  return fromHex(epoch);
}

export function boundedText(text: string, max: number, field: string): Uint8Array {
  const bytes = utf8(text);
  check(bytes.length <= max, `${field} longer than ${max} bytes`);
  return bytes;
}

/** A schedule belongs to a recurring PIN and a recurring PIN needs one; a window must not end before it starts. */
export function checkPinShape(
  pinKind: number,
  validFromMs: number,
  validUntilMs: number,
  scheduleLength: number,
): void {
  check(
    (pinKind === PinKind.RecurringWeekly) === scheduleLength > 0,
    'a recurring PIN needs a schedule, and only a recurring PIN has one',
  );
  check(validUntilMs === 0 || validFromMs <= validUntilMs, 'PIN valid-until lies before valid-from');
}

export function checkDigits(digits: string): void {
  check(
    digits.length >= MIN_PIN_DIGITS && digits.length <= MAX_PIN_DIGITS && /^[0-9]+$/.test(digits),
    `PIN must be ${MIN_PIN_DIGITS}-${MAX_PIN_DIGITS} digits`,
  );
}

export function checkSchedule(entry: ScheduleEntry): void {
  check(
    isU8(entry.days) &&
      entry.days > 0 &&
      entry.days < 0x80 &&
      isU16(entry.startMinute) &&
      isU16(entry.endMinute) &&
      entry.startMinute < entry.endMinute &&
      entry.endMinute <= MINUTES_PER_DAY,
    'schedule entry out of range',
  );
}
