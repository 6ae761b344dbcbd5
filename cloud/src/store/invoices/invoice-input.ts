import { isVatRate, MAX_QUANTITY_MILLI, MAX_UNIT_CENTS, type MoneyLine, type VatRate } from '../../money/money.js';

/*
 * What a draft invoice is made of, and the checks that need no database.
 * The portal reads the form into this (money/money.ts parses the amounts);
 * the store checks again and adds what needs the database (the customer and
 * the compartment belong to the organisation).
 */

/** Lines per invoice: a workshop invoice has a handful; a form with thousands is a mistake or an attack. */
export const MAX_LINES = 100;
export const LINE_TEXT_MAX = 300;

export interface LineInput extends MoneyLine {
  readonly text: string;
}

export interface InvoiceInput {
  readonly customerId: number;
  /** YYYY-MM-DD. */
  readonly invoiceDate: string;
  readonly dueDate: string;
  /** Where the key waits; both or neither. */
  readonly depotId: number | null;
  readonly compartment: number | null;
  /** The pickup window (UTC ms); null: from payment on / without end. */
  readonly pickupFromMs: number | null;
  readonly pickupUntilMs: number | null;
  readonly lines: readonly LineInput[];
}

export type InvoiceProblem =
  | 'unknown-customer'
  | 'date'
  | 'due-before-invoice'
  | 'unknown-depot'
  | 'unknown-compartment'
  | 'compartment-without-depot'
  | 'pickup-order'
  | 'no-lines'
  | 'too-many-lines'
  | 'text-required'
  | 'text-too-long'
  | 'quantity'
  | 'unit-price'
  | 'vat-rate';

/** Field → problem; line fields are `line<i>.text`, `line<i>.quantity`, `line<i>.price`, `line<i>.vat`. */
export type InvoiceProblems = Record<string, InvoiceProblem>;

/** A real calendar date in YYYY-MM-DD between 2000 and 2999. */
export function isCalendarDate(value: string): boolean {
  const match = /^(2\d{3})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function checkInvoiceShape(input: InvoiceInput): InvoiceProblems {
  const problems: InvoiceProblems = {};
  if (!isCalendarDate(input.invoiceDate)) problems.invoiceDate = 'date';
  if (!isCalendarDate(input.dueDate)) problems.dueDate = 'date';
  else if (isCalendarDate(input.invoiceDate) && input.dueDate < input.invoiceDate)
    problems.dueDate = 'due-before-invoice';
  if ((input.depotId === null) !== (input.compartment === null)) {
    if (input.depotId === null) problems.depot = 'compartment-without-depot';
    else problems.compartment = 'unknown-compartment';
  }
  if (input.pickupFromMs !== null && input.pickupUntilMs !== null && input.pickupUntilMs <= input.pickupFromMs) {
    problems.pickupUntil = 'pickup-order';
  }
  if (input.lines.length === 0) problems.lines = 'no-lines';
  if (input.lines.length > MAX_LINES) problems.lines = 'too-many-lines';
  input.lines.slice(0, MAX_LINES).forEach((line, i) => {
    const text = line.text.trim();
    if (text === '') problems[`line${i}.text`] = 'text-required';
    else if ([...text].length > LINE_TEXT_MAX) problems[`line${i}.text`] = 'text-too-long';
    if (
      !Number.isSafeInteger(line.quantityMilli) ||
      line.quantityMilli < 1 ||
      line.quantityMilli > MAX_QUANTITY_MILLI
    ) {
      problems[`line${i}.quantity`] = 'quantity';
    }
    if (!Number.isSafeInteger(line.unitCents) || line.unitCents < 0 || line.unitCents > MAX_UNIT_CENTS) {
      problems[`line${i}.price`] = 'unit-price';
    }
    if (!isVatRate(line.vatRate)) problems[`line${i}.vat`] = 'vat-rate';
  });
  return problems;
}

export class InvoiceInputError extends Error {
  override name = 'InvoiceInputError';
  constructor(readonly problems: InvoiceProblems) {
    super(`bad invoice input: ${Object.keys(problems).join(', ')}`);
  }
}

export type { VatRate };
