import type { Kysely } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import { mirroredLines } from '../../money/money.js';
import { type DataActor, findCustomer, touchCustomer } from '../customers/customers.js';
import type { StoreDatabase } from '../database.js';
import { inTransaction } from '../depots.js';
import { ensureSequence, nextSequenceValue } from '../organisation-sequences.js';
import { createOnlinePin, revokePin } from '../portal/pins-write.js';
import { insertedId } from '../row-values.js';
import type { Schema } from '../schema.js';
import { invoiceSequence, readSettings } from './invoice-settings.js';
import { type InvoiceAction, InvoiceStateError, nextState } from './invoice-state.js';
import { findInvoice, type Invoice, invoiceAudit, invoiceLines, writeLines } from './invoices.js';

/** Where an invoice's recipient snapshot is sealed. */
export const recipientPlace = (invoiceId: number) => `invoices.recipient_sealed:${invoiceId}`;

/** §147 AO: invoices are kept ten years from the end of the calendar year they were issued in. */
export function retentionEndMs(invoiceDate: string): number {
  return Date.UTC(Number(invoiceDate.slice(0, 4)) + 11, 0, 1);
}

/** The invoice, checked to be in a state that allows `action` (InvoiceStateError otherwise). */
async function invoiceFor(trx: Kysely<Schema>, actor: DataActor, invoiceId: number, action: InvoiceAction) {
  const invoice = await findInvoice(trx, actor.organisationId, invoiceId);
  if (invoice?.kind !== 'invoice') return null;
  const state = invoice.state === 'cancellation' ? 'cancelled' : invoice.state;
  const next = nextState(state, action);
  if (next === null) throw new InvoiceStateError(state, action);
  return { invoice, next };
}

/** Moves the row from `from` to `to` only if no one moved it first (the loser sees InvoiceStateError). */
async function moveState(
  trx: Kysely<Schema>,
  invoice: Invoice,
  from: string,
  action: InvoiceAction,
  set: Record<string, unknown>,
) {
  const updated = await trx
    .updateTable('invoices')
    .set(set)
    .where('id', '=', invoice.id)
    .where('state', '=', from)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new InvoiceStateError(from as 'open', action);
}

/**
 * Issues a draft: draws the next number of its sequence, seals the
 * recipient's name, company and address as of today (§14 UStG), sets the
 * retention end, in one transaction with its audit entry. A rollback puts
 * the number back, so numbers have no gaps. Returns the number.
 */
export async function issueInvoice(
  db: Kysely<Schema>,
  sealer: DataSealer,
  actor: DataActor,
  invoiceId: number,
): Promise<string | null> {
  const draft = await findInvoice(db, actor.organisationId, invoiceId);
  if (!draft) return null;
  const sequence = invoiceSequence(await readSettings(db, actor.organisationId), draft.invoiceDate);
  await ensureSequence(db, actor.organisationId, sequence.name);
  return inTransaction(db, async (trx) => {
    const found = await invoiceFor(trx, actor, invoiceId, 'issue');
    if (!found) return null;
    const { invoice } = found;
    const customer = await findCustomer(trx, sealer, actor.organisationId, invoice.customerId);
    if (!customer || customer.erasedAtMs !== null) throw new InvoiceStateError('draft', 'issue');
    const number = sequence.format(await nextSequenceValue(trx, actor.organisationId, sequence.name));
    const { name, company, address } = customer.personal;
    await moveState(trx, invoice, 'draft', 'issue', {
      state: 'open',
      number,
      issued_at_ms: actor.nowMs,
      updated_at_ms: actor.nowMs,
      recipient_sealed: sealer.seal(JSON.stringify({ name, company, address }), recipientPlace(invoice.id)),
      retention_until_ms: retentionEndMs(invoice.invoiceDate),
    });
    await touchCustomer(trx, invoice.customerId, actor.nowMs);
    await invoiceAudit(trx, actor, 'invoice.issue', number, { state: 'draft' }, { state: 'open', number });
    return number;
  });
}

