import { type Kysely, sql } from 'kysely';

const binary = (bytes: number) => sql`varbinary(${sql.raw(String(bytes))})`;

/** Room for a sealed value of `chars` characters: 4 bytes each (UTF-8) + key id, nonce and tag. */
const sealed = (chars: number) => binary(chars * 4 + 41);

/**
 * Customers and invoices of an organisation (docs/operations.md, "Customers
 * and invoices"). Every personal field is sealed (`*_sealed`, XChaCha20-Poly1305
 * under the data keys, keys/sealed-columns.ts); search goes through
 * `customer_index`, a keyed blind index (keys/blind-index.ts). Amounts are
 * integer cents, quantities integer thousandths. Numbers come from
 * `organisation_sequences`, one row per sequence, raised in the transaction
 * that uses the number, so a rolled-back issue leaves no gap.
 */
export const customersInvoices = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('organisation_roles')
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      // 'viewer' reads customers and invoices, 'manager' also writes them.
      .addColumn('role', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('organisation_roles_pk', ['organisation_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('organisation_settings')
      .addColumn('organisation_id', 'integer', (c) => c.primaryKey().references('organisations.id'))
      .addColumn('invoice_prefix', 'varchar(20)', (c) => c.notNull())
      // 1: the number carries the year (R-2026-0042) and counts per year; 0: one sequence (R-0042).
      .addColumn('invoice_year', 'integer', (c) => c.notNull())
      // Months after a customer's last activity without open business until the retention job erases them; null: never.
      .addColumn('customer_retention_months', 'integer')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('organisation_sequences')
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      // 'customer', 'invoice:2026', 'invoice'.
      .addColumn('name', 'varchar(32)', (c) => c.notNull())
      .addColumn('last_value', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('organisation_sequences_pk', ['organisation_id', 'name'])
      .execute();

    await db.schema
      .createTable('customers')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('language', 'varchar(2)', (c) => c.notNull())
      .addColumn('name_sealed', sealed(200))
      .addColumn('company_sealed', sealed(200))
      .addColumn('email_sealed', sealed(254))
      .addColumn('phone_sealed', sealed(40))
      .addColumn('address_sealed', sealed(500))
      .addColumn('plate_sealed', sealed(40))
      .addColumn('note_sealed', sealed(2000))
      // Set by erasure: the personal fields are gone, this stands in for the name.
      .addColumn('pseudonym', 'varchar(40)')
      .addColumn('erased_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_by_user_id', 'integer')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      // Last change of the customer or of one of their invoices: what retention counts from.
      .addColumn('last_activity_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('customers_organisation_number')
      .on('customers')
      .columns(['organisation_id', 'number'])
      .unique()
      .execute();
    await db.schema
      .createIndex('customers_organisation_activity')
      .on('customers')
      .columns(['organisation_id', 'last_activity_ms'])
      .execute();

    await db.schema
      .createTable('customer_index')
      .addColumn('organisation_id', 'integer', (c) => c.notNull())
      .addColumn('token', binary(16), (c) => c.notNull())
      .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id'))
      .addPrimaryKeyConstraint('customer_index_pk', ['organisation_id', 'token', 'customer_id'])
      .execute();
    await db.schema.createIndex('customer_index_customer').on('customer_index').column('customer_id').execute();

    await db.schema
      .createTable('invoices')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      // 'invoice', or 'cancellation': the record that cancels `cancels_invoice_id` with mirrored lines.
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      // Drawn when issued; a draft has none.
      .addColumn('number', 'varchar(40)')
      .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id'))
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      // Calendar dates (YYYY-MM-DD) as printed on the invoice.
      .addColumn('invoice_date', 'varchar(10)', (c) => c.notNull())
      .addColumn('due_date', 'varchar(10)', (c) => c.notNull())
      .addColumn('depot_id', 'integer')
      .addColumn('compartment', 'integer')
      .addColumn('pickup_from_ms', 'bigint')
      .addColumn('pickup_until_ms', 'bigint')
      .addColumn('net_cents', 'bigint', (c) => c.notNull())
      .addColumn('vat_cents', 'bigint', (c) => c.notNull())
      .addColumn('gross_cents', 'bigint', (c) => c.notNull())
      .addColumn('cancels_invoice_id', 'integer')
      .addColumn('cancelled_by_invoice_id', 'integer')
      .addColumn('paid_at_ms', 'bigint')
      // 'cash', 'transfer' (the payment issue adds 'paypal').
      .addColumn('payment_method', 'varchar(16)')
      .addColumn('paid_by_user_id', 'integer')
      .addColumn('pin_id', 'integer')
      .addColumn('refunded_at_ms', 'bigint')
      // The recipient's name, company and address as issued (§14 UStG), sealed; kept through an
      // erasure of the customer (restricted) until `retention_until_ms` (§147 AO), then erased.
      .addColumn('recipient_sealed', sealed(1000))
      .addColumn('retention_until_ms', 'bigint')
      .addColumn('restricted_at_ms', 'bigint')
      .addColumn('recipient_erased_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_by_user_id', 'integer')
      .addColumn('issued_at_ms', 'bigint')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('invoices_organisation_number')
      .on('invoices')
      .columns(['organisation_id', 'number'])
      .unique()
      .execute();
    await db.schema.createIndex('invoices_organisation_id').on('invoices').columns(['organisation_id', 'id']).execute();
    await db.schema
      .createIndex('invoices_organisation_state')
      .on('invoices')
      .columns(['organisation_id', 'state', 'id'])
      .execute();
    await db.schema.createIndex('invoices_customer').on('invoices').columns(['customer_id', 'id']).execute();
    await db.schema.createIndex('invoices_retention').on('invoices').column('retention_until_ms').execute();

    await db.schema
      .createTable('invoice_lines')
      .addColumn('invoice_id', 'integer', (c) => c.notNull().references('invoices.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('text', 'varchar(300)', (c) => c.notNull())
      .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
      .addColumn('unit_cents', 'bigint', (c) => c.notNull())
      .addColumn('vat_rate', 'integer', (c) => c.notNull())
      .addColumn('net_cents', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('invoice_lines_pk', ['invoice_id', 'position'])
      .execute();
  },
};
