import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';
import { coerceParam, ParamError, parseSchedule } from './params.js';

describe('durations', () => {
  it('reads the spellings scenarios use', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d 6h')).toBe(108_000_000);
    expect(parseDuration('2h30min')).toBe(9_000_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('0')).toBe(0);
  });

  it('refuses what is no duration', () => {
    for (const text of ['', '2', 'h', '2 hours', '2h x', '-1s', '1y'])
      expect(parseDuration(text), text).toBeUndefined();
  });

  it('prints durations short', () => {
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(108_000_000)).toBe('1 d 6 h');
    expect(formatDuration(7 * 86_400_000 + 49_000)).toBe('7 d 49 s');
  });
});

describe('weekly schedules', () => {
  it('reads day lists, ranges and daily, with bit 0 = Monday', () => {
    expect(parseSchedule('sat,sun 14:00-20:00')).toEqual([{ days: 0b110_0000, startMinute: 840, endMinute: 1200 }]);
    expect(parseSchedule('mon-fri 07:30-08:00; daily 00:00-24:00')).toEqual([
      { days: 0b001_1111, startMinute: 450, endMinute: 480 },
      { days: 0b111_1111, startMinute: 0, endMinute: 1440 },
    ]);
    // A range over the week's end wraps: Friday to Monday.
    expect(parseSchedule('fri-mon 10:00-11:00')[0]?.days).toBe(0b111_0001);
  });

  it('refuses bad days, times and empty windows', () => {
    expect(() => parseSchedule('someday 10:00-11:00')).toThrow(ParamError);
    expect(() => parseSchedule('mon 10:61-11:00')).toThrow(/no time/);
    expect(() => parseSchedule('mon 11:00-10:00')).toThrow(/end must come after/);
    expect(() => parseSchedule('mon')).toThrow(/no schedule entry/);
  });
});

describe('coerceParam', () => {
  it('takes JSON values and typed words alike', () => {
    expect(coerceParam({ name: 'n', kind: 'integer', doc: '' }, 3)).toBe(3);
    expect(coerceParam({ name: 'n', kind: 'integer', doc: '' }, '3')).toBe(3);
    expect(coerceParam({ name: 'f', kind: 'flag', doc: '' }, 'yes')).toBe(true);
    expect(coerceParam({ name: 'f', kind: 'flag', doc: '' }, false)).toBe(false);
    expect(coerceParam({ name: 'w', kind: 'duration', doc: '' }, '0')).toBe(0);
    expect(coerceParam({ name: 'k', kind: 'keys', doc: '' }, '48291377#')).toBe('48291377#');
    expect(coerceParam({ name: 'm', kind: 'moment', doc: '' }, '+1d 12h')).toEqual({ relativeMs: 129_600_000 });
    expect(coerceParam({ name: 'm', kind: 'moment', doc: '' }, '2026-07-04T11:00:00+02:00')).toEqual({
      atMs: Date.UTC(2026, 6, 4, 9),
    });
    expect(coerceParam({ name: 's', kind: { oneOf: ['on', 'off'] }, doc: '' }, 'off')).toBe('off');
  });

  it('names the parameter and what it wants when a value does not fit', () => {
    const cases: [Parameters<typeof coerceParam>[0]['kind'], unknown, RegExp][] = [
      ['integer', '3.5', /^n must be a whole number, got "3.5"$/],
      ['keys', '12a#', /keypad keys/],
      ['digits', '12345', /6 to 12 digits/],
      ['duration', 7200, /a duration like/],
      ['moment', 'tomorrow', /a time like/],
      ['flag', 'maybe', /true or false/],
      ['text', '  ', /a text/],
      [{ oneOf: ['on', 'off'] }, 'auto', /one of on, off/],
    ];
    for (const [kind, raw, message] of cases) {
      expect(() => coerceParam({ name: 'n', kind, doc: '' }, raw)).toThrow(message);
    }
  });
});
