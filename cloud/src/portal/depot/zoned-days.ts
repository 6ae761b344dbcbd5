import { zonedPartsFormatter } from '../../time-zone.js';

/*
 * Calendar days in a depot's time zone: the movement filter's dates and the
 * withdrawal chart's days are the depot's local days, whatever zone the
 * server or the user is in (a depot in Lisbon seen from Berlin).
 */

export { isTimeZone } from '../../time-zone.js';

/** The zone's wall clock at `ms` as if it were UTC, minus `ms`: the offset in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = Object.fromEntries(
    zonedPartsFormatter(timeZone)
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  // The parts have whole seconds: compare with `ms` floored to its second.
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The local date 'YYYY-MM-DD' of an instant in the zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms + offsetAt(ms, timeZone)).toISOString().slice(0, 10);
}

/** A 'YYYY-MM-DD' that is a real date, as [y, m, d]; null otherwise. */
export function parseDate(text: string): [number, number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 2000 || y > 2999 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return [y, mo, d];
}

/**
 * The instant the local day starts (00:00, or the first minute that exists
 * when a DST change skips midnight). Two passes settle the offset across a change.
 */
export function dayStartMs(date: string, timeZone: string): number | null {
  const ymd = parseDate(date);
  if (!ymd) return null;
  const wall = Date.UTC(ymd[0], ymd[1] - 1, ymd[2]);
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return localDate(guess, timeZone) === date ? guess : guess + 3_600_000;
}

/** The date `days` after `date` (negative: before), in the calendar, not the zone. */
export function addDays(date: string, days: number): string {
  const ymd = parseDate(date) as [number, number, number];
  return new Date(Date.UTC(ymd[0], ymd[1] - 1, ymd[2] + days)).toISOString().slice(0, 10);
}
