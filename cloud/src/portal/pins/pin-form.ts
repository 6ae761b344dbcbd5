import { HOUR_MS, OFFLINE_DURATION_HOURS, type ScheduleEntry } from '@keydepot/shared';
import type { Depot } from '../../store/depots.js';
import { PIN_KIND_NAMES, type PinKindName } from '../../store/portal/pins.js';
import type { FormInput } from '../form-input.js';
import type { Language } from '../i18n/language.js';
import { pinsTexts } from './pins-texts.js';
import { parseTime, zonedToUtc } from './zoned-time.js';

/** The form's field names: stable, the browser test fills them. */
export const PIN_FIELDS = [
  'kind',
  'compartment',
  'label',
  'from_date',
  'from_time',
  'until_date',
  'until_time',
  'day_from',
  'day_until',
  'duration',
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => `day_${d}`),
] as const;

export type PinFormValues = Partial<Record<(typeof PIN_FIELDS)[number], string>>;

export const LABEL_MAX = 200;
/** Further ahead than this is a typo, not a plan (and keeps every time far inside u64/JS limits). */
const MAX_AHEAD_MS = 5 * 366 * 24 * HOUR_MS;

export type PinRequest =
  | {
      readonly kind: Exclude<PinKindName, 'offline'>;
      readonly compartment: number;
      readonly label: string;
      readonly validFromMs: number;
      readonly validUntilMs: number;
      readonly schedule: readonly ScheduleEntry[];
    }
  | {
      readonly kind: 'offline';
      readonly compartment: number;
      readonly label: string;
      readonly startHour: number;
      readonly durationCode: number;
    };

/** What a fresh form shows: a one-time PIN for compartment 1, or an offline one when the depot is offline. */
export function defaultValues(depot: Depot): PinFormValues {
  return {
    kind: depot.online ? 'one-time' : 'offline',
    compartment: '1',
    duration: '4',
    day_from: '08:00',
    day_until: '18:00',
  };
}

/** A date and optional time on the depot's wall clock; `fallback` is the time used when none is given. */
function readMoment(form: FormInput, lang: Language, zone: string, prefix: 'from' | 'until', fallback: string) {
  const t = pinsTexts[lang];
  const date = form.raw(`${prefix}_date`);
  const time = form.raw(`${prefix}_time`);
  if (date === '' && time === '') return null;
  if (date === '') {
    form.fail(`${prefix}_date`, t.errDate);
    return undefined;
  }
  if (time !== '' && parseTime(time) === null) {
    form.fail(`${prefix}_time`, t.errTime);
    return undefined;
  }
  const ms = zonedToUtc(date, time || fallback, zone);
  if (ms === null) form.fail(`${prefix}_date`, t.errDate);
  return ms ?? undefined;
}

/**
 * Reads and checks the new-PIN form. Fields another kind would need are
 * ignored; every problem is recorded on `form` (the caller re-renders it).
 */
export function readPinRequest(form: FormInput, lang: Language, depot: Depot, nowMs: number): PinRequest | null {
  const t = pinsTexts[lang];
  const zone = depot.timeZone;
  const kind = form.choice('kind', PIN_KIND_NAMES, t.errKind);
  const compartment = form.integer('compartment', { min: 1, max: depot.compartmentCount, required: true });
  if (compartment === null) {
    delete form.errors.compartment;
    form.fail('compartment', t.errCompartment);
  }
  const label = form.text('label', { max: LABEL_MAX });
  if (kind === 'offline') return readOffline(form, lang, zone, nowMs, compartment ?? 1, label);
  if (kind === 'permanent') {
    return form.ok
      ? { kind, compartment: compartment ?? 1, label, validFromMs: 0, validUntilMs: 0, schedule: [] }
      : null;
  }

  const from = readMoment(form, lang, zone, 'from', '00:00');
  const until = readMoment(form, lang, zone, 'until', '23:59');
  if (kind === 'time-window') {
    if (from === null) form.fail('from_date', t.errDate);
    if (until === null) form.fail('until_date', t.errDate);
  }
  if (typeof until === 'number') {
    if (until <= nowMs) form.fail('until_date', t.errUntilPast);
    else if (typeof from === 'number' && until <= from) form.fail('until_date', t.errUntilBeforeFrom);
    else if (until > nowMs + MAX_AHEAD_MS) form.fail('until_date', t.errTooFar);
  }
  if (typeof from === 'number' && from > nowMs + MAX_AHEAD_MS) form.fail('from_date', t.errTooFar);

  const schedule: ScheduleEntry[] = [];
  if (kind === 'weekly') {
    let days = 0;
    for (let d = 1; d <= 7; d++) if (form.raw(`day_${d}`) !== '') days |= 1 << (d - 1);
    if (days === 0) form.fail('day_1', t.errWeekdays);
    const start = parseTime(form.raw('day_from'));
    const end = parseTime(form.raw('day_until'), true);
    if (start === null) form.fail('day_from', t.errTime);
    if (end === null) form.fail('day_until', t.errTime);
    if (start !== null && end !== null && end <= start) form.fail('day_until', t.errDayTimes);
    if (start !== null && end !== null) schedule.push({ days, startMinute: start, endMinute: end });
  }
  if (!form.ok) return null;
  return {
    kind,
    compartment: compartment ?? 1,
    label,
    validFromMs: typeof from === 'number' ? from : 0,
    validUntilMs: typeof until === 'number' ? until : 0,
    schedule,
  };
}

function readOffline(
  form: FormInput,
  lang: Language,
  zone: string,
  nowMs: number,
  compartment: number,
  label: string,
): PinRequest | null {
  const t = pinsTexts[lang];
  const durationCode = form.integer('duration', { min: 0, max: OFFLINE_DURATION_HOURS.length - 1, required: true });
  if (durationCode === null) {
    delete form.errors.duration;
    form.fail('duration', t.errDuration);
  }
  const from = readMoment(form, lang, zone, 'from', '00:00');
  const nowHour = Math.floor(nowMs / HOUR_MS);
  // The start hour in UTC hours; a zone with a half-hour offset starts at its wall clock's half hour.
  const startHour = typeof from === 'number' ? Math.floor(from / HOUR_MS) : nowHour;
  if (startHour < nowHour) form.fail('from_date', t.errStartPast);
  else if (startHour > nowHour + MAX_AHEAD_MS / HOUR_MS) form.fail('from_date', t.errTooFar);
  if (!form.ok || durationCode === null) return null;
  return { kind: 'offline', compartment, label, startHour, durationCode };
}
