import { EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { exportCustomer } from '../../src/store/customers/customer-export.js';
import { PERSONAL_FIELDS } from '../../src/store/customers/customer-fields.js';
import { searchCustomers } from '../../src/store/customers/customer-search.js';
import { findCustomer } from '../../src/store/customers/customers.js';
import { eraseCustomer, OpenBusinessError } from '../../src/store/customers/erasure.js';
import { runRetention } from '../../src/store/customers/retention.js';
import { cancelInvoice, issueInvoice, payInvoice } from '../../src/store/invoices/invoice-actions.js';
import { writeSettings } from '../../src/store/invoices/invoice-settings.js';
import { findInvoice } from '../../src/store/invoices/invoices.js';
import { testDialects } from '../databases.js';
import { type CustomerWorld, createCustomerWorld, customerInput } from './customer-fixtures.js';

const DAY = 86_400_000;

interface ExportDocument {
  customer: Record<string, unknown>;
  invoices: { state: string; recipient: unknown; lines: unknown[] }[];
  pins: { pin: { id: number }; movements: { kind: number }[] }[];
}

describe.each(testDialects())('GDPR rights on %s', (dialect) => {
  let w: CustomerWorld;
  beforeAll(async () => {
    w = await createCustomerWorld(dialect);
  });
  afterAll(() => w.dispose());

  /** A customer with a picked-up invoice (PIN spent at the depot) and a cancelled one. */
  async function customerWithHistory(seed: string) {
    const id = await w.customer(seed);
    const paid = await w.draft(id);
    await issueInvoice(w.db.db, w.keys.sealer, w.actor(), paid);
    const released = await payInvoice(w.db, w.keys.sealer, w.actor(), paid, 'transfer');
    const pinId = released?.pin?.pinId ?? 0;
    await w.db.db
      .insertInto('events')
      .values(
        [EventKind.PinAccepted, EventKind.Unlocked, EventKind.KeyRemoved, EventKind.PinSpent].map((kind, i) => ({
          depot_id: w.depotId,
          journal_epoch: new Uint8Array(8).fill(pinId % 250),
          sequence: pinId * 10 + i,
          kind,
          compartment: 3,
          subject: kind === EventKind.PinAccepted || kind === EventKind.PinSpent ? `pin:${pinId}` : '',
          depot_time_ms: w.now + 1000 * (i + 1),
          received_at_ms: w.now + 1000 * (i + 1),
        })),
      )
      .execute();
    const cancelled = await w.draft(id);
    await issueInvoice(w.db.db, w.keys.sealer, w.actor(), cancelled);
    await cancelInvoice(w.db.db, w.keys.sealer, w.actor(), cancelled);
    return { id, paid, cancelled, pinId };
  }

  it('exports every stored field, the invoices with lines and recipient, the PIN and its movements; audited', async () => {
    const { id, pinId } = await customerWithHistory('Export');
    const doc = (await exportCustomer(w.db.db, w.keys.sealer, w.actor(), id)) as unknown as ExportDocument;
    const input = customerInput('Export');
    for (const field of PERSONAL_FIELDS) expect(doc.customer[field]).toBe(input[field]);
    expect(doc.customer).toMatchObject({ number: expect.any(Number), language: 'de' });
    expect(doc.invoices).toHaveLength(3); // picked up, cancelled, and the cancellation record
    expect(doc.invoices.map((i: { state: string }) => i.state).sort()).toEqual([
      'cancellation',
      'cancelled',
      'picked-up',
    ]);
    expect(doc.invoices[0].recipient).toEqual({ name: input.name, company: input.company, address: input.address });
    expect(doc.invoices[0].lines.length).toBeGreaterThan(0);
    expect(doc.pins).toHaveLength(1);
    expect(doc.pins[0].pin.id).toBe(pinId);
    expect(doc.pins[0].movements.map((m: { kind: number }) => m.kind)).toEqual([
      EventKind.PinAccepted,
      EventKind.Unlocked,
      EventKind.KeyRemoved,
      EventKind.PinSpent,
    ]);
    expect(JSON.stringify(doc)).not.toMatch(/digits/);
    const [entry] = await listAudit(w.db.db, { action: 'customer.export' });
    expect(JSON.stringify(entry)).not.toContain('Export');
  });

  it('erases personal fields to a pseudonym; invoices and movements stay countable and summable', async () => {
    const { id, paid, pinId } = await customerWithHistory('Erase');
    const sumBefore = await w.db.db
      .selectFrom('invoices')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('gross_cents').as('gross')])
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    const result = await eraseCustomer(w.db.db, w.actor(), id, 'request');
    expect(result).toMatchObject({ restrictedInvoices: 3, erasedRecipients: 0 });
    const erased = await findCustomer(w.db.db, w.keys.sealer, w.organisationId, id);
    expect(erased?.personal).toEqual({ name: '', company: '', email: '', phone: '', address: '', plate: '', note: '' });
    expect(erased?.pseudonym).toMatch(/^[0-9a-f]{12}$/);
    const row = await w.db.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    for (const field of PERSONAL_FIELDS) expect(row[`${field}_sealed`]).toBeNull();
    expect(await w.db.db.selectFrom('customer_index').select('token').where('customer_id', '=', id).execute()).toEqual(
      [],
    );
    expect(await searchCustomers(w.db.db, w.keys, w.organisationId, 'juergen.erase@example.org', 5)).toEqual([]);
    const sumAfter = await w.db.db
      .selectFrom('invoices')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('gross_cents').as('gross')])
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(sumAfter.n)).toBe(Number(sumBefore.n));
    expect(Number(sumAfter.gross)).toBe(Number(sumBefore.gross));
    expect(await findInvoice(w.db.db, w.organisationId, paid)).toMatchObject({
      restrictedAtMs: w.now,
      number: expect.any(String),
    });
    const events = await w.db.db.selectFrom('events').select('id').where('subject', '=', `pin:${pinId}`).execute();
    expect(events).toHaveLength(2);
    expect(await eraseCustomer(w.db.db, w.actor(), id, 'request')).toBeNull();
  });

  it('refuses erasure while an invoice is open', async () => {
    const id = await w.customer('Offen');
    const invoice = await w.draft(id);
    await issueInvoice(w.db.db, w.keys.sealer, w.actor(), invoice);
    await expect(eraseCustomer(w.db.db, w.actor(), id, 'request')).rejects.toBeInstanceOf(OpenBusinessError);
    expect((await findCustomer(w.db.db, w.keys.sealer, w.organisationId, id))?.erasedAtMs).toBeNull();
  });

  it('the retention job erases exactly the customers and recipients that are due', async () => {
    await writeSettings(w.db.db, w.actor(), { invoicePrefix: 'R', invoiceYear: true, customerRetentionMonths: 24 });
    const start = w.now;
    const old = await w.customer('Alt'); // no invoices: due after 24 months
    const busy = await w.customer('Busy'); // an open invoice: never due while it is open
    const busyInvoice = await w.draft(busy);
    await issueInvoice(w.db.db, w.keys.sealer, w.actor(), busyInvoice);
    const restricted = await customerWithHistory('Restricted');
    await eraseCustomer(w.db.db, w.actor(), restricted.id, 'request');
    w.now = start + 400 * DAY;
    const recent = await w.customer('Neu'); // active 400 days later: not due at 24 months after start
    w.now = start + 731 * DAY + 1;
    const reports = await runRetention(w.db.db, { nowMs: w.now, actor: 'cli', organisationId: w.organisationId });
    expect(reports).toEqual([
      { organisationId: w.organisationId, erasedCustomers: expect.any(Number), erasedRecipients: 0 },
    ]);
    const erasedNow = async (id: number) =>
      (await findCustomer(w.db.db, w.keys.sealer, w.organisationId, id))?.erasedAtMs;
    expect(await erasedNow(old)).toBe(w.now);
    expect(await erasedNow(busy)).toBeNull();
    expect(await erasedNow(recent)).toBeNull();
    // The restricted recipient is kept until the invoice's retention ends (ten years after its year's end).
    const kept = await w.db.db
      .selectFrom('invoices')
      .select('recipient_sealed')
      .where('id', '=', restricted.paid)
      .executeTakeFirstOrThrow();
    expect(kept.recipient_sealed).not.toBeNull();
    w.now = Date.UTC(2037, 0, 1);
    await cancelInvoice(w.db.db, w.keys.sealer, w.actor(), busyInvoice);
    const later = await runRetention(w.db.db, { nowMs: w.now, actor: 'cli', organisationId: w.organisationId });
    expect(later[0]?.erasedRecipients).toBeGreaterThanOrEqual(3);
    const gone = await w.db.db
      .selectFrom('invoices')
      .select(['recipient_sealed', 'number', 'gross_cents'])
      .where('id', '=', restricted.paid)
      .executeTakeFirstOrThrow();
    expect(gone.recipient_sealed).toBeNull();
    expect(gone.number).not.toBeNull();
    // Busy's invoice is no longer open, but their last activity (the cancellation) is recent: still kept.
    expect(await erasedNow(busy)).toBeNull();
    const runs = await listAudit(w.db.db, { action: 'retention.run' });
    expect(runs).toHaveLength(2);
  });
});
