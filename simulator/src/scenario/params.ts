import type { ScheduleEntry } from '@keydepot/shared';
import { parseDuration } from './duration.js';

/**
 * What a command's parameter takes. The same coercion serves a scenario step's
 * JSON value and a word typed at the interactive prompt, so both accept the
 * same spellings ("2h", "sat,sun 14:00-20:00", "+3d").
 */
export type ParamKind =
  | 'text'
  | 'integer'
  | 'duration'
  | 'keys'
  | 'digits'
  | 'flag'
  | 'schedule'
  | 'moment'
  | { readonly oneOf: readonly string[] };

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  readonly optional?: boolean;
  /** One line for `help` and the docs. */
  readonly doc: string;
}

/** A point in simulated time: relative to the moment the step runs, or absolute (ms since the epoch). */
export type Moment = { readonly relativeMs: number } | { readonly atMs: number };

export type ParamValue = string | number | boolean | readonly ScheduleEntry[] | Moment;

/** A parameter value that does not fit its kind; the message names the parameter. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function dayIndex(name: string): number {
  const index = DAYS.indexOf(name.slice(0, 3).toLowerCase());
  if (index < 0 || name.length < 3) throw new ParamError(`'${name}' is no weekday (mon … sun)`);
  return index;
}

/** "mon-fri", "sat,sun", "daily" as a day bit mask (bit 0 = Monday). */
function parseDays(text: string): number {
  if (text === 'daily') return 0b111_1111;
  let mask = 0;
  for (const part of text.split(',')) {
    const [from, to] = part.split('-');
    const first = dayIndex(from as string);
    const last = to === undefined ? first : dayIndex(to);
    for (let day = first; ; day = (day + 1) % 7) {
      mask |= 1 << day;
      if (day === last) break;
    }
  }
  return mask;
}

function minuteOfDay(text: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const minute = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!(minute >= 0 && minute <= 1440) || Number(match?.[2]) > 59) throw new ParamError(`'${text}' is no time (HH:MM)`);
  return minute;
}

/** "sat,sun 14:00-20:00; mon-fri 07:00-08:00" as weekly schedule entries in the depot's time zone. */
export function parseSchedule(text: string): ScheduleEntry[] {
  return text
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(\S+)\s+(\S+)-(\S+)$/.exec(entry);
      if (!match) throw new ParamError(`'${entry}' is no schedule entry (e.g. 'sat,sun 14:00-20:00')`);
      const startMinute = minuteOfDay(match[2] as string);
      const endMinute = minuteOfDay(match[3] as string);
      if (endMinute <= startMinute) throw new ParamError(`'${entry}': the end must come after the start`);
      return { days: parseDays((match[1] as string).toLowerCase()), startMinute, endMinute };
    });
}

function parseMoment(text: string): Moment | undefined {
  if (text.startsWith('+')) {
    const ms = parseDuration(text.slice(1));
    return ms === undefined ? undefined : { relativeMs: ms };
  }
  const atMs = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(atMs) ? undefined : { atMs };
}

function describe(kind: ParamKind): string {
  if (typeof kind !== 'string') return `one of ${kind.oneOf.join(', ')}`;
  return {
    text: 'a text',
    integer: 'a whole number',
    duration: "a duration like '30s', '2h' or '7d'",
    keys: 'keypad keys (0-9, *, #)',
    digits: '6 to 12 digits',
    flag: 'true or false',
    schedule: "a weekly schedule like 'sat,sun 14:00-20:00'",
    moment: "a time like '+2h' (from now) or '2026-06-06T14:00:00+02:00'",
  }[kind];
}

/** Turns a JSON value or a typed word into the parameter's value; throws ParamError naming the parameter. */
export function coerceParam(spec: ParamSpec, raw: unknown): ParamValue {
  const fail = (): never => {
    throw new ParamError(`${spec.name} must be ${describe(spec.kind)}, got ${JSON.stringify(raw)}`);
  };
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : undefined;
  const { kind } = spec;
  if (typeof kind !== 'string') return text !== undefined && kind.oneOf.includes(text) ? text : fail();
  switch (kind) {
    case 'flag':
      if (typeof raw === 'boolean') return raw;
      return text === 'true' || text === 'yes' ? true : text === 'false' || text === 'no' ? false : fail();
    case 'integer':
      return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : fail();
    case 'text':
      return text !== undefined && text !== '' ? text : fail();
    case 'keys':
      return typeof raw === 'string' && /^[0-9*#]+$/.test(text as string) ? (text as string) : fail();
    case 'digits':
      return typeof raw === 'string' && /^\d{6,12}$/.test(text as string) ? (text as string) : fail();
    case 'duration':
      return (typeof raw === 'string' ? parseDuration(raw) : undefined) ?? fail();
    case 'moment':
      return (typeof raw === 'string' ? parseMoment(raw.trim()) : undefined) ?? fail();
    case 'schedule':
      if (typeof raw !== 'string') return fail();
      try {
        return parseSchedule(raw);
      } catch (error) {
        throw new ParamError(`${spec.name}: ${(error as Error).message}`);
      }
  }
}
