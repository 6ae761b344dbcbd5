import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { searchCustomers } from '../../src/store/customers/customer-search.js';
import {
  CustomerInputError,
  createCustomer,
  findCustomer,
  listCustomers,
  updateCustomer,
} from '../../src/store/customers/customers.js';
import { testDialects } from '../databases.js';
import { type CustomerWorld, createCustomerWorld, customerInput } from './customer-fixtures.js';

describe.each(testDialects())('customers on %s', (dialect) => {
  let w: CustomerWorld;
  beforeEach(async () => {
    w = await createCustomerWorld(dialect);
  });
  afterEach(() => w.dispose());

  it('numbers customers per organisation and opens what it sealed', async () => {
    const a = await w.customer('Müller');
    const b = await w.customer('Weber');
    const c = await w.customer('Schmidt', w.otherOrganisationId);
    const first = await findCustomer(w.db.db, w.keys.sealer, w.organisationId, a);
    expect(first?.number).toBe(1);
    expect(first?.personal).toMatchObject({ name: 'Jürgen Müller', phone: '+49 171 2345678', plate: 'HH-MÜ 4711' });
    expect((await findCustomer(w.db.db, w.keys.sealer, w.organisationId, b))?.number).toBe(2);
    expect((await findCustomer(w.db.db, w.keys.sealer, w.otherOrganisationId, c))?.number).toBe(1);
    // Another organisation's id is "no such customer".
    expect(await findCustomer(w.db.db, w.keys.sealer, w.organisationId, c)).toBeNull();
    const page = await listCustomers(w.db.db, w.keys.sealer, w.organisationId, { limit: 1 });
    expect(page.map((x) => x.number)).toEqual([2]);
    const next = await listCustomers(w.db.db, w.keys.sealer, w.organisationId, { beforeNumber: 2, limit: 10 });
    expect(next.map((x) => x.number)).toEqual([1]);
  });

  it('refuses bad input with every problem named, writing nothing', async () => {
    const bad = customerInput('X', {
      name: '',
      company: '',
      email: 'no-at-sign',
      phone: 'call me',
      note: 'x'.repeat(2001),
    });
    const error = await createCustomer(w.db.db, w.keys, w.actor(), bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerInputError);
    expect((error as CustomerInputError).problems).toEqual({
      name: 'required',
      email: 'email',
      phone: 'phone',
      note: 'too-long',
    });
    expect(await w.db.db.selectFrom('customers').select('id').execute()).toEqual([]);
    expect(await w.db.db.selectFrom('customer_index').select('customer_id').execute()).toEqual([]);
    expect(await w.db.db.selectFrom('organisation_sequences').select('last_value').execute()).toEqual([]);
  });

  it('finds by number, e-mail, phone and plate after normalising, and by name words, only in its organisation', async () => {
    const mueller = await w.customer('Müller');
    await w.customer('Weber');
    await w.customer('Müller', w.otherOrganisationId);
    const find = async (text: string) =>
      (await searchCustomers(w.db.db, w.keys, w.organisationId, text, 20)).map((c) => c.id);
    expect(await find('1')).toEqual([mueller]);
    expect(await find('K-0001')).toEqual([mueller]);
    expect(await find('JUERGEN.mueller@EXAMPLE.org')).toEqual([mueller]);
    expect(await find('0171/234 56 78')).toHaveLength(2); // both customers share the fixture's phone
    expect(await find('hh mü-4711')).toEqual([mueller]);
    expect(await find('müller jürgen')).toEqual([mueller]);
    expect(await find('MULLER')).toEqual([mueller]);
    expect(await find('logistik')).toHaveLength(2);
    expect(await find('Müller Weber')).toEqual([]);
    expect(await find('nobody@example.org')).toEqual([]);
  });

  it('updates sealed fields and the index, and audits field names only', async () => {
    const id = await w.customer('Müller');
    w.now += 60_000;
    const changed = customerInput('Müller', { email: 'neu@example.org', note: 'Schlüssel im Fach 3' });
    expect(await updateCustomer(w.db.db, w.keys, w.actor(), id, changed)).toBe(true);
    expect((await searchCustomers(w.db.db, w.keys, w.organisationId, 'neu@example.org', 5)).map((c) => c.id)).toEqual([
      id,
    ]);
    expect(await searchCustomers(w.db.db, w.keys, w.organisationId, 'juergen.mueller@example.org', 5)).toEqual([]);
    // Another organisation cannot change it.
    expect(await updateCustomer(w.db.db, w.keys, w.actor(w.otherOrganisationId), id, changed)).toBe(false);
    const [entry] = await listAudit(w.db.db, { action: 'customer.update' });
    expect(entry?.after).toEqual({ changed: ['email', 'note'] });
    const all = JSON.stringify(await listAudit(w.db.db, {}));
    for (const secret of ['Müller', 'neu@example', '2345678', '4711', 'Schlüssel']) expect(all).not.toContain(secret);
  });
});
