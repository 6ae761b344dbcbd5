/*
 * Money as integer cents and quantities as integer thousandths, everywhere:
 * no floating-point number ever holds an amount. Products and quotients are
 * computed in BigInt and rounded half away from zero, which makes rounding
 * symmetric: the negated lines of a cancellation give exactly the negated
 * totals of the original.
 */

/** The VAT rates a German invoice may carry (standard, reduced, none), in percent. */
export const VAT_RATES = [19, 7, 0] as const;
export type VatRate = (typeof VAT_RATES)[number];

export function isVatRate(value: number): value is VatRate {
  return (VAT_RATES as readonly number[]).includes(value);
}

/** Quantities are stored in thousandths: 1.5 hours of labour is 1500. */
export const QUANTITY_SCALE = 1000;
/** Largest quantity of one line: 1,000,000 units, so quantity × price stays far below 2^53 cents. */
export const MAX_QUANTITY_MILLI = 1_000_000 * QUANTITY_SCALE;
/** Largest unit price: 1,000,000.00 €. */
export const MAX_UNIT_CENTS = 100_000_000;

export interface MoneyLine {
  readonly quantityMilli: number;
  readonly unitCents: number;
  readonly vatRate: VatRate;
}

/** The amounts of one VAT rate: VAT is computed once on the rate's net sum, as German invoices show it. */
export interface RateTotal {
  readonly vatRate: VatRate;
  readonly netCents: number;
  readonly vatCents: number;
}

export interface Totals {
  readonly netCents: number;
  readonly vatCents: number;
  readonly grossCents: number;
  /** One entry per rate that occurs, highest rate first. */
  readonly byRate: readonly RateTotal[];
}

/** n / d rounded half away from zero (d > 0). */
function divideRounded(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const rounded = (magnitude * 2n + d) / (d * 2n);
  return negative ? -rounded : rounded;
}

function safe(n: bigint): number {
  const value = Number(n);
  if (!Number.isSafeInteger(value)) throw new RangeError('amount out of range');
  return value;
}

/** A line's net amount: quantity × unit price, rounded to the cent. */
export function lineNetCents(line: Pick<MoneyLine, 'quantityMilli' | 'unitCents'>): number {
  return safe(divideRounded(BigInt(line.quantityMilli) * BigInt(line.unitCents), BigInt(QUANTITY_SCALE)));
}

/** Net, VAT and gross of an invoice: line nets summed per rate, VAT per rate on that sum. */
export function invoiceTotals(lines: readonly MoneyLine[]): Totals {
  const nets = new Map<VatRate, bigint>();
  for (const line of lines) {
    nets.set(line.vatRate, (nets.get(line.vatRate) ?? 0n) + BigInt(lineNetCents(line)));
  }
  const byRate: RateTotal[] = [...nets]
    .sort(([a], [b]) => b - a)
    .map(([vatRate, net]) => ({
      vatRate,
      netCents: safe(net),
      vatCents: safe(divideRounded(net * BigInt(vatRate), 100n)),
    }));
  const netCents = byRate.reduce((sum, r) => sum + r.netCents, 0);
  const vatCents = byRate.reduce((sum, r) => sum + r.vatCents, 0);
  return { netCents, vatCents, grossCents: netCents + vatCents, byRate };
}

/** The lines of a cancellation record: the original's with the quantity negated. */
export function mirroredLines<T extends MoneyLine>(lines: readonly T[]): T[] {
  return lines.map((line) => ({ ...line, quantityMilli: -line.quantityMilli }));
}

type Lang = 'de' | 'en';

function groupThousands(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** "1.234,56 €" (German) or "€1,234.56" (English), from integer cents, with string arithmetic only. */
export function formatCents(lang: Lang, cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError('cents must be a whole number');
  const negative = cents < 0;
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2);
  const sign = negative ? '-' : '';
  if (lang === 'de') return `${sign}${groupThousands(whole, '.')},${fraction}\u00a0€`;
  return `${sign}€${groupThousands(whole, ',')}.${fraction}`;
}

/** A quantity in thousandths for a form or a page: "1,5" / "1.5", "2". */
export function formatQuantity(lang: Lang, milli: number): string {
  const negative = milli < 0;
  const digits = String(Math.abs(milli)).padStart(4, '0');
  const whole = digits.slice(0, -3);
  const fraction = digits.slice(-3).replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}${lang === 'de' ? ',' : '.'}${fraction}`;
  return negative ? `-${text}` : text;
}

/** An amount typed in a form as cents for a form field ("1234,56" / "1234.56"). */
export function centsForInput(lang: Lang, cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${cents < 0 ? '-' : ''}${digits.slice(0, -2)}${lang === 'de' ? ',' : '.'}${digits.slice(-2)}`;
}

export type DecimalError = 'format' | 'negative' | 'too-precise' | 'too-large';

/**
 * A non-negative decimal typed by a person, as an integer of `scale` decimal
 * places (2 for cents, 3 for thousandths). The language's decimal mark is the
 * decimal mark; the other mark may group thousands in threes. A lone other mark
 * followed by fewer than three digits is taken as the decimal mark too, since
 * "12.50" in a German form means twelve euros fifty.
 */
export function parseDecimal(
  text: string,
  lang: Lang,
  scale: number,
  max: number,
): { ok: true; value: number } | { ok: false; error: DecimalError } {
  let value = text.replace(/[\s\u00a0€]/g, '');
  if (value.startsWith('-')) return { ok: false, error: 'negative' };
  if (value.startsWith('+')) value = value.slice(1);
  const decimal = lang === 'de' ? ',' : '.';
  const group = lang === 'de' ? '.' : ',';
  let whole = value;
  let fraction = '';
  const at = value.lastIndexOf(decimal);
  if (at >= 0) {
    whole = value.slice(0, at);
    fraction = value.slice(at + 1);
  } else {
    const lone = value.split(group);
    if (lone.length === 2 && /^\d{1,2}$/.test(lone[1] ?? '')) [whole = '', fraction = ''] = lone;
  }
  const groupedOk = new RegExp(`^(\\d+|\\d{1,3}(\\${group}\\d{3})+)$`).test(whole);
  if (!groupedOk || !/^\d*$/.test(fraction) || (at >= 0 && fraction === '')) return { ok: false, error: 'format' };
  if (fraction.length > scale) {
    if (/^0*$/.test(fraction.slice(scale))) fraction = fraction.slice(0, scale);
    else return { ok: false, error: 'too-precise' };
  }
  const digits = whole.split(group).join('') + fraction.padEnd(scale, '0');
  if (digits.replace(/^0+/, '').length > 15) return { ok: false, error: 'too-large' };
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > max) return { ok: false, error: 'too-large' };
  return { ok: true, value: n };
}
