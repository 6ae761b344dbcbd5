/**
 * Customers and invoices of the operator's organisation, written as the
 * store writes them (every personal field sealed under its own place, the
 * blind-index rows of each customer, the recipient of every issued invoice
 * sealed) but in multi-row INSERTs with explicit ids: one transaction per
 * 500 rows, so 100,000 customers and 500,000 invoices load in minutes.
 */
import type { BlindIndex } from '../../cloud/src/keys/blind-index.js';
import type { DataSealer } from '../../cloud/src/keys/data-key.js';
import { invoiceTotals } from '../../cloud/src/money/money.js';
import { customerPlace, PERSONAL_FIELDS, sealedColumn } from '../../cloud/src/store/customers/customer-fields.js';
import { indexTerms } from '../../cloud/src/store/customers/search-terms.js';
import type { StoreDatabase } from '../../cloud/src/store/database.js';
import { recipientPlace, retentionEndMs } from '../../cloud/src/store/invoices/invoice-actions.js';

const ROWS_PER_INSERT = 500;
const FIRST = ['Anna', 'Jürgen', 'Petra', 'Klaus', 'Sabine', 'Thomas', 'Monika', 'Stefan', 'Ursula', 'Michael'];
const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann'];
const STATES = ['open', 'paid', 'paid', 'cancelled', 'open', 'paid', 'refunded', 'paid', 'draft', 'paid'] as const;

/** The generated customer number n (1-based): what the probes search for. */
export function benchCustomer(n: number) {
  const first = FIRST[n % FIRST.length] as string;
  // A last name per customer from 10 × 1,000 variants: a name word matches ~100 customers, as in a real register.
  const last = `${LAST[Math.floor(n / FIRST.length) % LAST.length]}${Math.floor(n / 100) % 1000}`;
  return {
    name: `${first} ${last}`,
    company: n % 7 === 0 ? `${last} Logistik GmbH` : '',
    email: `kunde${n}@example.org`,
    phone: `0171 ${String(1_000_000 + n)}`,
    address: `Musterweg ${n % 200}, ${10000 + (n % 89999)} Musterstadt`,
    plate: `HH-K ${n}`,
    note: n % 5 === 0 ? 'Ruft vor Abholung an' : '',
  };
}

async function insertBatches<T>(
  store: StoreDatabase,
  table: 'customers' | 'customer_index' | 'invoices' | 'invoice_lines',
  rows: readonly T[],
) {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await store.db
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_INSERT) as never)
      .execute();
  }
}

export async function loadCustomers(
  store: StoreDatabase,
  keys: { sealer: DataSealer; index: BlindIndex },
  organisationId: number,
  counts: { customers: number; invoices: number },
  nowMs: number,
  onProgress: (what: string) => void,
): Promise<{ seconds: number }> {
  const started = performance.now();
  const CHUNK = 5_000;
  for (let from = 1; from <= counts.customers; from += CHUNK) {
    const customers = [];
    const index = [];
    for (let n = from; n < Math.min(from + CHUNK, counts.customers + 1); n++) {
      const person = benchCustomer(n);
      const row: Record<string, unknown> = {
        id: n,
        organisation_id: organisationId,
        number: n,
        language: 'de',
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
        last_activity_ms: nowMs,
      };
      for (const field of PERSONAL_FIELDS) {
        row[sealedColumn(field)] =
          person[field] === '' ? null : keys.sealer.seal(person[field], customerPlace(field)(n));
      }
      customers.push(row);
      for (const term of indexTerms(person)) {
        index.push({
          organisation_id: organisationId,
          token: keys.index.token(organisationId, term.kind, term.value),
          customer_id: n,
        });
      }
    }
    await insertBatches(store, 'customers', customers);
    await insertBatches(store, 'customer_index', index);
    onProgress(`${Math.min(from + CHUNK - 1, counts.customers).toLocaleString('en')} customers`);
  }
  await store.db
    .insertInto('organisation_sequences')
    .values({ organisation_id: organisationId, name: 'customer', last_value: counts.customers })
    .execute();
  const line = { quantityMilli: 1500, unitCents: 8555, vatRate: 19 as const };
  const totals = invoiceTotals([line]);
  for (let from = 1; from <= counts.invoices; from += CHUNK) {
    const invoices = [];
    const lines = [];
    for (let n = from; n < Math.min(from + CHUNK, counts.invoices + 1); n++) {
      const state = STATES[n % STATES.length] as (typeof STATES)[number];
      const customer = ((n * 7919) % counts.customers) + 1;
      const issued = state !== 'draft';
      invoices.push({
        id: n,
        organisation_id: organisationId,
        kind: 'invoice',
        number: issued ? `R-2026-${String(n).padStart(6, '0')}` : null,
        customer_id: customer,
        state,
        invoice_date: '2026-11-02',
        due_date: '2026-11-16',
        net_cents: totals.netCents,
        vat_cents: totals.vatCents,
        gross_cents: totals.grossCents,
        recipient_sealed: issued
          ? keys.sealer.seal(
              JSON.stringify({ name: benchCustomer(customer).name, company: '', address: '' }),
              recipientPlace(n),
            )
          : null,
        retention_until_ms: issued ? retentionEndMs('2026-11-02') : null,
        created_at_ms: nowMs,
        issued_at_ms: issued ? nowMs : null,
        updated_at_ms: nowMs,
      });
      lines.push({
        invoice_id: n,
        position: 1,
        text: 'Arbeitszeit',
        quantity_milli: 1500,
        unit_cents: 8555,
        vat_rate: 19,
        net_cents: totals.netCents,
      });
    }
    await insertBatches(store, 'invoices', invoices);
    await insertBatches(store, 'invoice_lines', lines);
    onProgress(`${Math.min(from + CHUNK - 1, counts.invoices).toLocaleString('en')} invoices`);
  }
  await store.db
    .insertInto('organisation_sequences')
    .values({ organisation_id: organisationId, name: 'invoice:2026', last_value: counts.invoices })
    .execute();
  return { seconds: (performance.now() - started) / 1000 };
}
