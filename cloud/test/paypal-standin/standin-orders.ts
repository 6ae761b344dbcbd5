import { randomBytes } from 'node:crypto';
import {
  type ErrorAnswer,
  failureAnswer,
  invalidRequest,
  notFound,
  type StandInFailure,
  unprocessable,
} from './standin-errors.js';

/** An order as the stand-in keeps it. */
export interface StandInOrder {
  readonly id: string;
  status: 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED';
  readonly invoiceId: string | null;
  readonly amount: { currency_code: string; value: string };
  readonly returnUrl: string | null;
  readonly cancelUrl: string | null;
  readonly createTime: string;
  capture: StandInCapture | null;
}

export interface StandInCapture {
  readonly id: string;
  status: 'COMPLETED' | 'DECLINED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';
  readonly amount: { currency_code: string; value: string };
  readonly orderId: string;
  refunds: { id: string; amount: { currency_code: string; value: string } }[];
}

export type Answer = { status: number; body: unknown } | ErrorAnswer;

const newId = (length: number) => randomBytes(length).toString('hex').toUpperCase().slice(0, length);

/** What a webhook should tell about a capture that changed (the server sends it). */
export interface CaptureChange {
  readonly eventType: 'PAYMENT.CAPTURE.COMPLETED' | 'PAYMENT.CAPTURE.DENIED' | 'PAYMENT.CAPTURE.REFUNDED';
  readonly resource: Record<string, unknown>;
}

/**
 * Orders, captures and refunds of the stand-in, following Orders v2 and
 * Payments v2: create (CAPTURE intent only), get, capture once after the
 * payer approved, refund up to the captured amount.
 */
export class StandInOrders {
  readonly orders = new Map<string, StandInOrder>();
  readonly captures = new Map<string, StandInCapture>();

  constructor(private readonly publicUrl: () => string) {}

  create(body: Record<string, unknown>, failure: StandInFailure | undefined): Answer {
    if (body.intent !== 'CAPTURE')
      return invalidRequest('/intent', 'INVALID_PARAMETER_VALUE', 'intent must be CAPTURE');
    const units = Array.isArray(body.purchase_units) ? body.purchase_units : [];
    const unit = (units[0] ?? {}) as Record<string, unknown>;
    const amount = (unit.amount ?? {}) as { currency_code?: unknown; value?: unknown };
    if (units.length !== 1) return invalidRequest('/purchase_units', 'INVALID_ARRAY_LENGTH', 'one purchase unit');
    if (typeof amount.value !== 'string' || !/^\d{1,10}(\.\d{2})?$/.test(amount.value)) {
      return invalidRequest("/purchase_units/@reference_id=='default'/amount/value", 'DECIMAL_PRECISION', 'bad value');
    }
    if (amount.currency_code !== 'EUR') {
      return invalidRequest('/purchase_units/0/amount/currency_code', 'CURRENCY_NOT_SUPPORTED', 'EUR only here');
    }
    const invoiceId = typeof unit.invoice_id === 'string' ? unit.invoice_id : null;
    if (failure === 'duplicate-invoice' || (invoiceId !== null && this.invoicePaid(invoiceId))) {
      return failureAnswer('duplicate-invoice');
    }
    if (failure === 'compliance' || failure === 'server-error') return failureAnswer(failure);
    const context = ((body.payment_source as Record<string, unknown> | undefined)?.paypal as Record<string, unknown>)
      ?.experience_context as Record<string, unknown> | undefined;
    const order: StandInOrder = {
      id: newId(17),
      status: context ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      invoiceId,
      amount: { currency_code: amount.currency_code, value: amount.value },
      returnUrl: typeof context?.return_url === 'string' ? context.return_url : null,
      cancelUrl: typeof context?.cancel_url === 'string' ? context.cancel_url : null,
      createTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      capture: null,
    };
    this.orders.set(order.id, order);
    return { status: 200, body: this.view(order) };
  }

  get(orderId: string): Answer {
    const order = this.orders.get(orderId);
    return order ? { status: 200, body: this.view(order) } : notFound();
  }

  /** The payer's click on the approval page. */
  approve(orderId: string): StandInOrder | null {
    const order = this.orders.get(orderId);
    if (!order || order.status === 'COMPLETED') return null;
    order.status = 'APPROVED';
    return order;
  }

