import { PinKind, type ScheduleEntry } from '@keydepot/shared';
import type { PinRecord } from '../store/records.js';

/**
 * Whether a stored PIN may open now (docs/design.md, PINs; protocol §13). Pure: the
 * caller passes the trusted time (undefined while the clock is unknown) and
 * the depot's time zone for weekly schedules.
 */
export type PinRuling =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'revoked' | 'spent' | 'clock-unknown' | 'not-yet' | 'expired' | 'outside-schedule';
    };

const OK: PinRuling = { ok: true };
const no = (reason: Exclude<PinRuling, { ok: true }>['reason']): PinRuling => ({ ok: false, reason });

/** A PIN is time-bound if any of its rules needs the date: fail closed for it while the clock is unknown. */
export function isTimeBound(pin: Pick<PinRecord, 'kind' | 'validFromMs' | 'validUntilMs' | 'schedule'>): boolean {
  return (
    pin.kind === PinKind.TimeWindow ||
    pin.kind === PinKind.RecurringWeekly ||
    pin.validFromMs !== 0 ||
    pin.validUntilMs !== 0 ||
    pin.schedule.length > 0
  );
}

/** The ruling for one stored PIN at `nowMs` (undefined = clock unknown). */
export function rulePin(pin: PinRecord, nowMs: number | undefined, timeZone: string): PinRuling {
  if (pin.revoked) return no('revoked');
  if (pin.kind === PinKind.OneTime && pin.spentMs !== undefined) return no('spent');
  if (!isTimeBound(pin)) return OK;
  if (nowMs === undefined) return no('clock-unknown');
  if (pin.validFromMs !== 0 && nowMs < pin.validFromMs) return no('not-yet');
  if (pin.validUntilMs !== 0 && nowMs >= pin.validUntilMs) return no('expired');
  if (pin.schedule.length > 0 && !inSchedule(pin.schedule, localWeekMinute(nowMs, timeZone))) {
    return no('outside-schedule');
  }
  return OK;
}

/** A moment as a weekly schedule sees it: weekday (0 = Monday … 6 = Sunday) and minute of the local day. */
export interface WeekMinute {
  readonly weekday: number;
  readonly minute: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Local weekday and minute in `timeZone`, by the zone rules Node ships with (so DST is followed). */
export function localWeekMinute(nowMs: number, timeZone: string): WeekMinute {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatFor(timeZone).formatToParts(nowMs)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value];
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minute: hour * 60 + minute };
}

/** True when some entry covers the moment: its day bit is set and start ≤ minute < end. */
export function inSchedule(schedule: readonly ScheduleEntry[], at: WeekMinute): boolean {
  return schedule.some(
    (entry) => (entry.days & (1 << at.weekday)) !== 0 && entry.startMinute <= at.minute && at.minute < entry.endMinute,
  );
}
