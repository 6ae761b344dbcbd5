import { zonedPartsFormatter } from '../time-zone.js';

/*
 * What goes into one CSV cell: text a spreadsheet cannot run, and times a
 * program can read (ISO 8601 UTC) beside the depot's wall clock (ISO 8601
 * with its offset), so a dispute about "10:05 at the depot" needs no zone sums.
 */

/** Where a file is opened decides the separator: German Excel splits on ';', most others on ','. */
export type Delimiter = ';' | ',';

/**
 * A cell a spreadsheet would run as a formula (= + - @, and tab or CR, which
 * some programs strip before looking) gets a leading apostrophe: labels,
 * subjects and names are typed by portal users, and the file is opened by
 * someone else (OWASP "CSV injection").
 */
export function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** '2026-11-28T09:00:00.000Z'. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

// Offsets change on whole quarter hours at most (every zone's transitions do).
// A day whose start and end have the same offset has it throughout (no zone
// changes twice in a day), so most rows cost a map lookup: a million rows of a
// month cost about 60 Intl calls instead of a million. A day with a change is
// looked up per quarter hour.
const QUARTER_HOUR = 900_000;
const DAY = 86_400_000;
const offsets = new Map<string, number>();

function intlOffset(ms: number, timeZone: string): number {
  const p = Object.fromEntries(
    zonedPartsFormatter(timeZone)
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - ms;
}

function cachedOffset(key: string, ms: number, timeZone: string): number {
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = intlOffset(ms, timeZone);
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

function offsetAt(ms: number, timeZone: string): number {
  const day = Math.floor(ms / DAY);
  const start = cachedOffset(`${timeZone}@d${day}`, day * DAY, timeZone);
  if (start === cachedOffset(`${timeZone}@d${day + 1}`, (day + 1) * DAY, timeZone)) return start;
  const quarter = Math.floor(ms / QUARTER_HOUR);
  return cachedOffset(`${timeZone}@q${quarter}`, quarter * QUARTER_HOUR, timeZone);
}

/** The zone's wall clock with its offset: '2026-11-28T10:00:00+01:00' (whole seconds). */
export function isoLocal(ms: number, timeZone: string): string {
  const offset = offsetAt(ms, timeZone);
  const wall = new Date(ms + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}
