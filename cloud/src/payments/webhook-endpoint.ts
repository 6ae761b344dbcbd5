import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DataSealer } from '../keys/data-key.js';
import type { StoreDatabase } from '../store/database.js';
import { inTransaction } from '../store/depots.js';
import { readPaymentCredentials } from '../store/payments/payment-settings.js';
import { recordWebhookEvent, type WebhookEvent } from '../store/payments/webhook-events.js';
import type { Schema } from '../store/schema.js';
import type { PayPalClients } from './paypal-clients.js';
import { isPayPalError } from './paypal-errors.js';
import { WEBHOOK_HEADERS, type WebhookTransmission } from './paypal-types.js';

/** PayPal's events are a few kilobytes; anything far larger is not from PayPal. */
const MAX_EVENT_BYTES = 64 * 1024;

/** The events this endpoint acts on; others are acknowledged and ignored. */
export const HANDLED_EVENTS = ['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.REFUNDED'];

export interface WebhookDeps {
  readonly store: StoreDatabase;
  readonly sealer: DataSealer;
  readonly payments: PayPalClients;
  readonly clock: () => number;
  readonly logger: Logger;
  /** What a new, verified event changes, in the transaction that records it (the invoice payment step). */
  readonly onEvent?: (trx: Kysely<Schema>, event: WebhookEvent, resource: Record<string, unknown>) => Promise<void>;
}

/**
 * POST /paypal/webhook/:organisationId, called by PayPal, not behind a login.
 * Nothing is read from the event before PayPal's verify-webhook-signature
 * confirmed it for this organisation's webhook id: a forged or altered
 * delivery gets 400 and changes nothing. A verified event is recorded by its
 * event id, so a redelivery is acknowledged without acting twice. If PayPal
 * cannot be asked, the answer is 503 and PayPal delivers again later.
 */
export function paypalWebhookHandler(deps: WebhookDeps) {
  return async (c: Context) => {
    const organisationId = /^[1-9]\d{0,15}$/.test(c.req.param('organisationId') ?? '')
      ? Number(c.req.param('organisationId'))
      : null;
    const raw = await c.req.text();
    if (organisationId === null) return c.text('unknown webhook', 404);
    if (Buffer.byteLength(raw) > MAX_EVENT_BYTES) return c.text('too large', 413);
    const transmission = transmissionOf((name) => c.req.header(name));
    if (!transmission) return c.text('missing PayPal transmission headers', 400);
    const credentials = await readPaymentCredentials(deps.store.db, deps.sealer, organisationId);
    if (!credentials || credentials.webhookId === '') return c.text('unknown webhook', 404);
    const log = deps.logger.child({ organisationId, transmissionId: transmission.transmissionId });
    let verified: boolean;
    try {
      verified = await deps.payments
        .clientFor(credentials)
        .verifyWebhookSignature({ webhookId: credentials.webhookId, transmission, rawEvent: raw });
    } catch (error) {
      if (!isPayPalError(error)) throw error;
      log.warn({ issue: error.issue }, 'PayPal webhook not verified: PayPal could not be asked');
      return c.text('verification unavailable, deliver again', 503);
    }
    if (!verified) {
      log.warn('PayPal webhook rejected: signature not verified');
      return c.text('signature not verified', 400);
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const resource = (typeof body.resource === 'object' && body.resource !== null ? body.resource : {}) as Record<
      string,
      unknown
    >;
    const event: WebhookEvent = {
      organisationId,
      eventId: String(body.id ?? '').slice(0, 64),
      eventType: String(body.event_type ?? '').slice(0, 64),
      resourceId: String(resource.id ?? '').slice(0, 64),
      receivedAtMs: deps.clock(),
    };
    if (event.eventId === '') return c.text('event without id', 400);
    const fresh = await inTransaction(deps.store.db, async (trx) => {
      if (!(await recordWebhookEvent(trx, event))) return false;
      if (HANDLED_EVENTS.includes(event.eventType)) await deps.onEvent?.(trx, event, resource);
      return true;
    });
    log.info({ eventId: event.eventId, eventType: event.eventType, fresh }, 'PayPal webhook');
    return c.text(fresh ? 'ok' : 'already handled', 200);
  };
}

function transmissionOf(header: (name: string) => string | undefined): WebhookTransmission | null {
  const values = {
    authAlgo: header(WEBHOOK_HEADERS.authAlgo),
    certUrl: header(WEBHOOK_HEADERS.certUrl),
    transmissionId: header(WEBHOOK_HEADERS.transmissionId),
    transmissionSig: header(WEBHOOK_HEADERS.transmissionSig),
    transmissionTime: header(WEBHOOK_HEADERS.transmissionTime),
  };
  for (const value of Object.values(values)) if (!value || value.length > 500) return null;
  return values as WebhookTransmission;
}
