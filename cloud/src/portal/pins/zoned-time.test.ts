import { describe, expect, it } from 'vitest';
import { parseTime, wallClock, zonedToUtc } from './zoned-time.js';

describe('wall clock times in a depot time zone', () => {
  it('turns a Berlin wall time into UTC in winter and in summer', () => {
    expect(zonedToUtc('2026-11-28', '08:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 10, 28, 7, 0));
    expect(zonedToUtc('2026-07-01', '08:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 6, 0));
    expect(zonedToUtc('2026-07-01', '08:00', 'Europe/Lisbon')).toBe(Date.UTC(2026, 6, 1, 7, 0));
    expect(zonedToUtc('2026-07-01', '08:00', 'Asia/Kolkata')).toBe(Date.UTC(2026, 6, 1, 2, 30));
  });

  it('moves a time skipped by spring-forward past the gap, and takes the first of a repeated one', () => {
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    expect(zonedToUtc('2026-03-29', '02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(wallClock(Date.UTC(2026, 2, 29, 1, 30), 'Europe/Berlin')).toEqual({ date: '2026-03-29', time: '03:30' });
    // 25 October 2026: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    expect(zonedToUtc('2026-10-25', '02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(zonedToUtc('2026-10-25', '03:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 2, 30));
  });

  it('round-trips every quarter hour of a year through the wall clock', () => {
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 15 * 60_000 * 97) {
      const { date, time } = wallClock(ms, 'Europe/Berlin');
      const back = zonedToUtc(date, time, 'Europe/Berlin') as number;
      // Only the repeated hour in October maps back to its first occurrence.
      expect(back === ms || back === ms - 3_600_000).toBe(true);
    }
  });

  it('refuses bad dates and times', () => {
    expect(zonedToUtc('2026-02-30', '08:00', 'Europe/Berlin')).toBeNull();
    expect(zonedToUtc('28.11.2026', '08:00', 'Europe/Berlin')).toBeNull();
    expect(zonedToUtc('2026-11-28', '8:00', 'Europe/Berlin')).toBeNull();
    expect(parseTime('24:00')).toBeNull();
    expect(parseTime('24:00', true)).toBe(1440);
    expect(parseTime('12:60')).toBeNull();
    expect(parseTime('23:59')).toBe(1439);
  });
});
