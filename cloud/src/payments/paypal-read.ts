import { payPalValueToCents } from './paypal-amount.js';
import { PayPalError } from './paypal-errors.js';
import type { CaptureStatus, OrderStatus, PayPalCapture, PayPalOrder, PayPalRefund } from './paypal-types.js';

/*
 * PayPal's answers read into our shapes. An answer missing what we rely on
 * (an order id, a status) is a PayPalError, not a crash further on.
 */

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function amountOf(value: unknown): { cents: number | null; currency: string | null } {
  const amount = obj(value);
  const text = str(amount.value);
  return { cents: text === null ? null : payPalValueToCents(text), currency: str(amount.currency_code) };
}

export function readOrder(body: unknown): PayPalOrder {
  const order = obj(body);
  const id = str(order.id);
  const status = str(order.status);
  if (!id || !status) throw new PayPalError('refused', 'order answer without id or status', null);
  const links = list(order.links);
  const approve = links.find((l) => l.rel === 'approve' || l.rel === 'payer-action');
  const unit = obj(list(order.purchase_units)[0]);
  const captures: PayPalCapture[] = list(obj(unit.payments).captures).map((c) => {
    const { cents, currency } = amountOf(c.amount);
    return { id: str(c.id) ?? '', status: (str(c.status) ?? 'FAILED') as CaptureStatus, amountCents: cents, currency };
  });
  return {
    id,
    status: status as OrderStatus,
    approveUrl: approve ? str(approve.href) : null,
    invoiceId: str(unit.invoice_id),
    captures,
  };
}

export function readRefund(body: unknown): PayPalRefund {
  const refund = obj(body);
  const id = str(refund.id);
  const status = str(refund.status);
  if (!id || !status) throw new PayPalError('refused', 'refund answer without id or status', null);
  return { id, status, amountCents: amountOf(refund.amount).cents };
}
