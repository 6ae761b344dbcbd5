import type { Kysely } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import { appendAudit } from '../audit.js';
import { inTransaction } from '../depots.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';

export type PaymentEnvironment = 'sandbox' | 'live';
export const PAYMENT_ENVIRONMENTS: readonly PaymentEnvironment[] = ['sandbox', 'live'];

/** Outcome of the last "check credentials". */
export type CredentialCheck = 'ok' | 'rejected' | 'unreachable';

/** Where an organisation's PayPal secret is sealed (the associated data: it opens in this row only). */
export const secretPlace = (organisationId: number) => `payment_settings.secret_sealed:${organisationId}`;

/** What the portal may show of an organisation's PayPal settings: never the secret, only its last characters. */
export interface PaymentSettings {
  readonly organisationId: number;
  readonly clientId: string;
  readonly secretHint: string;
  readonly environment: PaymentEnvironment;
  readonly webhookId: string;
  readonly checkedAtMs: number | null;
  readonly checkResult: CredentialCheck | null;
  readonly updatedAtMs: number;
}

/** The credentials for calling PayPal, with the secret opened: for the PayPal client only, never for a page. */
export interface PaymentCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly environment: PaymentEnvironment;
  readonly webhookId: string;
}

/** Who changes the settings (an organisation owner, from the portal). */
export interface SettingsActor {
  readonly userId: number;
  readonly organisationId: number;
  readonly nowMs: number;
  readonly address: string | null;
}

export interface SettingsInput {
  readonly clientId: string;
  /** A new secret, or null to keep the stored one. */
  readonly secret: string | null;
  readonly environment: PaymentEnvironment;
  readonly webhookId: string;
}

/** Saving without a secret when none is stored yet. */
export class SecretMissingError extends Error {
  override name = 'SecretMissingError';
}

export async function readPaymentSettings(db: Kysely<Schema>, organisationId: number): Promise<PaymentSettings | null> {
  const row = await db
    .selectFrom('payment_settings')
    .select([
      'organisation_id',
      'client_id',
      'secret_hint',
      'environment',
      'webhook_id',
      'checked_at_ms',
      'check_result',
      'updated_at_ms',
    ])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    organisationId: toNumber(row.organisation_id),
    clientId: row.client_id,
    secretHint: row.secret_hint,
    environment: row.environment,
    webhookId: row.webhook_id,
    checkedAtMs: toNumberOrNull(row.checked_at_ms),
    checkResult: row.check_result as CredentialCheck | null,
    updatedAtMs: toNumber(row.updated_at_ms),
  };
}

export async function readPaymentCredentials(
  db: Kysely<Schema>,
  sealer: DataSealer,
  organisationId: number,
): Promise<PaymentCredentials | null> {
  const row = await db
    .selectFrom('payment_settings')
    .select(['client_id', 'secret_sealed', 'environment', 'webhook_id'])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    clientId: row.client_id,
    clientSecret: sealer.open(new Uint8Array(row.secret_sealed), secretPlace(organisationId)),
    environment: row.environment,
    webhookId: row.webhook_id,
  };
}

/** The settings as an audit entry shows them: whether a secret is set and whether it changed, never any of it. */
function audited(
  settings: { clientId: string; environment: string; webhookId: string } | null,
  secretChanged: boolean,
) {
  if (!settings) return null;
  return {
    clientId: settings.clientId,
    environment: settings.environment,
    webhookId: settings.webhookId,
    secretChanged,
  };
}

/**
 * Stores an organisation's PayPal settings with the secret sealed, in one
 * transaction with its audit entry. A new secret or client id clears the
 * last check, which was about the old credentials.
 */
export async function savePaymentSettings(
  db: Kysely<Schema>,
  sealer: DataSealer,
  actor: SettingsActor,
  input: SettingsInput,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await readPaymentSettings(trx, actor.organisationId);
    if (!before && input.secret === null) throw new SecretMissingError('a PayPal secret is needed the first time');
    const credentialsChanged =
      input.secret !== null || before?.clientId !== input.clientId || before?.environment !== input.environment;
    const values = {
      client_id: input.clientId,
      environment: input.environment,
      webhook_id: input.webhookId,
      updated_at_ms: actor.nowMs,
      updated_by_user_id: actor.userId,
      ...(input.secret === null
        ? {}
        : {
            secret_sealed: sealer.seal(input.secret, secretPlace(actor.organisationId)),
            secret_hint: input.secret.slice(-4),
          }),
      ...(credentialsChanged ? { checked_at_ms: null, check_result: null } : {}),
    };
    if (before) {
      await trx
        .updateTable('payment_settings')
        .set(values)
        .where('organisation_id', '=', actor.organisationId)
        .execute();
    } else {
      await trx
        .insertInto('payment_settings')
        .values({
          ...values,
          organisation_id: actor.organisationId,
          secret_sealed: values.secret_sealed as Uint8Array,
          secret_hint: values.secret_hint as string,
        })
        .execute();
    }
    await appendAudit(trx, {
      atMs: actor.nowMs,
      actor: 'user',
      actorUserId: actor.userId,
      action: before ? 'payment.settings.change' : 'payment.settings.create',
      organisationId: actor.organisationId,
      subject: `PayPal ${input.environment}`,
      before: audited(before, false) ?? undefined,
      after: audited(input, input.secret !== null) ?? undefined,
      address: actor.address,
    });
  });
}

/** Records the outcome of "check credentials", with its audit entry. */
export async function recordCredentialCheck(
  db: Kysely<Schema>,
  actor: SettingsActor,
  result: CredentialCheck,
  detail: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('payment_settings')
      .set({ checked_at_ms: actor.nowMs, check_result: result })
      .where('organisation_id', '=', actor.organisationId)
      .execute();
    await appendAudit(trx, {
      atMs: actor.nowMs,
      actor: 'user',
      actorUserId: actor.userId,
      action: 'payment.settings.check',
      organisationId: actor.organisationId,
      subject: 'PayPal',
      after: { result, detail },
      address: actor.address,
    });
  });
}
