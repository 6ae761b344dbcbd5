/**
 * The PayPal client against the stand-in over real HTTP: token caching,
 * create/get/capture/refund with PayPal-Request-Id, each planted failure
 * turned into a typed PayPalError, and webhook signature verification.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPayPalClient, type PayPalClient } from '../../src/payments/paypal-client.js';
import { isPayPalError, type PayPalError, payPalMessage } from '../../src/payments/paypal-errors.js';
import type { NewOrder } from '../../src/payments/paypal-types.js';
import { PayPalStandIn } from '../paypal-standin/paypal-standin.js';

const CLIENT_ID = 'AZstandinClient01';
const SECRET = 'EKstandin-secret-0123456789abcdefghijklmnopqrstuvwxyz';

let standIn: PayPalStandIn;
let now: number;
let client: PayPalClient;

const order = (requestId: string, amountCents = 12_345): NewOrder => ({
  requestId,
  invoiceNumber: 'R-2026-0042',
  amountCents,
  currency: 'EUR',
  description: 'Invoice R-2026-0042',
  returnUrl: 'http://127.0.0.1:1/pay/return',
  cancelUrl: 'http://127.0.0.1:1/pay/cancel',
});

async function failureOf(call: Promise<unknown>): Promise<PayPalError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isPayPalError(error)) throw new Error(`expected a PayPalError, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  standIn = await PayPalStandIn.start({
    credentials: { [CLIENT_ID]: SECRET },
    tokenLifetimeSeconds: 3600,
    holdMs: 5000,
  });
  now = Date.UTC(2026, 11, 6, 9, 0);
  client = createPayPalClient({
    baseUrl: standIn.url,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    clock: () => now,
    timeoutMs: 400,
  });
});
afterEach(() => standIn.close());

describe('PayPal client against the stand-in', () => {
  it('fetches one token and reuses it until shortly before it expires', async () => {
    const first = await client.accessToken();
    await client.accessToken();
    await Promise.all([client.getOrder('NOSUCHORDER1').catch(() => null), client.accessToken()]);
    expect(standIn.calls.token).toBe(1);
    now += 3600_000 - 61_000;
    expect(await client.accessToken()).toBe(first);
    now += 2_000;
    expect(await client.accessToken()).not.toBe(first);
    expect(standIn.calls.token).toBe(2);
  });

  it('creates an order with the invoice number and the amount as a decimal string, once per request id', async () => {
    const created = await client.createOrder(order('req-create-1'));
    const again = await client.createOrder(order('req-create-1'));
    expect(again.id).toBe(created.id);
    expect(standIn.orders.orders.size).toBe(1);
    const stored = standIn.orders.orders.get(created.id);
    expect(stored?.amount).toEqual({ currency_code: 'EUR', value: '123.45' });
    expect(stored?.invoiceId).toBe('R-2026-0042');
    expect(created.approveUrl).toMatch(/\/checkoutnow\?token=/);
    expect((await client.getOrder(created.id)).invoiceId).toBe('R-2026-0042');
  });

  it('captures an approved order; a timed-out capture retried with its request id makes one capture', async () => {
    const created = await client.createOrder(order('req-create-2', 5));
    const notApproved = await failureOf(client.captureOrder(created.id, 'req-capture-0'));
    expect(notApproved.failure).toBe('not-approved');
    standIn.approve(created.id);
    standIn.failNext('capture', 'timeout');
    const timedOut = await failureOf(client.captureOrder(created.id, 'req-capture-1'));
    expect(timedOut.failure).toBe('unavailable');
    expect(timedOut.retryable).toBe(true);
    const captured = await client.captureOrder(created.id, 'req-capture-1');
    expect(captured.status).toBe('COMPLETED');
    expect(captured.captures).toHaveLength(1);
    expect(captured.captures[0]?.amountCents).toBe(5);
    expect(standIn.orders.captures.size).toBe(1);
    // A new request id for the same order is refused, not captured twice.
    const twice = await failureOf(client.captureOrder(created.id, 'req-capture-2'));
    expect(twice.failure).toBe('conflict');
    expect(standIn.orders.captures.size).toBe(1);
  });

  it('turns a declined capture, a compliance refusal and a server error into typed failures', async () => {
    const created = await client.createOrder(order('req-create-3'));
    standIn.approve(created.id);
    standIn.failNext('capture', 'declined');
    const declined = await failureOf(client.captureOrder(created.id, 'req-capture-a'));
    expect(declined.failure).toBe('declined');
    expect(declined.issue).toBe('UNPROCESSABLE_ENTITY/INSTRUMENT_DECLINED');
    expect(declined.debugId).toMatch(/^[0-9a-f]+$/);
    expect(payPalMessage(declined.failure, 'de')).toContain('abgelehnt');
    standIn.failNext('capture', 'compliance');
    expect((await failureOf(client.captureOrder(created.id, 'req-capture-b'))).failure).toBe('compliance');
    standIn.failNext('capture', 'server-error');
    const serverError = await failureOf(client.captureOrder(created.id, 'req-capture-c'));
    expect(serverError.failure).toBe('unavailable');
    expect(serverError.issue).toBe('INTERNAL_SERVER_ERROR');
    // Nothing was captured by any of them; the next try goes through.
    expect(standIn.orders.captures.size).toBe(0);
    expect((await client.captureOrder(created.id, 'req-capture-d')).status).toBe('COMPLETED');
  });

  it('follows the payer on the approval page: cancel goes back to the cancel URL unpaid, approve to the return URL', async () => {
    const created = await client.createOrder(order('req-create-page'));
    const page = await fetch(created.approveUrl as string);
    const html = await page.text();
    expect(html).toContain('R-2026-0042');
    expect(html).toContain('123.45 EUR');
    const click = (action: string) =>
      fetch(`${standIn.url}/checkoutnow`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: created.id, action }).toString(),
      });
    const cancelled = await click('cancel');
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('location')).toBe(`http://127.0.0.1:1/pay/cancel?token=${created.id}`);
    expect((await client.getOrder(created.id)).status).toBe('PAYER_ACTION_REQUIRED');
    expect((await failureOf(client.captureOrder(created.id, 'req-capture-page-0'))).failure).toBe('not-approved');

    const approved = await click('approve');
    expect(approved.headers.get('location')).toBe(
      `http://127.0.0.1:1/pay/return?token=${created.id}&PayerID=STANDINPAYER1`,
    );
    expect((await client.getOrder(created.id)).status).toBe('APPROVED');
    expect((await client.captureOrder(created.id, 'req-capture-page-1')).status).toBe('COMPLETED');
  });

  it('refuses a duplicate invoice number', async () => {
    standIn.failNext('create', 'duplicate-invoice');
    const duplicate = await failureOf(client.createOrder(order('req-create-dup')));
    expect(duplicate.failure).toBe('conflict');
    expect(duplicate.issue).toBe('UNPROCESSABLE_ENTITY/DUPLICATE_INVOICE_ID');
  });

  it('refunds a capture once per request id and refuses a second full refund', async () => {
    const created = await client.createOrder(order('req-create-4', 2_000));
    standIn.approve(created.id);
    const captureId = (await client.captureOrder(created.id, 'req-capture-4')).captures[0]?.id as string;
    const refund = await client.refundCapture(captureId, 'req-refund-1');
    expect(refund).toMatchObject({ status: 'COMPLETED', amountCents: 2_000 });
    expect((await client.refundCapture(captureId, 'req-refund-1')).id).toBe(refund.id);
    const second = await failureOf(client.refundCapture(captureId, 'req-refund-2'));
    expect(second.failure).toBe('conflict');
    expect(second.issue).toBe('UNPROCESSABLE_ENTITY/CAPTURE_FULLY_REFUNDED');
  });

  it('says plainly when the credentials are wrong, without the secret in the error', async () => {
    const wrong = createPayPalClient({
      baseUrl: standIn.url,
      clientId: CLIENT_ID,
      clientSecret: 'not-the-secret-0815',
    });
    const error = await failureOf(wrong.accessToken());
    expect(error.failure).toBe('credentials');
    expect(error.issue).toBe('invalid_client');
    expect(`${error.message} ${error.stack}`).not.toContain('not-the-secret-0815');
    expect(payPalMessage('credentials', 'en')).toMatch(/did not accept/);
  });

  it('reports an unreachable PayPal as unavailable', async () => {
    await standIn.close();
    const error = await failureOf(client.accessToken());
    expect(error.failure).toBe('unavailable');
    standIn = await PayPalStandIn.start({ credentials: {} });
  });

  it('verifies a webhook the stand-in signed and rejects a changed one', async () => {
    const { body } = standIn.webhooks.event({
      eventType: 'PAYMENT.CAPTURE.COMPLETED',
      resource: { id: 'CAPTURE1', status: 'COMPLETED' },
    });
    const headers = standIn.webhooks.sign('WH1STANDIN', body);
    const transmission = {
      authAlgo: headers['paypal-auth-algo'] as string,
      certUrl: headers['paypal-cert-url'] as string,
      transmissionId: headers['paypal-transmission-id'] as string,
      transmissionSig: headers['paypal-transmission-sig'] as string,
      transmissionTime: headers['paypal-transmission-time'] as string,
    };
    expect(await client.verifyWebhookSignature({ webhookId: 'WH1STANDIN', transmission, rawEvent: body })).toBe(true);
    const forged = body.replace('"COMPLETED"', '"REFUNDED"');
    expect(await client.verifyWebhookSignature({ webhookId: 'WH1STANDIN', transmission, rawEvent: forged })).toBe(
      false,
    );
    expect(await client.verifyWebhookSignature({ webhookId: 'OTHERWEBHOOK', transmission, rawEvent: body })).toBe(
      false,
    );
    expect(await client.verifyWebhookSignature({ webhookId: 'WH1STANDIN', transmission, rawEvent: '{not json' })).toBe(
      false,
    );
  });
});
