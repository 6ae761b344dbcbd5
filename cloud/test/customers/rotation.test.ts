import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlindIndex } from '../../src/keys/blind-index.js';
import { createDataSealer } from '../../src/keys/data-key.js';
import { readDataKeys, writeDataKeys } from '../../src/keys/data-key-file.js';
import { rotateDataKey } from '../../src/keys/data-key-rotation.js';
import { exportCustomer } from '../../src/store/customers/customer-export.js';
import { createCustomer, findCustomer } from '../../src/store/customers/customers.js';
import { issueInvoice } from '../../src/store/invoices/invoice-actions.js';
import { testDialects } from '../databases.js';
import { type CustomerWorld, createCustomerWorld, customerInput } from './customer-fixtures.js';

describe.each(testDialects())('data-key rotate and customer data on %s', (dialect) => {
  let w: CustomerWorld;
  let dir: string;
  beforeAll(async () => {
    w = await createCustomerWorld(dialect);
    dir = mkdtempSync(join(tmpdir(), 'keydepot-rotate-'));
  });
  afterAll(async () => {
    await w.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-seals every personal field and invoice recipient under the new key', async () => {
    const file = join(dir, 'data.key');
    const key = new Uint8Array(32).fill(3);
    await writeDataKeys(file, { keys: new Map([[1, key]]), currentId: 1 });
    const keys = {
      sealer: createDataSealer(new Map([[1, key]]), 1),
      index: createBlindIndex(new Uint8Array(32).fill(4)),
    };
    const { id } = await createCustomer(w.db.db, keys, w.actor(), customerInput('Rotation'));
    const { createDraft } = await import('../../src/store/invoices/invoices.js');
    const invoice = await createDraft(w.db.db, w.actor(), {
      customerId: id,
      invoiceDate: '2026-03-02',
      dueDate: '2026-03-02',
      depotId: null,
      compartment: null,
      pickupFromMs: null,
      pickupUntilMs: null,
      lines: [{ text: 'Teil', quantityMilli: 1000, unitCents: 100, vatRate: 19 }],
    });
    await issueInvoice(w.db.db, keys.sealer, w.actor(), invoice);
    const result = await rotateDataKey({ db: w.db.db, file, batchSize: 2 });
    expect(result.resealed.get('customers.name_sealed')).toBe(1);
    expect(result.resealed.get('customers.note_sealed')).toBe(1);
    expect(result.resealed.get('invoices.recipient_sealed')).toBe(1);
    const row = await w.db.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    for (const column of ['name_sealed', 'email_sealed', 'phone_sealed', 'plate_sealed', 'note_sealed'] as const) {
      expect(row[column]?.[0]).toBe(2);
    }
    // Only the new key is needed to read it all now.
    const ring = readDataKeys(file);
    const onlyNew = createDataSealer(new Map([[2, ring.keys.get(2) as Uint8Array]]), 2);
    expect((await findCustomer(w.db.db, onlyNew, w.organisationId, id))?.personal).toMatchObject({
      name: 'Jürgen Rotation',
      note: 'Ruft Rotation vor Abholung an',
    });
    const doc = (await exportCustomer(w.db.db, onlyNew, w.actor(), id)) as { invoices: { recipient: unknown }[] };
    expect(doc.invoices[0]?.recipient).toMatchObject({ name: 'Jürgen Rotation' });
  });
});
