/**
 * PayPal's webhooks from the stand-in over real HTTP into the webhook
 * endpoint, on each engine: verified at PayPal before anything happens,
 * recorded once by event id (duplicates and any order), forged or
 * re-addressed deliveries rejected with nothing changed, and a PayPal that
 * cannot verify answered with 503 so the delivery comes again.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createPayPalClient } from '../../src/payments/paypal-client.js';
import { createPayPalClients } from '../../src/payments/paypal-clients.js';
import { paypalWebhookHandler } from '../../src/payments/webhook-endpoint.js';
import { savePaymentSettings } from '../../src/store/payments/payment-settings.js';
import { listWebhookEvents, type WebhookEvent } from '../../src/store/payments/webhook-events.js';
import type { Schema } from '../../src/store/schema.js';
import { testDialects } from '../databases.js';
import { PayPalStandIn } from '../paypal-standin/paypal-standin.js';
import { createPortalHarness, type PortalHarness } from '../portal/portal-harness.js';
import { silentLogger } from '../relay/fixtures.js';

const CLIENT_ID = 'AZwebhookClient';
const SECRET = 'EKwebhook-secret-abcdefghijklmnopqrstuvwxyz0123456789';

describe.each(testDialects())('PayPal webhooks on %s', (dialect) => {
  let h: PortalHarness;
  let standIn: PayPalStandIn;
  let server: ServerType;
  let orgId: number;
  const effects: string[] = [];

  beforeAll(async () => {
    standIn = await PayPalStandIn.start({ credentials: { [CLIENT_ID]: SECRET } });
    h = await createPortalHarness(dialect);
    orgId = await h.organisation('Autohaus Kern');
    const owner = await h.user('owner', { organisationId: orgId });
    await savePaymentSettings(
      h.db.db,
      h.deps.sealer,
      { userId: owner, organisationId: orgId, nowMs: h.now, address: null },
      { clientId: CLIENT_ID, secret: SECRET, environment: 'sandbox', webhookId: 'WH1KERN' },
    );
    const app = new Hono();
    app.post(
      '/paypal/webhook/:organisationId',
      paypalWebhookHandler({
        store: h.db,
        sealer: h.deps.sealer,
        payments: createPayPalClients({ hosts: { sandbox: standIn.url, live: standIn.url } }),
        clock: () => h.now,
        logger: silentLogger,
        onEvent: async (_trx: Kysely<Schema>, event: WebhookEvent) => {
          effects.push(`${event.eventType} ${event.resourceId}`);
        },
      }),
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const port = (server.address() as AddressInfo).port;
    standIn.webhookTarget = {
      url: `http://127.0.0.1:${port}/paypal/webhook/${orgId}`,
      webhookId: 'WH1KERN',
      mode: 'hold',
    };
  });
  afterAll(async () => {
    await standIn.close();
    await new Promise((resolve) => server.close(resolve));
    await h.dispose();
  });

  /** An order paid at the stand-in; returns its capture id (the held COMPLETED event is the last in `held`). */
  async function paidOrder(invoice: string): Promise<string> {
    const client = createPayPalClient({ baseUrl: standIn.url, clientId: CLIENT_ID, clientSecret: SECRET });
    const order = await client.createOrder({
      requestId: `create-${invoice}`,
      invoiceNumber: invoice,
      amountCents: 4_990,
      currency: 'EUR',
      description: invoice,
      returnUrl: 'http://127.0.0.1:1/return',
      cancelUrl: 'http://127.0.0.1:1/cancel',
    });
    standIn.approve(order.id);
    return (await client.captureOrder(order.id, `capture-${invoice}`)).captures[0]?.id as string;
  }

  it('records a verified event once, however often and in whatever order it comes', async () => {
    const first = await paidOrder('R-1');
    const completed = standIn.held.at(-1);
    if (!completed) throw new Error('no event held');
    expect((await standIn.send(completed)).status).toBe(200);
    expect((await standIn.send(completed)).status).toBe(200);
    expect(effects).toEqual([`PAYMENT.CAPTURE.COMPLETED ${first}`]);

    // A second order's refund arrives before its completion.
    const second = await paidOrder('R-2');
    const secondCompleted = standIn.held.at(-1);
    const client = createPayPalClient({ baseUrl: standIn.url, clientId: CLIENT_ID, clientSecret: SECRET });
    await client.refundCapture(second, 'refund-R-2');
    const refunded = standIn.held.at(-1);
    if (!secondCompleted || !refunded) throw new Error('no events held');
    expect((await standIn.send(refunded)).status).toBe(200);
    expect((await standIn.send(secondCompleted)).status).toBe(200);
    expect((await standIn.send(refunded)).status).toBe(200);
    expect(effects).toEqual([
      `PAYMENT.CAPTURE.COMPLETED ${first}`,
      `PAYMENT.CAPTURE.REFUNDED ${second}`,
      `PAYMENT.CAPTURE.COMPLETED ${second}`,
    ]);
    expect((await listWebhookEvents(h.db.db, orgId)).map((e) => `${e.eventType} ${e.resourceId}`).sort()).toEqual(
      [...effects].sort(),
    );
  });

  it('rejects a forged, altered or re-addressed delivery and changes nothing', async () => {
    await paidOrder('R-3');
    const event = standIn.held.at(-1);
    if (!event) throw new Error('no event held');
    const before = await listWebhookEvents(h.db.db, orgId);
    const verifies = standIn.calls.verify;
    const tampered = await standIn.send(event, { tamper: (body) => body.replace('"49.90"', '"0.01"') });
    expect(tampered.status).toBe(400);
    const otherWebhook = await standIn.send(event, { webhookId: 'WH2OTHER' });
    expect(otherWebhook.status).toBe(400);
    expect(standIn.calls.verify).toBe(verifies + 2);
    const target = standIn.webhookTarget?.url as string;
    const unsigned = await fetch(target, {
      method: 'POST',
      body: event.body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(400);
    const wrongOrg = await fetch(target.replace(/\/\d+$/, '/999999'), {
      method: 'POST',
      body: event.body,
      headers: standIn.webhooks.sign('WH1KERN', event.body),
    });
    expect(wrongOrg.status).toBe(404);
    expect(await listWebhookEvents(h.db.db, orgId)).toEqual(before);
    expect(effects).toHaveLength(3);
  });

  it('answers 503 when PayPal cannot verify, so PayPal delivers again', async () => {
    const capture = await paidOrder('R-4');
    const event = standIn.held.at(-1);
    if (!event) throw new Error('no event held');
    standIn.failNext('verify', 'server-error');
    expect((await standIn.send(event)).status).toBe(503);
    expect(effects).toHaveLength(3);
    expect((await standIn.send(event)).status).toBe(200);
    expect(effects.at(-1)).toBe(`PAYMENT.CAPTURE.COMPLETED ${capture}`);
  });

  it('is mounted outside the portal: no login, no CSRF token, still nothing without PayPal headers', async () => {
    const app = createApp({ metricsText: async () => '', portal: h.deps });
    const response = await app.request(`http://localhost/paypal/webhook/${orgId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"WH-X","event_type":"PAYMENT.CAPTURE.COMPLETED"}',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('missing PayPal transmission headers');
  });
});
