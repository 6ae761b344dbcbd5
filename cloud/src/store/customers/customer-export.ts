import type { Kysely } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import { appendAudit } from '../audit.js';
import { recipientPlace } from '../invoices/invoice-actions.js';
import { invoiceLines, listInvoices } from '../invoices/invoices.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { customerPins } from './customer-pins.js';
import { type DataActor, findCustomer } from './customers.js';

/** The format of the export, so a reader can tell versions apart. */
export const EXPORT_FORMAT = 'keydepot.customer-export.v1';

/**
 * Everything stored about one customer (GDPR Art. 15 and 20), as one JSON
 * document: the customer's fields, every invoice and cancellation record with
 * its lines and the recipient as issued, the PINs released for their invoices
 * (without the digits: a PIN is a key, not information about the person) and
 * the movements those PINs caused, and the audit entries about them. The
 * export itself is audited (without its content).
 */
export async function exportCustomer(
  db: Kysely<Schema>,
  sealer: DataSealer,
  actor: DataActor,
  customerId: number,
): Promise<Record<string, unknown> | null> {
  const customer = await findCustomer(db, sealer, actor.organisationId, customerId);
  if (!customer) return null;
  const invoices = await listInvoices(db, actor.organisationId, { customerId, limit: 100_000 });
  const invoiceRecords = [];
  for (const invoice of invoices) {
    const row = await db
      .selectFrom('invoices')
      .select('recipient_sealed')
      .where('id', '=', invoice.id)
      .executeTakeFirstOrThrow();
    const recipient = row.recipient_sealed
      ? JSON.parse(sealer.open(new Uint8Array(row.recipient_sealed), recipientPlace(invoice.id)))
      : null;
    invoiceRecords.push({ ...invoice, recipient, lines: await invoiceLines(db, invoice.id) });
  }
  const pins = await customerPins(db, actor.organisationId, customerId, actor.nowMs);
  const subjects = [`customer ${customer.number}`, ...invoices.flatMap((i) => (i.number ? [i.number] : []))];
  const audit = await db
    .selectFrom('audit_log')
    .select(['at_ms', 'actor', 'action', 'subject', 'before_json', 'after_json'])
    .where('organisation_id', '=', actor.organisationId)
    .where('subject', 'in', subjects)
    .orderBy('id')
    .execute();
  const document = {
    format: EXPORT_FORMAT,
    exportedAtMs: actor.nowMs,
    customer: {
      number: customer.number,
      language: customer.language,
      ...customer.personal,
      pseudonym: customer.pseudonym,
      erasedAtMs: customer.erasedAtMs,
      createdAtMs: customer.createdAtMs,
      updatedAtMs: customer.updatedAtMs,
      lastActivityMs: customer.lastActivityMs,
    },
    invoices: invoiceRecords,
    pins,
    audit: audit.map((a) => ({
      atMs: toNumber(a.at_ms),
      actor: a.actor,
      action: a.action,
      subject: a.subject,
      before: a.before_json === null ? null : JSON.parse(a.before_json),
      after: a.after_json === null ? null : JSON.parse(a.after_json),
    })),
  };
  await appendAudit(db, {
    atMs: actor.nowMs,
    actor: actor.actor,
    actorUserId: actor.userId,
    action: 'customer.export',
    organisationId: actor.organisationId,
    subject: `customer ${customer.number}`,
    after: { invoices: invoiceRecords.length, pins: pins.length },
    address: actor.address,
  });
  return document;
}
