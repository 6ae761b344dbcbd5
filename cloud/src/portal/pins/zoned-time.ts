import { zonedPartsFormatter } from '../../time-zone.js';
import { parseDate } from '../depot/zoned-days.js';

/*
 * PIN forms take dates and times on the depot's wall clock (a holiday flat in
 * Lisbon gets Lisbon times, whoever fills in the form). These turn a wall
 * date and time in an IANA zone into UTC milliseconds and back.
 */

/** The wall clock of `ms` in the zone: date 'YYYY-MM-DD' and time 'HH:MM'. */
export function wallClock(ms: number, timeZone: string): { date: string; time: string } {
  const p = Object.fromEntries(
    zonedPartsFormatter(timeZone)
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/** 'HH:MM' (00:00-23:59) as minutes of the day; '24:00' is allowed only where `allowEndOfDay`. */
export function parseTime(text: string, allowEndOfDay = false): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59) return null;
  if (minutes === 1440 && allowEndOfDay) return minutes;
  return minutes < 1440 ? minutes : null;
}

function wallAsUtc(ms: number, timeZone: string): number {
  const { date, time } = wallClock(ms, timeZone);
  const [y, mo, d] = parseDate(date) as [number, number, number];
  return Date.UTC(y, mo - 1, d) + (parseTime(time) as number) * 60_000;
}

/**
 * The instant a wall date and time happen in the zone; null for a bad date or
 * time. A time skipped by a DST change (02:30 on a spring-forward night)
 * becomes the same wall time after the change (03:30); a repeated one the
 * first of the two.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): number | null {
  const ymd = parseDate(date);
  const minutes = parseTime(time);
  if (!ymd || minutes === null) return null;
  const wall = Date.UTC(ymd[0], ymd[1] - 1, ymd[2]) + minutes * 60_000;
  const floorToMinute = (ms: number) => ms - (((ms % 60_000) + 60_000) % 60_000);
  // Two passes settle the offset across a change; the earlier candidate wins for a repeated hour.
  let guess = wall - (wallAsUtc(wall, timeZone) - floorToMinute(wall));
  guess = wall - (wallAsUtc(guess, timeZone) - guess);
  const earlier = guess - 3_600_000;
  if (wallAsUtc(earlier, timeZone) === wall) return earlier;
  return guess;
}
