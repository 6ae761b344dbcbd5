import { describe, expect, it } from 'vitest';
import { isoLocal, isoUtc, neutralise } from '../../src/exports/csv-cells.js';

describe('CSV cells', () => {
  it('neutralises what a spreadsheet would run, and leaves the rest', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralise(`${start}1+1`)).toBe(`'${start}1+1`);
    for (const plain of ['', 'Müller', '1+1', ' =x', "'quoted"]) expect(neutralise(plain)).toBe(plain);
  });

  it('writes the depot’s wall clock with its offset, right across both DST changes and odd offsets', () => {
    // Berlin leaves summer time at 01:00 UTC on 25 October 2026 and enters it at 01:00 UTC on 29 March.
    expect(isoLocal(Date.UTC(2026, 9, 25, 0, 59), 'Europe/Berlin')).toBe('2026-10-25T02:59:00+02:00');
    expect(isoLocal(Date.UTC(2026, 9, 25, 1, 0), 'Europe/Berlin')).toBe('2026-10-25T02:00:00+01:00');
    expect(isoLocal(Date.UTC(2026, 2, 29, 0, 59), 'Europe/Berlin')).toBe('2026-03-29T01:59:00+01:00');
    expect(isoLocal(Date.UTC(2026, 2, 29, 1, 0), 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00');
    expect(isoLocal(Date.UTC(2026, 10, 1, 7), 'America/St_Johns')).toBe('2026-11-01T03:30:00-03:30');
    expect(isoLocal(Date.UTC(2026, 10, 1, 7), 'Asia/Kathmandu')).toBe('2026-11-01T12:45:00+05:45');
    // Every minute of the autumn change day agrees with Intl itself.
    const day = Date.UTC(2026, 9, 24, 12);
    for (let m = 0; m < 24 * 60; m += 7) {
      const ms = day + m * 60_000;
      const hour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' });
      expect(isoLocal(ms, 'Europe/Berlin').slice(11, 13)).toBe(hour.format(ms));
    }
    expect(isoUtc(Date.UTC(2026, 10, 1, 7))).toBe('2026-11-01T07:00:00.000Z');
  });
});
