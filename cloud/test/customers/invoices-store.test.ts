import { CommandKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { openDatabase } from '../../src/store/database.js';
import { cancelInvoice, issueInvoice, payInvoice, refundInvoice } from '../../src/store/invoices/invoice-actions.js';
import { InvoiceInputError } from '../../src/store/invoices/invoice-input.js';
import { writeSettings } from '../../src/store/invoices/invoice-settings.js';
import { InvoiceStateError } from '../../src/store/invoices/invoice-state.js';
import { findInvoice, invoiceLines, updateDraft } from '../../src/store/invoices/invoices.js';
import { testDialects } from '../databases.js';
import { type CustomerWorld, createCustomerWorld } from './customer-fixtures.js';

describe.each(testDialects())('invoices on %s', (dialect) => {
  let w: CustomerWorld;
  beforeAll(async () => {
    w = await createCustomerWorld(dialect);
  });
  afterAll(() => w.dispose());

  it('computes amounts on the server, issues with the next number, and never edits an issued invoice', async () => {
    const customer = await w.customer('Müller');
    const id = await w.draft(customer);
    const draft = await findInvoice(w.db.db, w.organisationId, id);
    // 189.00 + 1.5 × 85.55 = 317.33 net; 19 % on the sum = 60.29.
    expect(draft).toMatchObject({ state: 'draft', number: null, netCents: 31733, vatCents: 6029, grossCents: 37762 });
    const number = await issueInvoice(w.db.db, w.keys.sealer, w.actor(), id);
    expect(number).toMatch(/^R-2026-\d{4}$/);
    const changed = updateDraft(w.db.db, w.actor(), id, {
      customerId: customer,
      invoiceDate: '2026-03-02',
      dueDate: '2026-03-30',
      depotId: null,
      compartment: null,
      pickupFromMs: null,
      pickupUntilMs: null,
      lines: [{ text: 'x', quantityMilli: 1000, unitCents: 1, vatRate: 0 }],
    });
    expect(await changed).toBe(false);
    expect((await findInvoice(w.db.db, w.organisationId, id))?.grossCents).toBe(37762);
    await expect(issueInvoice(w.db.db, w.keys.sealer, w.actor(), id)).rejects.toBeInstanceOf(InvoiceStateError);
  });

  it('names every bad input and writes nothing', async () => {
    const customer = await w.customer('Weber');
    const foreign = await w.customer('Fremd', w.otherOrganisationId);
    const before = await w.db.db.selectFrom('invoices').select('id').execute();
    const error = await w
      .draft(foreign, {
        invoiceDate: '2026-03-10',
        dueDate: '2026-03-01',
        compartment: 9,
        lines: [
          { text: '', quantityMilli: 0, unitCents: -5, vatRate: 16 as 19 },
          { text: 'ok', quantityMilli: 1000, unitCents: 1.5, vatRate: 7 },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvoiceInputError);
    expect((error as InvoiceInputError).problems).toEqual({
      customer: 'unknown-customer',
      dueDate: 'due-before-invoice',
      compartment: 'unknown-compartment',
      'line0.text': 'text-required',
      'line0.quantity': 'quantity',
      'line0.price': 'unit-price',
      'line0.vat': 'vat-rate',
      'line1.price': 'unit-price',
    });
    const many = Array.from({ length: 10_000 }, () => ({
      text: 'a',
      quantityMilli: 1000,
      unitCents: 1,
      vatRate: 0 as const,
    }));
    await expect(w.draft(customer, { lines: many })).rejects.toMatchObject({ problems: { lines: 'too-many-lines' } });
    await expect(w.draft(customer, { depotId: 999_999 })).rejects.toMatchObject({
      problems: { depot: 'unknown-depot' },
    });
    expect(await w.db.db.selectFrom('invoices').select('id').execute()).toEqual(before);
  });

  it('marks paid with a one-time PIN for its compartment in one step, then refund revokes it and mirrors the amounts', async () => {
    const customer = await w.customer('Schulz');
    const id = await w.draft(customer, { pickupUntilMs: w.now + 7 * 86_400_000 });
    const number = await issueInvoice(w.db.db, w.keys.sealer, w.actor(), id);
    const paid = await payInvoice(w.db, w.keys.sealer, w.actor(), id, 'cash');
    expect(paid?.pin?.digits).toMatch(/^\d{8}$/);
    const invoice = await findInvoice(w.db.db, w.organisationId, id);
    expect(invoice).toMatchObject({
      state: 'paid',
      paymentMethod: 'cash',
      paidByUserId: w.userId,
      pinId: paid?.pin?.pinId,
    });
    const pin = await w.db.db
      .selectFrom('pins')
      .selectAll()
      .where('id', '=', paid?.pin?.pinId ?? 0)
      .executeTakeFirstOrThrow();
    expect(pin).toMatchObject({ depot_id: w.depotId, compartment: 3, kind: 'one-time', label: number });
    const command = await w.db.db
      .selectFrom('commands')
      .selectAll()
      .where('id', '=', pin.command_id ?? 0)
      .executeTakeFirstOrThrow();
    expect(command.kind).toBe(CommandKind.PinAdd);
    // Paying twice is refused.
    await expect(payInvoice(w.db, w.keys.sealer, w.actor(), id, 'cash')).rejects.toBeInstanceOf(InvoiceStateError);

    const cancellationNumber = await refundInvoice(w.db, w.keys.sealer, w.actor(), id);
    const refunded = await findInvoice(w.db.db, w.organisationId, id);
    expect(refunded?.state).toBe('refunded');
    expect(refunded?.number).toBe(number);
    const record = await findInvoice(w.db.db, w.organisationId, refunded?.cancelledByInvoiceId ?? 0);
    expect(record).toMatchObject({ kind: 'cancellation', number: cancellationNumber, cancelsInvoiceId: id });
    expect((record?.grossCents ?? 0) + (refunded?.grossCents ?? 0)).toBe(0);
    expect((record?.vatCents ?? 0) + (refunded?.vatCents ?? 0)).toBe(0);
    const lines = await invoiceLines(w.db.db, record?.id ?? 0);
    expect(lines.map((l) => l.quantityMilli)).toEqual([-1000, -1500]);
    const revoked = await w.db.db.selectFrom('pins').select('state').where('id', '=', pin.id).executeTakeFirstOrThrow();
    expect(revoked.state).toBe('revoked');
    // Nothing leads back from refunded.
    for (const act of [
      () => payInvoice(w.db, w.keys.sealer, w.actor(), id, 'transfer'),
      () => cancelInvoice(w.db.db, w.keys.sealer, w.actor(), id),
      () => refundInvoice(w.db, w.keys.sealer, w.actor(), id),
    ]) {
      await expect(act()).rejects.toBeInstanceOf(InvoiceStateError);
    }
    const actions = (await listAudit(w.db.db, { organisationId: w.organisationId, action: 'invoice.' })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['invoice.pay', 'invoice.refund', 'invoice.issue', 'invoice.create']),
    );
  });

  it('cancels an open invoice by a record with its own number; the original keeps its number', async () => {
    const id = await w.draft(await w.customer('Koch'));
    const number = await issueInvoice(w.db.db, w.keys.sealer, w.actor(), id);
    const cancellation = await cancelInvoice(w.db.db, w.keys.sealer, w.actor(), id);
    expect(cancellation).not.toBe(number);
    expect(await findInvoice(w.db.db, w.organisationId, id)).toMatchObject({ state: 'cancelled', number });
    await expect(payInvoice(w.db, w.keys.sealer, w.actor(), id, 'cash')).rejects.toBeInstanceOf(InvoiceStateError);
  });

  it('uses the configured prefix and year, and another organisation cannot act on the invoice', async () => {
    await writeSettings(w.db.db, w.actor(w.otherOrganisationId), {
      invoicePrefix: 'RE',
      invoiceYear: false,
      customerRetentionMonths: null,
    });
    const foreignCustomer = await w.customer('Nord', w.otherOrganisationId);
    const { createDraft } = await import('../../src/store/invoices/invoices.js');
    const id = await createDraft(w.db.db, w.actor(w.otherOrganisationId), {
      customerId: foreignCustomer,
      invoiceDate: '2026-03-02',
      dueDate: '2026-03-02',
      depotId: null,
      compartment: null,
      pickupFromMs: null,
      pickupUntilMs: null,
      lines: [{ text: 'Teil', quantityMilli: 1000, unitCents: 100, vatRate: 7 }],
    });
    expect(await issueInvoice(w.db.db, w.keys.sealer, w.actor(), id)).toBeNull();
    expect(await issueInvoice(w.db.db, w.keys.sealer, w.actor(w.otherOrganisationId), id)).toBe('RE-0001');
    expect(await payInvoice(w.db, w.keys.sealer, w.actor(), id, 'cash')).toBeNull();
  });

  it('keeps invoice numbers gapless and unique when many are issued at once from separate connections', async () => {
    const customer = await w.customer('Parallel');
    const ids: number[] = [];
    for (let i = 0; i < 24; i++)
      ids.push(await w.draft(customer, { invoiceDate: '2027-01-05', dueDate: '2027-01-19' }));
    // On MariaDB separate pools, as several portal processes would have. SQLite is one
    // process's file (one writer connection, the portal's): there all go through it at once.
    const stores = dialect === 'mysql' ? Array.from({ length: 4 }, () => openDatabase(w.db.url)) : [];
    try {
      const results = await Promise.allSettled(
        ids.map((id, i) => issueInvoice((stores[i % stores.length] ?? w.db).db, w.keys.sealer, w.actor(), id)),
      );
      const numbers = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(numbers.sort()).toEqual(ids.map((_, i) => `R-2027-${String(i + 1).padStart(4, '0')}`));
    } finally {
      for (const s of stores) await s.close();
    }
  });
});
