import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/store/customers/customers.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

describe.each(testDialects())('invoice pages on %s', (dialect) => {
  let h: PortalHarness;
  let org: number;
  let depot: number;
  let owner: PortalClient;
  let customerNumber: number;
  let foreignNumber: number;
  let base: string;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    org = await h.organisation('Autohaus Kern');
    const otherOrg = await h.organisation('Werkstatt Nord');
    depot = await h.depot(org, 'Hof', 4);
    const ownerId = await h.user('inhaber', { organisationId: org });
    await h.grant(depot, ownerId, 'owner');
    owner = h.client();
    await owner.login('inhaber');
    const keys = { sealer: h.deps.sealer, index: h.deps.blindIndex };
    const actor = (organisationId: number) => ({
      organisationId,
      actor: 'cli' as const,
      userId: null,
      nowMs: h.now,
      address: null,
    });
    const person = {
      name: 'Herr Müller',
      company: '',
      email: '',
      phone: '',
      address: 'Weg 1',
      plate: '',
      note: '',
      language: 'de' as const,
    };
    customerNumber = (await createCustomer(h.db.db, keys, actor(org), person)).number;
    // Another organisation's customer with a number the own organisation does not have.
    await createCustomer(h.db.db, keys, actor(otherOrg), person);
    foreignNumber = (await createCustomer(h.db.db, keys, actor(otherOrg), person)).number;
    base = `/organisations/${org}/invoices`;
  });
  afterAll(() => h.dispose());

  const goodForm = () => ({
    customer: String(customerNumber),
    invoice_date: '2026-11-28',
    due_date: '2026-12-12',
    depot: String(depot),
    compartment: '3',
    pickup_from: '',
    pickup_until: '2026-12-31T18:00',
    'line0.text': 'Inspektion',
    'line0.quantity': '1',
    'line0.price': '189,00',
    'line0.vat': '19',
    'line1.text': 'Arbeitszeit',
    'line1.quantity': '1,5',
    'line1.price': '85,55',
    'line1.vat': '19',
  });

  const invoiceCount = async () => (await h.db.db.selectFrom('invoices').select('id').execute()).length;

  it.each([
    ['an unknown VAT rate', { 'line0.vat': '16' }, 'Der Steuersatz muss 19 %, 7 % oder 0 % sein.'],
    ['negative cents', { 'line0.price': '-5,00' }, 'nicht negativ'],
    ['fractional cents', { 'line0.price': '1,005' }, 'nicht negativ'],
    ['quantity 0', { 'line0.quantity': '0' }, 'Die Menge muss über 0 liegen'],
    ['a due date before the invoice date', { due_date: '2026-11-01' }, 'nicht vor dem Rechnungsdatum'],
    ['a compartment the depot does not have', { compartment: '9' }, 'Dieses Depot hat kein solches Fach.'],
    ['text over the column length', { 'line0.text': 'x'.repeat(301) }, 'Höchstens 300 Zeichen.'],
    [
      'a customer of another organisation',
      { customer: 'FOREIGN' },
      'Bitte wählen Sie einen Kunden Ihrer Organisation.',
    ],
    ['a bad date', { invoice_date: '2026-02-30' }, 'Bitte geben Sie ein Datum ein'],
  ])('shows %s in the form and stores nothing', async (_, change, message) => {
    const before = await invoiceCount();
    await owner.get(`${base}/new`);
    const fields: Record<string, string> = { ...goodForm(), ...change };
    if (fields.customer === 'FOREIGN') fields.customer = String(foreignNumber);
    const response = await owner.post(base, fields);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain(message);
    expect(html).toContain('Arbeitszeit'); // the typed lines come back
    expect(await invoiceCount()).toBe(before);
  });

  it('answers 10,000 lines with a message in the form, not a bare error', async () => {
    await owner.get(`${base}/new`);
    const fields: Record<string, string> = goodForm();
    for (let i = 0; i < 10_000; i++) {
      fields[`line${i}.text`] = 'Teil';
      fields[`line${i}.quantity`] = '1';
      fields[`line${i}.price`] = '1';
      fields[`line${i}.vat`] = '19';
    }
    const before = await invoiceCount();
    const response = await owner.post(base, fields);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('höchstens 100 Positionen');
    expect(await invoiceCount()).toBe(before);
  });

  it('creates a draft with amounts computed on the server, issues it, marks it paid and shows the PIN once', async () => {
    await owner.get(`${base}/new`);
    const created = await owner.post(base, goodForm());
    expect(created.status).toBe(303);
    const path = created.headers.get('location') ?? '';
    const draft = await (await owner.get(path)).text();
    // 189.00 + 128.33 = 317.33 net, 60.29 VAT, 377.62 total.
    expect(draft).toContain('377,62');
    expect(draft).toContain('60,29');
    const issued = await owner.post(`${path}/issue`, {});
    const issuedHtml = await issued.text();
    expect(issuedHtml).toMatch(/Ausgestellt als R-2026-0001/);
    const paid = await owner.post(`${path}/pay`, { method: 'cash' });
    expect(paid.headers.get('cache-control')).toBe('no-store');
    const paidHtml = await paid.text();
    const digits = /data-pin-digits="?[^>]*>(\d{8})</.exec(paidHtml)?.[1];
    expect(digits).toMatch(/^\d{8}$/);
    expect(h.pokes).toBeGreaterThan(0);
    const again = await (await owner.get(path)).text();
    expect(again).not.toContain(digits as string);
    expect(again).toContain('bezahlt');
    // Paying again is refused with a message on the page.
    const twice = await owner.post(`${path}/pay`, { method: 'cash' });
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain('nicht möglich');
    const list = await (await owner.get(base)).text();
    expect(list).toContain('R-2026-0001');
    expect(list).toContain('Herr Müller');
  });

  it('edits drafts only, and saves the invoice settings with checks', async () => {
    await owner.get(`${base}/settings`);
    const bad = await owner.post(`${base}/settings`, { prefix: 'R E', year: '1', retention: '3' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Bitte 1 bis 20 Buchstaben');
    expect(html).toContain('zwischen 12 und 240');
    const good = await owner.post(`${base}/settings`, { prefix: 'RE-KFZ', year: '0', retention: '24' });
    expect(good.status).toBe(303);
    await owner.get(`${base}/new`);
    const created = await owner.post(base, goodForm());
    const path = created.headers.get('location') ?? '';
    expect((await owner.get(`${path}/edit`)).status).toBe(200);
    await owner.post(`${path}/issue`, {});
    expect(await (await owner.get(path)).text()).toContain('RE-KFZ-0001');
    const edit = await owner.get(`${path}/edit`);
    expect(edit.status).toBe(303);
    expect(edit.headers.get('location')).toBe(path);
    await owner.get(path);
    const changed = await owner.post(path, goodForm());
    expect(changed.status).toBe(400);
    expect(await changed.text()).toContain('nicht möglich');
  });
});
