import type { Kysely } from 'kysely';
import { appendAudit } from '../audit.js';
import type { DataActor } from '../customers/customers.js';
import { inTransaction } from '../depots.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';

/** An organisation's invoice numbering and customer retention. */
export interface OrganisationSettings {
  /** Letters, digits and dashes, e.g. "R" or "RE-KFZ". */
  readonly invoicePrefix: string;
  /** The number carries the year and counts per year (R-2026-0042), or counts on (R-0042). */
  readonly invoiceYear: boolean;
  /** Erase customers without open business this many months after their last activity; null: never. */
  readonly customerRetentionMonths: number | null;
}

export const DEFAULT_SETTINGS: OrganisationSettings = {
  invoicePrefix: 'R',
  invoiceYear: true,
  customerRetentionMonths: null,
};

export const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/;
/** At least a year: erasing sooner would lose customers with a pending warranty case. */
export const RETENTION_MONTHS_MIN = 12;
export const RETENTION_MONTHS_MAX = 240;

export async function readSettings(db: Kysely<Schema>, organisationId: number): Promise<OrganisationSettings> {
  const row = await db
    .selectFrom('organisation_settings')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!row) return DEFAULT_SETTINGS;
  return {
    invoicePrefix: row.invoice_prefix,
    invoiceYear: toNumber(row.invoice_year) !== 0,
    customerRetentionMonths: toNumberOrNull(row.customer_retention_months),
  };
}

/** Stores the settings with an audit entry (before and after). The caller checked the values. */
export async function writeSettings(db: Kysely<Schema>, actor: DataActor, settings: OrganisationSettings) {
  if (!PREFIX_PATTERN.test(settings.invoicePrefix)) throw new RangeError('bad invoice prefix');
  const months = settings.customerRetentionMonths;
  if (
    months !== null &&
    (!Number.isInteger(months) || months < RETENTION_MONTHS_MIN || months > RETENTION_MONTHS_MAX)
  ) {
    throw new RangeError('bad retention period');
  }
  await inTransaction(db, async (trx) => {
    const before = await readSettings(trx, actor.organisationId);
    const values = {
      invoice_prefix: settings.invoicePrefix,
      invoice_year: settings.invoiceYear ? 1 : 0,
      customer_retention_months: months,
      updated_at_ms: actor.nowMs,
    };
    const updated = await trx
      .updateTable('organisation_settings')
      .set(values)
      .where('organisation_id', '=', actor.organisationId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await trx
        .insertInto('organisation_settings')
        .values({ organisation_id: actor.organisationId, ...values })
        .execute();
    }
    await appendAudit(trx, {
      atMs: actor.nowMs,
      actor: actor.actor,
      actorUserId: actor.userId,
      action: 'organisation.settings',
      organisationId: actor.organisationId,
      subject: 'invoice and retention settings',
      before,
      after: settings,
      address: actor.address,
    });
  });
}

/** The sequence an invoice of this date draws from, and how its number is written. */
export function invoiceSequence(settings: OrganisationSettings, invoiceDate: string) {
  const year = invoiceDate.slice(0, 4);
  return {
    name: settings.invoiceYear ? `invoice:${year}` : 'invoice',
    format: (n: number) =>
      settings.invoiceYear
        ? `${settings.invoicePrefix}-${year}-${String(n).padStart(4, '0')}`
        : `${settings.invoicePrefix}-${String(n).padStart(4, '0')}`,
  };
}
