import { EventKind } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { findPin, type PinView } from '../portal/pins.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';

/** A movement a customer's PIN caused: the depot's events from the PIN's acceptance through the key's removal. */
export interface PinMovement {
  readonly kind: number;
  readonly compartment: number;
  readonly atMs: number;
}

export interface CustomerPin {
  readonly invoiceId: number;
  readonly invoiceNumber: string | null;
  readonly pin: PinView;
  readonly movements: readonly PinMovement[];
}

/** How long after a PIN was accepted the compartment's events still belong to that pickup. */
const PICKUP_SPAN_MS = 10 * 60_000;

/**
 * The PINs released for the customer's invoices, each with the movements it
 * caused: its own events (accepted, spent) and what followed on its
 * compartment within ten minutes of being accepted (unlocked, door, key).
 */
export async function customerPins(
  db: Kysely<Schema>,
  organisationId: number,
  customerId: number,
  nowMs: number,
): Promise<CustomerPin[]> {
  const rows = await db
    .selectFrom('invoices')
    .select(['id', 'number', 'pin_id', 'depot_id'])
    .where('organisation_id', '=', organisationId)
    .where('customer_id', '=', customerId)
    .where('pin_id', 'is not', null)
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  const out: CustomerPin[] = [];
  for (const row of rows) {
    if (row.pin_id === null || row.depot_id === null) continue;
    const depotId = toNumber(row.depot_id);
    const pin = await findPin(db, depotId, toNumber(row.pin_id), nowMs);
    if (!pin) continue;
    const accepted = await db
      .selectFrom('events')
      .select(['depot_time_ms'])
      .where('depot_id', '=', depotId)
      .where('kind', '=', EventKind.PinAccepted)
      .where('subject', '=', `pin:${pin.id}`)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    let movements: PinMovement[] = [];
    if (accepted) {
      const from = toNumber(accepted.depot_time_ms);
      const events = await db
        .selectFrom('events')
        .select(['kind', 'compartment', 'depot_time_ms', 'subject'])
        .where('depot_id', '=', depotId)
        .where('depot_time_ms', '>=', from)
        .where('depot_time_ms', '<=', from + PICKUP_SPAN_MS)
        .where((eb) => eb.or([eb('compartment', '=', pin.compartment), eb('subject', '=', `pin:${pin.id}`)]))
        .orderBy('depot_time_ms')
        .limit(20)
        .execute();
      movements = events.map((e) => ({
        kind: toNumber(e.kind),
        compartment: toNumber(e.compartment),
        atMs: toNumber(e.depot_time_ms),
      }));
    }
    out.push({ invoiceId: toNumber(row.id), invoiceNumber: row.number, pin, movements });
  }
  return out;
}
