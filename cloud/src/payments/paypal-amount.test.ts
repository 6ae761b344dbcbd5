import { describe, expect, it } from 'vitest';
import { centsToPayPalValue, payPalValueToCents } from './paypal-amount.js';

describe('PayPal amounts', () => {
  it('writes cents as PayPal decimal strings', () => {
    expect(centsToPayPalValue(0)).toBe('0.00');
    expect(centsToPayPalValue(5)).toBe('0.05');
    expect(centsToPayPalValue(30)).toBe('0.30');
    expect(centsToPayPalValue(1230)).toBe('12.30');
    expect(centsToPayPalValue(123456789)).toBe('1234567.89');
    // 2^53 - 1 cents: no float rounding on the way.
    expect(centsToPayPalValue(9007199254740991)).toBe('90071992547409.91');
  });

  it('refuses what is not whole cents', () => {
    expect(() => centsToPayPalValue(12.5)).toThrow(RangeError);
    expect(() => centsToPayPalValue(-1)).toThrow(RangeError);
    expect(() => centsToPayPalValue(Number.NaN)).toThrow(RangeError);
  });

  it('reads PayPal values back into cents', () => {
    expect(payPalValueToCents('12.30')).toBe(1230);
    expect(payPalValueToCents('12.3')).toBe(1230);
    expect(payPalValueToCents('12')).toBe(1200);
    expect(payPalValueToCents('0.07')).toBe(7);
    expect(payPalValueToCents('1.005')).toBeNull();
    expect(payPalValueToCents('-1.00')).toBeNull();
    expect(payPalValueToCents('1e3')).toBeNull();
    expect(payPalValueToCents('')).toBeNull();
  });
});