/** Writes the cancellation record of `invoice`: the next number, the lines mirrored, the original's amounts negated. */
async function writeCancellation(trx: Kysely<Schema>, sealer: DataSealer, actor: DataActor, invoice: Invoice) {
  const sequence = invoiceSequence(await readSettings(trx, actor.organisationId), invoice.invoiceDate);
  const number = sequence.format(await nextSequenceValue(trx, actor.organisationId, sequence.name));
  const original = await trx
    .selectFrom('invoices')
    .select('recipient_sealed')
    .where('id', '=', invoice.id)
    .executeTakeFirstOrThrow();
  const today = new Date(actor.nowMs).toISOString().slice(0, 10);
  const result = await trx
    .insertInto('invoices')
    .values({
      organisation_id: actor.organisationId,
      kind: 'cancellation',
      number,
      customer_id: invoice.customerId,
      state: 'cancellation',
      invoice_date: today,
      due_date: today,
      net_cents: -invoice.netCents,
      vat_cents: -invoice.vatCents,
      gross_cents: -invoice.grossCents,
      cancels_invoice_id: invoice.id,
      retention_until_ms: retentionEndMs(today),
      created_at_ms: actor.nowMs,
      created_by_user_id: actor.userId,
      issued_at_ms: actor.nowMs,
      updated_at_ms: actor.nowMs,
    })
    .executeTakeFirstOrThrow();
  const id = insertedId(result);
  if (original.recipient_sealed) {
    const recipient = sealer.open(new Uint8Array(original.recipient_sealed), recipientPlace(invoice.id));
    await trx
      .updateTable('invoices')
      .set({ recipient_sealed: sealer.seal(recipient, recipientPlace(id)) })
      .where('id', '=', id)
      .execute();
  }
  await writeLines(trx, id, mirroredLines(await invoiceLines(trx, invoice.id)));
  return { id, number };
}

/** The sequence of a cancellation must exist before the transaction (organisation-sequences.ts). */
async function prepareCancellation(db: Kysely<Schema>, actor: DataActor, invoiceId: number) {
  const invoice = await findInvoice(db, actor.organisationId, invoiceId);
  if (!invoice) return;
  const today = new Date(actor.nowMs).toISOString().slice(0, 10);
  for (const date of [invoice.invoiceDate, today]) {
    await ensureSequence(
      db,
      actor.organisationId,
      invoiceSequence(await readSettings(db, actor.organisationId), date).name,
    );
  }
}

/** Cancels an open invoice by a cancellation record; the invoice keeps its number. Returns the record's number. */
export async function cancelInvoice(db: Kysely<Schema>, sealer: DataSealer, actor: DataActor, invoiceId: number) {
  await prepareCancellation(db, actor, invoiceId);
  return inTransaction(db, async (trx) => {
    const found = await invoiceFor(trx, actor, invoiceId, 'cancel');
    if (!found) return null;
    const record = await writeCancellation(trx, sealer, actor, found.invoice);
    await moveState(trx, found.invoice, 'open', 'cancel', {
      state: 'cancelled',
      cancelled_by_invoice_id: record.id,
      updated_at_ms: actor.nowMs,
    });
    await touchCustomer(trx, found.invoice.customerId, actor.nowMs);
    await invoiceAudit(
      trx,
      actor,
      'invoice.cancel',
      found.invoice.number ?? '',
      { state: 'open' },
      { state: 'cancelled', cancellation: record.number },
    );
    return record.number;
  });
}

export type PaymentMethod = 'cash' | 'transfer';
export const PAYMENT_METHODS: readonly PaymentMethod[] = ['cash', 'transfer'];

/** The pickup window is over: a PIN for it would never open. */
export class PickupWindowOverError extends Error {
  override name = 'PickupWindowOverError';
}

