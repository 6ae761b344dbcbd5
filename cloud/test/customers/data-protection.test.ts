import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlindIndex } from '../../src/keys/blind-index.js';
import { exportCustomer } from '../../src/store/customers/customer-export.js';
import type { CustomerInput } from '../../src/store/customers/customer-fields.js';
import { createCustomer, updateCustomer } from '../../src/store/customers/customers.js';
import { normaliseEmail } from '../../src/store/customers/search-terms.js';
import { issueInvoice, payInvoice } from '../../src/store/invoices/invoice-actions.js';
import { testDialects } from '../databases.js';
import { type CustomerWorld, createCustomerWorld } from './customer-fixtures.js';

/** Distinctive values, so a hit in the raw bytes can only come from them. */
const PEOPLE: CustomerInput[] = [
  {
    name: 'Herbert Quastenflosser',
    company: 'Quastenflosser Fuhrpark KG',
    email: 'herbert.quastenflosser@example.org',
    phone: '+49 172 9876543',
    address: 'Zypressenweg 17, 12345 Wolkenstadt',
    plate: 'WQ-XY 9876',
    note: 'Hinterlegt Ersatzschlüssel montags',
    language: 'de',
  },
  {
    name: 'Philippa Zwirbelbart',
    company: '',
    email: 'p.zwirbelbart@example.net',
    phone: '0151 24681357',
    address: 'Ahornallee 3, 54321 Nebelhausen',
    plate: 'NZ-QQ 1357',
    note: 'Allergie gegen Duftbäume',
    language: 'en',
  },
];

/** Every personal value, and the pieces a search or a normaliser would make of it. */
function needles(): string[] {
  return PEOPLE.flatMap((p) => [
    p.name,
    ...p.name.split(' '),
    p.company,
    p.email,
    normaliseEmail(p.email),
    p.phone,
    p.phone.replace(/\s/g, ''),
    '9876543',
    '24681357',
    p.address,
    'Zypressenweg',
    'Wolkenstadt',
    'Ahornallee',
    'Nebelhausen',
    p.plate,
    p.plate.replace(/[\s-]/g, ''),
    p.note,
    'Ersatzschl',
    'Duftb',
  ]).filter((n) => n.length >= 5);
}

function findIn(bytes: Buffer, needle: string): boolean {
  const lower = bytes.toString('latin1').toLowerCase();
  const utf8Lower = Buffer.from(needle.toLowerCase(), 'utf8').toString('latin1');
  return bytes.includes(Buffer.from(needle, 'utf8')) || lower.includes(utf8Lower);
}

describe.each(testDialects())('personal data at rest on %s', (dialect) => {
  let w: CustomerWorld;
  beforeAll(async () => {
    w = await createCustomerWorld(dialect);
    for (const person of PEOPLE) {
      const { id } = await createCustomer(w.db.db, w.keys, w.actor(), person);
      await updateCustomer(w.db.db, w.keys, w.actor(), id, { ...person, note: `${person.note}!` });
      await updateCustomer(w.db.db, w.keys, w.actor(), id, person);
      const invoice = await w.draft(id);
      await issueInvoice(w.db.db, w.keys.sealer, w.actor(), invoice);
      await payInvoice(w.db, w.keys.sealer, w.actor(), invoice, 'cash');
      await exportCustomer(w.db.db, w.keys.sealer, w.actor(), id);
    }
  });
  afterAll(() => w.dispose());

  it('leaves no name, e-mail, phone, address, plate or note in the stored bytes', async () => {
    let bytes: Buffer;
    if (dialect === 'sqlite') {
      // The database file and its WAL (not checkpointed yet: the writes are still in it).
      const file = w.db.url.slice('sqlite:'.length);
      const dir = dirname(file);
      const files = readdirSync(dir).map((f) => join(dir, f));
      expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
      bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    } else {
      const url = new URL(w.db.url);
      const args = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username)];
      if (url.password) args.push(`-p${decodeURIComponent(url.password)}`);
      args.push('--hex-blob', '--skip-extended-insert', url.pathname.slice(1));
      bytes = execFileSync('mysqldump', args, { maxBuffer: 256 * 1024 * 1024 });
      expect(bytes.toString('utf8')).toContain('INSERT INTO `customers`');
    }
    const found = needles().filter((n) => findIn(bytes, n));
    expect(found).toEqual([]);
    // The check itself can fail: the organisation's name is stored in clear and is found.
    expect(findIn(bytes, 'Autohaus Kern')).toBe(true);
  });

  it('gives the same e-mail different index values in two organisations', async () => {
    const index = createBlindIndex(new Uint8Array(32).fill(7));
    const email = normaliseEmail(PEOPLE[0]?.email ?? '');
    const a = Buffer.from(index.token(1, 'email', email));
    const b = Buffer.from(index.token(2, 'email', email));
    expect(a.equals(b)).toBe(false);
    expect(a.equals(Buffer.from(index.token(1, 'email', email)))).toBe(true);
    // And in the store: the stored index rows of organisation 1 never equal those organisation 2 would get.
    const rows = await w.db.db
      .selectFrom('customer_index')
      .select(['token'])
      .where('organisation_id', '=', w.organisationId)
      .execute();
    const own = w.keys.index.token(w.organisationId, 'email', email);
    const other = w.keys.index.token(w.otherOrganisationId, 'email', email);
    const stored = rows.map((r) => Buffer.from(r.token).toString('hex'));
    expect(stored).toContain(Buffer.from(own).toString('hex'));
    expect(stored).not.toContain(Buffer.from(other).toString('hex'));
  });
});
