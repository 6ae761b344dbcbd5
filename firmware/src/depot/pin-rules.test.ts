import { PinKind, type ScheduleEntry } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import type { PinRecord } from '../store/records.js';
import { inSchedule, isTimeBound, localWeekMinute, rulePin } from './pin-rules.js';

const BERLIN = 'Europe/Berlin';
const MON_TO_FRI = 0b0011111;
const SUNDAY = 1 << 6;
const utc = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

function pin(fields: Partial<PinRecord>): PinRecord {
  return {
    id: 1,
    kind: PinKind.Permanent,
    compartment: 1,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
    revoked: false,
    ...fields,
  };
}

const weekly = (schedule: ScheduleEntry[]) => pin({ kind: PinKind.RecurringWeekly, schedule });
const rule = (p: PinRecord, now: number | undefined) => {
  const r = rulePin(p, now, BERLIN);
  return r.ok ? 'ok' : r.reason;
};

describe('PIN rules', () => {
  it('a permanent PIN works with or without a clock', () => {
    expect(rule(pin({}), undefined)).toBe('ok');
    expect(rule(pin({}), utc(2025, 11, 28, 3))).toBe('ok');
    expect(isTimeBound(pin({}))).toBe(false);
  });

  it('a revoked PIN never works', () => {
    expect(rule(pin({ revoked: true }), undefined)).toBe('revoked');
  });

  it('a one-time PIN works until spent; with bounds it needs the clock', () => {
    expect(rule(pin({ kind: PinKind.OneTime }), undefined)).toBe('ok');
    expect(rule(pin({ kind: PinKind.OneTime, spentMs: 5 }), undefined)).toBe('spent');
    const bounded = pin({ kind: PinKind.OneTime, validUntilMs: 2000 });
    expect(rule(bounded, undefined)).toBe('clock-unknown');
    expect(rule(bounded, 1999)).toBe('ok');
    expect(rule(bounded, 2000)).toBe('expired');
  });

  it('a time window includes its start and excludes its end', () => {
    const window = pin({ kind: PinKind.TimeWindow, validFromMs: 1000, validUntilMs: 2000 });
    expect(rule(window, 999)).toBe('not-yet');
    expect(rule(window, 1000)).toBe('ok');
    expect(rule(window, 1999)).toBe('ok');
    expect(rule(window, 2000)).toBe('expired');
  });

  it('time-bound PINs fail closed while the clock is unknown', () => {
    expect(rule(pin({ kind: PinKind.TimeWindow, validFromMs: 1000 }), undefined)).toBe('clock-unknown');
    expect(rule(pin({ kind: PinKind.TimeWindow }), undefined)).toBe('clock-unknown');
    expect(rule(weekly([{ days: 127, startMinute: 0, endMinute: 1440 }]), undefined)).toBe('clock-unknown');
  });

  it('a weekly schedule follows Berlin winter time (UTC+1)', () => {
    const office = weekly([{ days: MON_TO_FRI, startMinute: 8 * 60, endMinute: 17 * 60 }]);
    // Friday 2025-11-28
    expect(rule(office, utc(2025, 11, 28, 6, 59))).toBe('outside-schedule');
    expect(rule(office, utc(2025, 11, 28, 7, 0))).toBe('ok');
    expect(rule(office, utc(2025, 11, 28, 15, 59))).toBe('ok');
    expect(rule(office, utc(2025, 11, 28, 16, 0))).toBe('outside-schedule');
    // Saturday
    expect(rule(office, utc(2025, 11, 29, 10, 0))).toBe('outside-schedule');
  });

  it('the same schedule follows Berlin summer time (UTC+2)', () => {
    const office = weekly([{ days: MON_TO_FRI, startMinute: 8 * 60, endMinute: 17 * 60 }]);
    // Friday 2025-07-04
    expect(rule(office, utc(2025, 7, 4, 5, 59))).toBe('outside-schedule');
    expect(rule(office, utc(2025, 7, 4, 6, 0))).toBe('ok');
    expect(rule(office, utc(2025, 7, 4, 14, 59))).toBe('ok');
    expect(rule(office, utc(2025, 7, 4, 15, 0))).toBe('outside-schedule');
  });

  it('spring forward: the skipped hour 02:00–03:00 never matches, 03:00 follows 01:59', () => {
    // Sunday 2025-03-30: at 01:00 UTC Berlin jumps from 02:00 CET to 03:00 CEST.
    expect(localWeekMinute(utc(2025, 3, 30, 0, 59), BERLIN)).toEqual({ weekday: 6, minute: 1 * 60 + 59 });
    expect(localWeekMinute(utc(2025, 3, 30, 1, 0), BERLIN)).toEqual({ weekday: 6, minute: 3 * 60 });
    const night = weekly([{ days: SUNDAY, startMinute: 2 * 60 + 30, endMinute: 3 * 60 + 30 }]);
    expect(rule(night, utc(2025, 3, 30, 0, 59))).toBe('outside-schedule');
    expect(rule(night, utc(2025, 3, 30, 1, 0))).toBe('ok');
    expect(rule(night, utc(2025, 3, 30, 1, 29))).toBe('ok');
    expect(rule(night, utc(2025, 3, 30, 1, 30))).toBe('outside-schedule');
  });

  it('fall back: the repeated hour 02:00–03:00 matches both times', () => {
    // Sunday 2025-10-26: at 01:00 UTC Berlin goes from 03:00 CEST back to 02:00 CET.
    const night = weekly([{ days: SUNDAY, startMinute: 2 * 60, endMinute: 3 * 60 }]);
    expect(rule(night, utc(2025, 10, 25, 23, 59))).toBe('outside-schedule'); // 01:59 CEST
    expect(rule(night, utc(2025, 10, 26, 0, 30))).toBe('ok'); // 02:30 CEST
    expect(rule(night, utc(2025, 10, 26, 1, 30))).toBe('ok'); // 02:30 CET
    expect(rule(night, utc(2025, 10, 26, 2, 0))).toBe('outside-schedule'); // 03:00 CET
  });

  it('schedules honour the PIN’s validity bounds too', () => {
    const p = pin({
      kind: PinKind.RecurringWeekly,
      validUntilMs: utc(2025, 11, 28, 8),
      schedule: [{ days: 127, startMinute: 0, endMinute: 1440 }],
    });
    expect(rule(p, utc(2025, 11, 28, 7))).toBe('ok');
    expect(rule(p, utc(2025, 11, 28, 8))).toBe('expired');
  });

  it('weekday bits run Monday = bit 0 … Sunday = bit 6, end minute exclusive, 1440 = midnight', () => {
    const allDay = [{ days: 1, startMinute: 0, endMinute: 1440 }];
    expect(inSchedule(allDay, { weekday: 0, minute: 1439 })).toBe(true);
    expect(inSchedule(allDay, { weekday: 1, minute: 0 })).toBe(false);
    // 2025-12-01 is a Monday; 23:30 UTC Sunday is 00:30 Monday in Berlin.
    expect(localWeekMinute(utc(2025, 11, 30, 23, 30), BERLIN)).toEqual({ weekday: 0, minute: 30 });
    expect(localWeekMinute(utc(2025, 11, 30, 23, 30), 'UTC')).toEqual({ weekday: 6, minute: 23 * 60 + 30 });
  });
});