/**
 * Marks an open invoice paid (cash or bank transfer; who and when recorded)
 * and, when it names a depot and compartment, releases a one-time PIN for it
 * through the PIN code (pins-write.ts): the payment, the PIN row, its PIN_ADD
 * command and both audit entries commit together or not at all. The PIN's
 * label is the invoice number, never the customer's name (labels are not
 * sealed). Returns the PIN's digits to show once, or null without a compartment.
 */
export async function payInvoice(
  store: StoreDatabase,
  sealer: DataSealer,
  actor: DataActor & { readonly userId: number },
  invoiceId: number,
  method: PaymentMethod,
): Promise<{ number: string; pin: { pinId: number; digits: string } | null } | null> {
  return inTransaction(store.db, async (trx) => {
    const found = await invoiceFor(trx, actor, invoiceId, 'pay');
    if (!found) return null;
    const { invoice } = found;
    if (invoice.pickupUntilMs !== null && invoice.pickupUntilMs <= actor.nowMs) {
      throw new PickupWindowOverError('the pickup window of this invoice is over');
    }
    await moveState(trx, invoice, 'open', 'pay', {
      state: 'paid',
      paid_at_ms: actor.nowMs,
      payment_method: method,
      paid_by_user_id: actor.userId,
      updated_at_ms: actor.nowMs,
    });
    let pin: { pinId: number; digits: string } | null = null;
    if (invoice.depotId !== null && invoice.compartment !== null) {
      pin = await createOnlinePin({ ...store, db: trx }, sealer, {
        depotId: invoice.depotId,
        organisationId: actor.organisationId,
        userId: actor.userId,
        nowMs: actor.nowMs,
        address: actor.address ?? '',
        kind: 'one-time',
        compartment: invoice.compartment,
        label: invoice.number ?? '',
        validFromMs: Math.max(invoice.pickupFromMs ?? 0, 0),
        validUntilMs: invoice.pickupUntilMs ?? 0,
        schedule: [],
      });
      await trx.updateTable('invoices').set({ pin_id: pin.pinId }).where('id', '=', invoice.id).execute();
    }
    await touchCustomer(trx, invoice.customerId, actor.nowMs);
    await invoiceAudit(
      trx,
      actor,
      'invoice.pay',
      invoice.number ?? '',
      { state: 'open' },
      { state: 'paid', method, pinId: pin?.pinId ?? null },
    );
    return { number: invoice.number ?? '', pin };
  });
}

/**
 * Refunds a paid invoice whose key was not picked up: revokes its PIN (the
 * PIN_REVOKE is queued), writes the cancellation record, in one transaction.
 * The money itself goes back outside (cash, transfer; PayPal in the payment issue).
 */
export async function refundInvoice(
  store: StoreDatabase,
  sealer: DataSealer,
  actor: DataActor & { readonly userId: number },
  invoiceId: number,
) {
  await prepareCancellation(store.db, actor, invoiceId);
  return inTransaction(store.db, async (trx) => {
    const found = await invoiceFor(trx, actor, invoiceId, 'refund');
    if (!found) return null;
    const { invoice } = found;
    if (invoice.pinId !== null && invoice.depotId !== null) {
      await revokePin(
        { ...store, db: trx },
        {
          depotId: invoice.depotId,
          organisationId: actor.organisationId,
          userId: actor.userId,
          nowMs: actor.nowMs,
          address: actor.address ?? '',
          pinId: invoice.pinId,
        },
      );
    }
    const record = await writeCancellation(trx, sealer, actor, invoice);
    await moveState(trx, invoice, 'paid', 'refund', {
      state: 'refunded',
      refunded_at_ms: actor.nowMs,
      cancelled_by_invoice_id: record.id,
      updated_at_ms: actor.nowMs,
    });
    await touchCustomer(trx, invoice.customerId, actor.nowMs);
    await invoiceAudit(
      trx,
      actor,
      'invoice.refund',
      invoice.number ?? '',
      { state: 'paid' },
      { state: 'refunded', cancellation: record.number },
    );
    return record.number;
  });
}
