import type { Kysely } from 'kysely';
import { type AuditActor, appendAudit } from '../audit.js';
import { inTransaction } from '../depots.js';
import { readSettings } from '../invoices/invoice-settings.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { eraseCustomer, openBusiness } from './erasure.js';

export interface RetentionReport {
  readonly organisationId: number;
  /** Customers erased because their retention period had passed. */
  readonly erasedCustomers: number;
  /** Restricted invoice recipients erased because the invoice's retention (§147 AO) ended. */
  readonly erasedRecipients: number;
}

/** `months` calendar months before `nowMs` (UTC). */
export function monthsBefore(nowMs: number, months: number): number {
  const d = new Date(nowMs);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/**
 * The retention job (run daily by `keydepot-cloud retention run`): per
 * organisation, erases customers whose last activity is older than the
 * organisation's retention setting and who have no invoice in progress, and
 * erases the sealed recipients of restricted invoices whose legal retention
 * has ended. Each erasure is its own transaction with its audit entry; the
 * run writes one more entry per organisation with the counts.
 */
export async function runRetention(
  db: Kysely<Schema>,
  options: { nowMs: number; actor: AuditActor; userId?: number | null; organisationId?: number },
): Promise<RetentionReport[]> {
  let query = db.selectFrom('organisations').select('id').orderBy('id');
  if (options.organisationId !== undefined) query = query.where('id', '=', options.organisationId);
  const reports: RetentionReport[] = [];
  for (const org of await query.execute()) {
    const organisationId = toNumber(org.id);
    const actor = {
      organisationId,
      actor: options.actor,
      userId: options.userId ?? null,
      nowMs: options.nowMs,
      address: null,
    };
    const settings = await readSettings(db, organisationId);
    let erasedCustomers = 0;
    if (settings.customerRetentionMonths !== null) {
      const cutoff = monthsBefore(options.nowMs, settings.customerRetentionMonths);
      const due = await db
        .selectFrom('customers')
        .select('id')
        .where('organisation_id', '=', organisationId)
        .where('erased_at_ms', 'is', null)
        .where('last_activity_ms', '<', cutoff)
        .execute();
      for (const { id } of due) {
        const customerId = toNumber(id);
        if ((await openBusiness(db, customerId)).length > 0) continue;
        if (await eraseCustomer(db, actor, customerId, 'retention')) erasedCustomers += 1;
      }
    }
    const report = await inTransaction(db, async (trx) => {
      const recipients = await trx
        .updateTable('invoices')
        .set({ recipient_sealed: null, recipient_erased_at_ms: options.nowMs })
        .where('organisation_id', '=', organisationId)
        .where('restricted_at_ms', 'is not', null)
        .where('recipient_sealed', 'is not', null)
        .where('retention_until_ms', '<=', options.nowMs)
        .executeTakeFirst();
      const report = { organisationId, erasedCustomers, erasedRecipients: Number(recipients.numUpdatedRows) };
      await appendAudit(trx, {
        atMs: options.nowMs,
        actor: options.actor,
        actorUserId: options.userId ?? null,
        action: 'retention.run',
        organisationId,
        subject: 'retention job',
        after: { ...report, retentionMonths: settings.customerRetentionMonths },
      });
      return report;
    });
    reports.push(report);
  }
  return reports;
}
