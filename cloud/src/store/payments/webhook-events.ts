import type { Kysely } from 'kysely';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { isUniqueViolation } from '../unique-violation.js';

/** A verified PayPal webhook event, as far as we keep it. */
export interface WebhookEvent {
  readonly organisationId: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly resourceId: string;
  readonly receivedAtMs: number;
}

/**
 * Records a verified event once, in the caller's transaction; false when it
 * was recorded before (PayPal redelivers until it gets a 2xx, and may send
 * the same event twice), so its effects happen once.
 */
export async function recordWebhookEvent(trx: Kysely<Schema>, event: WebhookEvent): Promise<boolean> {
  const seen = await trx
    .selectFrom('paypal_webhook_events')
    .select('event_id')
    .where('organisation_id', '=', event.organisationId)
    .where('event_id', '=', event.eventId)
    .executeTakeFirst();
  if (seen) return false;
  try {
    await trx
      .insertInto('paypal_webhook_events')
      .values({
        organisation_id: event.organisationId,
        event_id: event.eventId,
        event_type: event.eventType,
        resource_id: event.resourceId,
        received_at_ms: event.receivedAtMs,
      })
      .execute();
  } catch (error) {
    // The same event delivered twice at once: the other delivery recorded it.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  return true;
}

export async function listWebhookEvents(db: Kysely<Schema>, organisationId: number): Promise<WebhookEvent[]> {
  const rows = await db
    .selectFrom('paypal_webhook_events')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('received_at_ms')
    .execute();
  return rows.map((r) => ({
    organisationId: toNumber(r.organisation_id),
    eventId: r.event_id,
    eventType: r.event_type,
    resourceId: r.resource_id,
    receivedAtMs: toNumber(r.received_at_ms),
  }));
}
