import type { Kysely } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import { insertedId, toNumber, toNumberOrNull } from '../row-values.js';
import type { MailState, Schema } from '../schema.js';

/** One mail as it is handed to the transport. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Where a queued mail is sealed (its recipient and body may hold a PIN and are personal data). */
export const messagePlace = (id: number) => `mail_outbox.message_sealed:${id}`;

/**
 * Queues a mail, sealed, in the caller's transaction: a mail about a payment
 * is queued if and only if the payment is recorded. The row is inserted
 * first because the seal binds the value to its row id.
 */
export async function enqueueMail(
  trx: Kysely<Schema>,
  sealer: DataSealer,
  input: { organisationId: number | null; purpose: string; mail: OutgoingMail; nowMs: number },
): Promise<number> {
  const result = await trx
    .insertInto('mail_outbox')
    .values({
      organisation_id: input.organisationId,
      purpose: input.purpose,
      message_sealed: null,
      state: 'queued',
      attempts: 0,
      next_attempt_at_ms: input.nowMs,
      created_at_ms: input.nowMs,
    })
    .executeTakeFirstOrThrow();
  const id = insertedId(result);
  const sealed = sealer.seal(JSON.stringify(input.mail), messagePlace(id));
  await trx.updateTable('mail_outbox').set({ message_sealed: sealed }).where('id', '=', id).execute();
  return id;
}

export interface DueMail {
  readonly id: number;
  readonly attempts: number;
  readonly mail: OutgoingMail;
}

/**
 * Claims up to `limit` queued mails that are due: each is pushed `leaseMs`
 * ahead with a conditional update, so of several portal processes only one
 * sends it, and a process that dies mid-send lets it come due again.
 */
export async function claimDueMails(
  db: Kysely<Schema>,
  sealer: DataSealer,
  input: { nowMs: number; leaseMs: number; limit: number },
): Promise<DueMail[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['id', 'attempts', 'next_attempt_at_ms', 'message_sealed'])
    .where('state', '=', 'queued')
    .where('next_attempt_at_ms', '<=', input.nowMs)
    .orderBy('next_attempt_at_ms')
    .orderBy('id')
    .limit(input.limit)
    .execute();
  const claimed: DueMail[] = [];
  for (const row of rows) {
    const id = toNumber(row.id);
    const updated = await db
      .updateTable('mail_outbox')
      .set({ next_attempt_at_ms: input.nowMs + input.leaseMs })
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .where('next_attempt_at_ms', '=', toNumber(row.next_attempt_at_ms))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1 || row.message_sealed === null) continue;
    const mail = JSON.parse(sealer.open(new Uint8Array(row.message_sealed), messagePlace(id))) as OutgoingMail;
    claimed.push({ id, attempts: toNumber(row.attempts), mail });
  }
  return claimed;
}

/** A mail went out: its content is dropped (a sent PIN is not kept in the outbox). */
export async function markMailSent(db: Kysely<Schema>, id: number, nowMs: number): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ state: 'sent', sent_at_ms: nowMs, message_sealed: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** An attempt failed: try again at `retryAtMs`, or give up (null) and keep the error for the owner. */
export async function markMailFailed(
  db: Kysely<Schema>,
  input: { id: number; attempts: number; error: string; retryAtMs: number | null },
): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({
      attempts: input.attempts,
      last_error: input.error.slice(0, 500),
      ...(input.retryAtMs === null
        ? { state: 'failed', message_sealed: null }
        : { state: 'queued', next_attempt_at_ms: input.retryAtMs }),
    })
    .where('id', '=', input.id)
    .execute();
}

/** What the owner sees of a mail: its purpose and fate, never its recipient or content. */
export interface OutboxEntry {
  readonly id: number;
  readonly purpose: string;
  readonly state: MailState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAtMs: number;
  readonly sentAtMs: number | null;
  readonly nextAttemptAtMs: number;
}

/** An organisation's mails, newest first. */
export async function listOutbox(db: Kysely<Schema>, organisationId: number, limit = 50): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['id', 'purpose', 'state', 'attempts', 'last_error', 'created_at_ms', 'sent_at_ms', 'next_attempt_at_ms'])
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: toNumber(row.id),
    purpose: row.purpose,
    state: row.state,
    attempts: toNumber(row.attempts),
    lastError: row.last_error,
    createdAtMs: toNumber(row.created_at_ms),
    sentAtMs: toNumberOrNull(row.sent_at_ms),
    nextAttemptAtMs: toNumber(row.next_attempt_at_ms),
  }));
}
