import { type Kysely, sql } from 'kysely';

const binary = (bytes: number) => sql`varbinary(${sql.raw(String(bytes))})`;

/**
 * An organisation's PayPal settings, the mail outbox and the PayPal webhook
 * events already handled (docs/operations.md, "Payment" and "Mail").
 * The PayPal client secret and every queued mail are sealed under the data
 * keys (keys/sealed-columns.ts); a mail may carry a PIN and always carries a
 * customer's address, so nothing of it is stored in clear.
 */
export const paymentsMail = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('payment_settings')
      .addColumn('organisation_id', 'integer', (c) => c.primaryKey().references('organisations.id'))
      .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
      // A PayPal secret is about 80 characters: 256 leaves room; + key id, nonce and tag.
      .addColumn('secret_sealed', binary(256 + 41), (c) => c.notNull())
      // The secret's last four characters, so the owner can tell which one is set ("ending in …").
      .addColumn('secret_hint', 'varchar(4)', (c) => c.notNull())
      // 'sandbox' or 'live'.
      .addColumn('environment', 'varchar(8)', (c) => c.notNull())
      .addColumn('webhook_id', 'varchar(64)', (c) => c.notNull())
      // The last "check credentials": when, and 'ok', 'rejected' or 'unreachable'.
      .addColumn('checked_at_ms', 'bigint')
      .addColumn('check_result', 'varchar(16)')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_by_user_id', 'integer')
      .execute();

    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('organisation_id', 'integer', (c) => c.references('organisations.id'))
      // What the mail is for ('pin-release', 'test'): shown to the owner, never its content.
      .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
      // Recipient, subject and body as sealed JSON; emptied (NULL) once sent, so a sent PIN is not kept.
      .addColumn('message_sealed', 'blob')
      // 'queued', 'sent' or 'failed' (gave up after the last attempt).
      .addColumn('state', 'varchar(8)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
      // The SMTP server's answer to the last failed attempt (no addresses, no body).
      .addColumn('last_error', 'varchar(500)')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('sent_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['state', 'next_attempt_at_ms']).execute();
    await db.schema
      .createIndex('mail_outbox_organisation')
      .on('mail_outbox')
      .columns(['organisation_id', 'created_at_ms'])
      .execute();

    await db.schema
      .createTable('paypal_webhook_events')
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      // PayPal's event id: a redelivered event has the same one, so it is handled once.
      .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('paypal_webhook_events_pk', ['organisation_id', 'event_id'])
      .execute();
  },
};