  capture(orderId: string, failure: StandInFailure | undefined): { answer: Answer; change?: CaptureChange } {
    const order = this.orders.get(orderId);
    if (!order) return { answer: notFound() };
    if (order.status === 'COMPLETED') {
      return {
        answer: unprocessable(
          'ORDER_ALREADY_CAPTURED',
          "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
        ),
      };
    }
    if (order.status !== 'APPROVED') {
      return {
        answer: unprocessable(
          'ORDER_NOT_APPROVED',
          "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.",
        ),
      };
    }
    if (failure === 'compliance' || failure === 'server-error') return { answer: failureAnswer(failure) };
    if (failure === 'declined') {
      const denied = { id: newId(17), status: 'DECLINED' as const, amount: order.amount, orderId, refunds: [] };
      return {
        answer: failureAnswer('declined'),
        change: { eventType: 'PAYMENT.CAPTURE.DENIED', resource: this.captureView(denied, order) },
      };
    }
    const capture: StandInCapture = { id: newId(17), status: 'COMPLETED', amount: order.amount, orderId, refunds: [] };
    order.capture = capture;
    order.status = 'COMPLETED';
    this.captures.set(capture.id, capture);
    return {
      answer: { status: 201, body: this.view(order) },
      change: { eventType: 'PAYMENT.CAPTURE.COMPLETED', resource: this.captureView(capture, order) },
    };
  }

  refund(
    captureId: string,
    body: Record<string, unknown>,
    failure: StandInFailure | undefined,
  ): { answer: Answer; change?: CaptureChange } {
    const capture = this.captures.get(captureId);
    if (!capture) return { answer: notFound() };
    if (failure === 'compliance' || failure === 'server-error') return { answer: failureAnswer(failure) };
    const refunded = capture.refunds.reduce((sum, r) => sum + cents(r.amount.value), 0);
    const amount = body.amount as { value?: string; currency_code?: string } | undefined;
    const wanted = amount?.value === undefined ? cents(capture.amount.value) - refunded : cents(amount.value);
    if (capture.status === 'REFUNDED' || refunded >= cents(capture.amount.value)) {
      return { answer: unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded') };
    }
    if (refunded + wanted > cents(capture.amount.value)) {
      return {
        answer: unprocessable(
          'REFUND_AMOUNT_EXCEEDED',
          'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
        ),
      };
    }
    const refund = { id: newId(17), amount: { currency_code: capture.amount.currency_code, value: value(wanted) } };
    capture.refunds.push(refund);
    capture.status = refunded + wanted === cents(capture.amount.value) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    const order = this.orders.get(capture.orderId) as StandInOrder;
    return {
      answer: { status: 201, body: { id: refund.id, status: 'COMPLETED', amount: refund.amount, links: [] } },
      change: {
        eventType: 'PAYMENT.CAPTURE.REFUNDED',
        resource: { ...this.captureView(capture, order), refund_id: refund.id },
      },
    };
  }

  private invoicePaid(invoiceId: string): boolean {
    for (const order of this.orders.values()) if (order.invoiceId === invoiceId && order.capture) return true;
    return false;
  }

  private captureView(capture: StandInCapture, order: StandInOrder): Record<string, unknown> {
    return {
      id: capture.id,
      status: capture.status,
      amount: capture.amount,
      invoice_id: order.invoiceId ?? undefined,
      final_capture: true,
      supplementary_data: { related_ids: { order_id: order.id } },
      create_time: order.createTime,
    };
  }

  view(order: StandInOrder): Record<string, unknown> {
    const self = `${this.publicUrl()}/v2/checkout/orders/${order.id}`;
    const links = [{ href: self, rel: 'self', method: 'GET' }];
    if (order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED') {
      const rel = order.status === 'CREATED' ? 'approve' : 'payer-action';
      links.push({ href: `${this.publicUrl()}/checkoutnow?token=${order.id}`, rel, method: 'GET' });
    }
    if (order.status === 'APPROVED') links.push({ href: `${self}/capture`, rel: 'capture', method: 'POST' });
    return {
      id: order.id,
      intent: 'CAPTURE',
      status: order.status,
      create_time: order.createTime,
      purchase_units: [
        {
          reference_id: 'default',
          amount: order.amount,
          ...(order.invoiceId ? { invoice_id: order.invoiceId } : {}),
          ...(order.capture ? { payments: { captures: [this.captureView(order.capture, order)] } } : {}),
        },
      ],
      links,
    };
  }
}

/** "12.30" → 1230 on digits (the stand-in only ever stores values it checked against /^\d+(\.\d{2})?$/). */
const cents = (v: string) => {
  const [whole = '0', fraction = ''] = v.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};
const value = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
