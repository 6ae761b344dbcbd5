import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit.js';
import { inTransaction } from '../depots.js';
import { invoicesFromRows } from '../invoices/invoices.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { PERSONAL_FIELDS, sealedColumn } from './customer-fields.js';
import type { DataActor } from './customers.js';

/** The customer still has business in progress (a draft, an open or a paid invoice whose key waits). */
export class OpenBusinessError extends Error {
  override name = 'OpenBusinessError';
  constructor(readonly invoiceIds: readonly number[]) {
    super(`the customer has invoices in progress: ${invoiceIds.join(', ')}`);
  }
}

/** Invoices of the customer that are still in progress (drafts are not: erasure discards them). */
export async function openBusiness(db: Kysely<Schema>, customerId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('invoices')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('state', 'in', ['open', 'paid'])
    .execute();
  const invoices = await invoicesFromRows(db, rows);
  return invoices.filter((i) => i.state === 'open' || i.state === 'paid').map((i) => i.id);
}

export interface ErasureResult {
  readonly pseudonym: string;
  /** Issued invoices whose recipient stays sealed but restricted until their retention ends. */
  readonly restrictedInvoices: number;
  /** Issued invoices past retention whose recipient was erased at once. */
  readonly erasedRecipients: number;
  readonly discardedDrafts: number;
}

/**
 * Erases a customer's personal data (GDPR Art. 17): every sealed field is
 * set to NULL, the blind-index rows are deleted, a random pseudonym stands in
 * for the name. Invoices and movements stay, with their numbers and amounts.
 * An issued invoice inside its retention period (§147 AO) keeps its
 * recipient sealed but restricted (not shown, not searchable) until the
 * retention job erases it; one past it loses the recipient now. Drafts (no
 * number, no record yet) are deleted. Refused while an invoice is open or
 * paid with its key still waiting. One transaction with its audit entry.
 */
export async function eraseCustomer(
  db: Kysely<Schema>,
  actor: DataActor,
  customerId: number,
  reason: 'request' | 'retention',
): Promise<ErasureResult | null> {
  return inTransaction(db, async (trx) => {
    const customer = await trx
      .selectFrom('customers')
      .select(['id', 'number', 'erased_at_ms'])
      .where('id', '=', customerId)
      .where('organisation_id', '=', actor.organisationId)
      .executeTakeFirst();
    if (!customer || customer.erased_at_ms !== null) return null;
    const open = await openBusiness(trx, customerId);
    if (open.length > 0) throw new OpenBusinessError(open);
    const pseudonym = randomBytes(6).toString('hex');
    const cleared = Object.fromEntries(PERSONAL_FIELDS.map((f) => [sealedColumn(f), null]));
    await trx
      .updateTable('customers')
      .set({ ...cleared, pseudonym, erased_at_ms: actor.nowMs, updated_at_ms: actor.nowMs })
      .where('id', '=', customerId)
      .execute();
    await trx.deleteFrom('customer_index').where('customer_id', '=', customerId).execute();
    const drafts = await trx
      .selectFrom('invoices')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('state', '=', 'draft')
      .execute();
    for (const { id } of drafts) {
      await trx.deleteFrom('invoice_lines').where('invoice_id', '=', toNumber(id)).execute();
      await trx.deleteFrom('invoices').where('id', '=', toNumber(id)).execute();
    }
    const past = await trx
      .updateTable('invoices')
      .set({ recipient_sealed: null, recipient_erased_at_ms: actor.nowMs, restricted_at_ms: actor.nowMs })
      .where('customer_id', '=', customerId)
      .where('recipient_sealed', 'is not', null)
      .where('retention_until_ms', '<=', actor.nowMs)
      .executeTakeFirst();
    const restricted = await trx
      .updateTable('invoices')
      .set({ restricted_at_ms: actor.nowMs })
      .where('customer_id', '=', customerId)
      .where('recipient_sealed', 'is not', null)
      .where('restricted_at_ms', 'is', null)
      .executeTakeFirst();
    const result: ErasureResult = {
      pseudonym,
      restrictedInvoices: Number(restricted.numUpdatedRows),
      erasedRecipients: Number(past.numUpdatedRows),
      discardedDrafts: drafts.length,
    };
    await appendAudit(trx, {
      atMs: actor.nowMs,
      actor: actor.actor,
      actorUserId: actor.userId,
      action: 'customer.erase',
      organisationId: actor.organisationId,
      subject: `customer ${toNumber(customer.number)}`,
      after: { reason, ...result },
      address: actor.address,
    });
    return result;
  });
}
