import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCents,
  formatQuantity,
  invoiceTotals,
  lineNetCents,
  MAX_QUANTITY_MILLI,
  MAX_UNIT_CENTS,
  type MoneyLine,
  mirroredLines,
  parseDecimal,
  VAT_RATES,
} from './money.js';

const line = fc.record({
  quantityMilli: fc.integer({ min: 1, max: MAX_QUANTITY_MILLI }),
  unitCents: fc.integer({ min: 0, max: MAX_UNIT_CENTS }),
  vatRate: fc.constantFrom(...VAT_RATES),
});
const lines = fc.array(line, { minLength: 1, maxLength: 100 });

/** The same arithmetic written out in BigInt with plain school rounding, as a reference. */
function reference(ls: readonly MoneyLine[]) {
  const round = (n: bigint, d: bigint) => (n >= 0n ? (2n * n + d) / (2n * d) : -((2n * -n + d) / (2n * d)));
  let net = 0n;
  let vat = 0n;
  for (const rate of VAT_RATES) {
    const rateNet = ls
      .filter((l) => l.vatRate === rate)
      .reduce((s, l) => s + round(BigInt(l.quantityMilli) * BigInt(l.unitCents), 1000n), 0n);
    net += rateNet;
    vat += round(rateNet * BigInt(rate), 100n);
  }
  return { net: Number(net), vat: Number(vat) };
}

describe('invoice arithmetic', () => {
  it('net is the sum of the rounded lines, VAT is per rate on the rate sum, gross = net + VAT', () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const totals = invoiceTotals(ls);
        const want = reference(ls);
        expect(totals.netCents).toBe(want.net);
        expect(totals.vatCents).toBe(want.vat);
        expect(totals.grossCents).toBe(want.net + want.vat);
        expect(totals.byRate.reduce((s, r) => s + r.netCents, 0)).toBe(totals.netCents);
        for (const amount of [totals.netCents, totals.vatCents, totals.grossCents]) {
          expect(Number.isSafeInteger(amount)).toBe(true);
        }
      }),
    );
  });

  it('a cancellation mirrors the original to the cent', () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const original = invoiceTotals(ls);
        const cancellation = invoiceTotals(mirroredLines(ls));
        expect(cancellation.netCents + original.netCents).toBe(0);
        expect(cancellation.vatCents + original.vatCents).toBe(0);
        expect(cancellation.byRate.map((r) => [r.vatRate, r.netCents + 0, r.vatCents + 0])).toEqual(
          original.byRate.map((r) => [r.vatRate, 0 - r.netCents, 0 - r.vatCents]),
        );
        expect(original.grossCents + cancellation.grossCents).toBe(0);
      }),
    );
  });

  it('rounds VAT on the sum, not per line, and half away from zero', () => {
    // Three lines of 0.10 € at 19 %: per line 1.9 ct would round to 2 ct each (6 ct); on the sum 30 ct → 5.7 → 6 ct.
    const ten = { quantityMilli: 1000, unitCents: 10, vatRate: 19 as const };
    expect(invoiceTotals([ten, ten, ten]).vatCents).toBe(6);
    // 1 × 0.05 € at 7 %: 0.35 ct → 0 ct; 5 × 0.10 € at 7 %: 3.5 ct → 4 ct.
    expect(invoiceTotals([{ quantityMilli: 1000, unitCents: 5, vatRate: 7 }]).vatCents).toBe(0);
    expect(invoiceTotals([{ quantityMilli: 5000, unitCents: 10, vatRate: 7 }]).vatCents).toBe(4);
    // 1.5 hours at 85.55 €: 128.325 € → 128.33 €.
    expect(lineNetCents({ quantityMilli: 1500, unitCents: 8555 })).toBe(12833);
    expect(lineNetCents({ quantityMilli: -1500, unitCents: 8555 })).toBe(-12833);
  });

  it('keeps rates apart and lists the highest first', () => {
    const totals = invoiceTotals([
      { quantityMilli: 1000, unitCents: 10000, vatRate: 7 },
      { quantityMilli: 2000, unitCents: 5000, vatRate: 19 },
      { quantityMilli: 1000, unitCents: 999, vatRate: 0 },
    ]);
    expect(totals.byRate).toEqual([
      { vatRate: 19, netCents: 10000, vatCents: 1900 },
      { vatRate: 7, netCents: 10000, vatCents: 700 },
      { vatRate: 0, netCents: 999, vatCents: 0 },
    ]);
    expect(totals.grossCents).toBe(23599);
  });
});

describe('formatting and parsing amounts', () => {
  it('formats per language', () => {
    expect(formatCents('de', 123456)).toBe('1.234,56\u00a0€');
    expect(formatCents('en', 123456)).toBe('€1,234.56');
    expect(formatCents('de', 5)).toBe('0,05\u00a0€');
    expect(formatCents('en', -100)).toBe('-€1.00');
    expect(formatCents('de', -123456789)).toBe('-1.234.567,89\u00a0€');
    expect(formatQuantity('de', 1500)).toBe('1,5');
    expect(formatQuantity('en', 2000)).toBe('2');
    expect(formatQuantity('en', 1)).toBe('0.001');
  });

  it('reads what people type, and says what is wrong', () => {
    const cents = (text: string, lang: 'de' | 'en') => parseDecimal(text, lang, 2, MAX_UNIT_CENTS);
    expect(cents('1.234,56', 'de')).toEqual({ ok: true, value: 123456 });
    expect(cents('1234,5', 'de')).toEqual({ ok: true, value: 123450 });
    expect(cents('12.50', 'de')).toEqual({ ok: true, value: 1250 });
    expect(cents('1,234.56', 'en')).toEqual({ ok: true, value: 123456 });
    expect(cents('49 €', 'de')).toEqual({ ok: true, value: 4900 });
    expect(cents('-5', 'de')).toEqual({ ok: false, error: 'negative' });
    expect(cents('1,234', 'de')).toEqual({ ok: false, error: 'too-precise' });
    expect(cents('0.005', 'en')).toEqual({ ok: false, error: 'too-precise' });
    expect(cents('abc', 'en')).toEqual({ ok: false, error: 'format' });
    expect(cents('1e5', 'en')).toEqual({ ok: false, error: 'format' });
    expect(cents('', 'en')).toEqual({ ok: false, error: 'format' });
    expect(cents('99999999999999999999', 'en')).toEqual({ ok: false, error: 'too-large' });
    expect(parseDecimal('1,5', 'de', 3, MAX_QUANTITY_MILLI)).toEqual({ ok: true, value: 1500 });
    expect(parseDecimal('0,0005', 'de', 3, MAX_QUANTITY_MILLI)).toEqual({ ok: false, error: 'too-precise' });
  });

  it('reads back what it formats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_UNIT_CENTS }),
        fc.constantFrom('de' as const, 'en' as const),
        (c, l) => {
          expect(parseDecimal(formatCents(l, c), l, 2, MAX_UNIT_CENTS)).toEqual({ ok: true, value: c });
        },
      ),
    );
  });
});
