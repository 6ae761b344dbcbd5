import {
  centsForInput,
  formatQuantity,
  isVatRate,
  MAX_QUANTITY_MILLI,
  MAX_UNIT_CENTS,
  parseDecimal,
  type VatRate,
} from '../../money/money.js';
import type { InvoiceInput, InvoiceProblem, LineInput } from '../../store/invoices/invoice-input.js';
import { LINE_TEXT_MAX, MAX_LINES } from '../../store/invoices/invoice-input.js';
import type { InvoiceLine } from '../../store/invoices/invoices.js';
import type { FormInput } from '../form-input.js';
import type { Language } from '../i18n/language.js';
import { wallClock, zonedToUtc } from '../pins/zoned-time.js';

/** Pickup times are typed on German wall-clock time (the texts say so). */
export const PICKUP_ZONE = 'Europe/Berlin';

export interface LineValues {
  text: string;
  quantity: string;
  price: string;
  vat: string;
}

/** The form as typed, to show again. */
export interface InvoiceFormValues {
  customer: string;
  invoiceDate: string;
  dueDate: string;
  depot: string;
  compartment: string;
  pickupFrom: string;
  pickupUntil: string;
  lines: LineValues[];
}

export const emptyLine = (): LineValues => ({ text: '', quantity: '1', price: '', vat: '19' });

/** How many line rows the form sent: the highest `line<i>.text` index + 1 (a form can be tampered with). */
function lineCount(names: readonly string[]): number {
  let count = 0;
  for (const name of names) {
    const m = /^line(\d{1,6})\.text$/.exec(name);
    if (m) count = Math.max(count, Number(m[1]) + 1);
  }
  return count;
}

function datetime(value: string): number | null | 'bad' {
  if (value === '') return null;
  const [date = '', time = ''] = value.split('T');
  return zonedToUtc(date, time.slice(0, 5), PICKUP_ZONE) ?? 'bad';
}

/**
 * Reads the invoice form: every value as typed (for showing it again) and,
 * when each parsed, the input for the store. Problems the form can see
 * (amount formats, dates) are returned as the store's problem codes, so one
 * table of messages serves both.
 */
export function readInvoiceForm(
  form: FormInput,
  names: readonly string[],
  lang: Language,
  customerIdOf: (number: number) => number | null,
): { values: InvoiceFormValues; input: InvoiceInput; problems: Record<string, InvoiceProblem> } {
  const problems: Record<string, InvoiceProblem> = {};
  const count = lineCount(names);
  if (count > MAX_LINES) problems.lines = 'too-many-lines';
  const values: InvoiceFormValues = {
    customer: form.raw('customer').slice(0, 20),
    invoiceDate: form.raw('invoice_date').slice(0, 10),
    dueDate: form.raw('due_date').slice(0, 10),
    depot: form.raw('depot').slice(0, 20),
    compartment: form.raw('compartment').slice(0, 5),
    pickupFrom: form.raw('pickup_from').slice(0, 16),
    pickupUntil: form.raw('pickup_until').slice(0, 16),
    lines: [],
  };
  const lines: LineInput[] = [];
  for (let i = 0; i < Math.min(count, MAX_LINES); i++) {
    const typed: LineValues = {
      text: form.raw(`line${i}.text`).slice(0, LINE_TEXT_MAX + 50),
      quantity: form.raw(`line${i}.quantity`).slice(0, 30),
      price: form.raw(`line${i}.price`).slice(0, 30),
      vat: form.raw(`line${i}.vat`).slice(0, 5),
    };
    // A row left completely empty is not a line (the form always offers a spare one).
    if (typed.text === '' && typed.price === '' && (typed.quantity === '' || typed.quantity === '1')) continue;
    const at = values.lines.length;
    values.lines.push(typed);
    const quantity = parseDecimal(typed.quantity, lang, 3, MAX_QUANTITY_MILLI);
    const price = parseDecimal(typed.price, lang, 2, MAX_UNIT_CENTS);
    const rate = /^\d{1,2}$/.test(typed.vat) ? Number(typed.vat) : Number.NaN;
    if (!quantity.ok || quantity.value === 0) problems[`line${at}.quantity`] = 'quantity';
    if (!price.ok) problems[`line${at}.price`] = 'unit-price';
    if (!isVatRate(rate)) problems[`line${at}.vat`] = 'vat-rate';
    lines.push({
      text: typed.text,
      quantityMilli: quantity.ok ? quantity.value : 0,
      unitCents: price.ok ? price.value : -1,
      vatRate: (isVatRate(rate) ? rate : 0) as VatRate,
    });
  }
  const customerNumber = /^\d{1,9}$/.test(values.customer) ? Number(values.customer) : null;
  const customerId = customerNumber === null ? null : customerIdOf(customerNumber);
  if (customerId === null) problems.customer = 'unknown-customer';
  const depotId = /^\d{1,9}$/.test(values.depot) ? Number(values.depot) : null;
  if (values.depot !== '' && depotId === null) problems.depot = 'unknown-depot';
  const compartment = /^\d{1,3}$/.test(values.compartment) ? Number(values.compartment) : null;
  if (values.compartment !== '' && compartment === null) problems.compartment = 'unknown-compartment';
  const from = datetime(values.pickupFrom);
  const until = datetime(values.pickupUntil);
  if (from === 'bad') problems.pickupFrom = 'date';
  if (until === 'bad') problems.pickupUntil = 'date';
  const input: InvoiceInput = {
    customerId: customerId ?? 0,
    invoiceDate: values.invoiceDate,
    dueDate: values.dueDate,
    depotId,
    compartment,
    pickupFromMs: from === 'bad' ? null : from,
    pickupUntilMs: until === 'bad' ? null : until,
    lines,
  };
  return { values, input, problems };
}

/** A draft's stored content as form values (editing a draft). */
export function formValuesOf(
  lang: Language,
  draft: {
    customerNumber: number;
    invoiceDate: string;
    dueDate: string;
    depotId: number | null;
    compartment: number | null;
    pickupFromMs: number | null;
    pickupUntilMs: number | null;
  },
  lines: readonly InvoiceLine[],
): InvoiceFormValues {
  const local = (ms: number | null) => {
    if (ms === null) return '';
    const { date, time } = wallClock(ms, PICKUP_ZONE);
    return `${date}T${time}`;
  };
  return {
    customer: String(draft.customerNumber),
    invoiceDate: draft.invoiceDate,
    dueDate: draft.dueDate,
    depot: draft.depotId === null ? '' : String(draft.depotId),
    compartment: draft.compartment === null ? '' : String(draft.compartment),
    pickupFrom: local(draft.pickupFromMs),
    pickupUntil: local(draft.pickupUntilMs),
    lines: lines.map((l) => ({
      text: l.text,
      quantity: formatQuantity(lang, l.quantityMilli),
      price: centsForInput(lang, l.unitCents),
      vat: String(l.vatRate),
    })),
  };
}
