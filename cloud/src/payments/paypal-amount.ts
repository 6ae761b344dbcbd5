/**
 * Amounts between our integer cents and PayPal's `amount.value`, a decimal
 * string ("12.30"). Done on digits, never through floating point: 0.1 + 0.2
 * must not become a cent off on an invoice.
 */

/** 1230 → "12.30"; refuses anything but a non-negative whole number of cents. */
export function centsToPayPalValue(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0)
    throw new RangeError(`an amount must be whole cents ≥ 0, got ${cents}`);
  const digits = String(cents).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** "12.30" → 1230, "12" → 1200, "12.3" → 1230; null for anything that is not a plain EUR amount. */
export function payPalValueToCents(value: string): number | null {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) return null;
  const [, whole = '', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}
