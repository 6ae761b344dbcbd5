import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { setOrganisationRole } from '../../src/store/organisation-roles.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

const HERR_MUELLER = {
  name: 'Herr Müller',
  company: '',
  email: 'mueller@example.org',
  phone: '0171 2345678',
  address: 'Werkstattweg 1\n20095 Hamburg',
  plate: 'HH-KM 42',
  note: 'Golf, Inspektion',
  language: 'de',
};

describe.each(testDialects())('customer pages on %s', (dialect) => {
  let h: PortalHarness;
  let org: number;
  let otherOrg: number;
  let owner: PortalClient;
  let accountant: PortalClient;
  let depotViewer: PortalClient;
  let foreignOwner: PortalClient;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    org = await h.organisation('Autohaus Kern');
    otherOrg = await h.organisation('Werkstatt Nord');
    const depot = await h.depot(org, 'Hof', 4);
    const otherDepot = await h.depot(otherOrg, 'Nord', 4);
    const ownerId = await h.user('inhaber', { organisationId: org });
    await h.grant(depot, ownerId, 'owner');
    const accountantId = await h.user('buchhaltung', { organisationId: org });
    await setOrganisationRole(h.db.db, {
      organisationId: org,
      userId: accountantId,
      role: 'viewer',
      nowMs: h.now,
      actor: 'cli',
      actorUserId: null,
    });
    const viewerId = await h.user('lager', { organisationId: org });
    await h.grant(depot, viewerId, 'viewer');
    const foreignId = await h.user('fremd', { organisationId: otherOrg });
    await h.grant(otherDepot, foreignId, 'owner');
    owner = h.client();
    await owner.login('inhaber');
    accountant = h.client('192.0.2.11');
    await accountant.login('buchhaltung');
    depotViewer = h.client('192.0.2.12');
    await depotViewer.login('lager');
    foreignOwner = h.client('192.0.2.13');
    await foreignOwner.login('fremd');
  });
  afterAll(() => h.dispose());

  it('creates a customer from the form, shows it, finds it by plate and name', async () => {
    const base = `/organisations/${org}/customers`;
    expect((await owner.get('/customers')).headers.get('location')).toBe(base);
    await owner.get(`${base}/new`);
    const created = await owner.post(base, HERR_MUELLER);
    expect(created.status).toBe(303);
    const page = await owner.get(created.headers.get('location') ?? '');
    const html = await page.text();
    expect(html).toContain('Herr Müller');
    expect(html).toContain('Der Kunde wurde angelegt.');
    const hits = await (await owner.get(`${base}?q=${encodeURIComponent('hh km42')}`)).text();
    expect(hits).toContain('Herr Müller');
    const byName = await (await accountant.get(`${base}?q=mueller`)).text();
    expect(byName).toContain('Herr Müller');
    const none = await (await owner.get(`${base}?q=schmidt`)).text();
    expect(none).toContain('Kein Kunde passt');
  });

  it('shows bad input in the form with a message per field and stores nothing', async () => {
    const base = `/organisations/${org}/customers`;
    const before = (await h.db.db.selectFrom('customers').select('id').execute()).length;
    await owner.get(`${base}/new`);
    const response = await owner.post(base, {
      ...HERR_MUELLER,
      name: '',
      email: 'kein-at-zeichen',
      phone: 'ruf mich an',
      plate: 'X'.repeat(41),
      language: 'fr',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Eine E-Mail-Adresse braucht ein @');
    expect(html).toContain('Telefonnummer darf nur');
    expect(html).toContain('Höchstens 40 Zeichen.');
    expect(html).toContain('Bitte wählen Sie Deutsch oder Englisch.');
    expect(html).toContain('kein-at-zeichen'); // what was typed is kept
    // Only a company, no name: fine.
    expect((await h.db.db.selectFrom('customers').select('id').execute()).length).toBe(before);
  });

  it('keeps personal data from depot viewers, other organisations, and writes from viewers', async () => {
    const base = `/organisations/${org}/customers`;
    const [customer] = await h.db.db.selectFrom('customers').select('id').where('organisation_id', '=', org).execute();
    const path = `${base}/${customer?.id}`;
    expect((await depotViewer.get(base)).status).toBe(404);
    expect((await depotViewer.get(path)).status).toBe(404);
    expect(await (await depotViewer.get('/customers')).text()).toContain('keine Rolle');
    expect((await foreignOwner.get(path)).status).toBe(404);
    // The foreign owner's own organisation with this organisation's customer id: not found either.
    expect((await foreignOwner.get(`/organisations/${otherOrg}/customers/${customer?.id}`)).status).toBe(404);
    expect((await accountant.get(path)).status).toBe(200);
    await accountant.get(path);
    expect((await accountant.post(`${path}`, HERR_MUELLER)).status).toBe(403);
    expect((await accountant.get(`${path}/export`)).status).toBe(403);
  });

  it('exports as JSON and erases with a confirmation, audited', async () => {
    const base = `/organisations/${org}/customers`;
    await owner.get(`${base}/new`);
    const created = await owner.post(base, { ...HERR_MUELLER, name: 'Frau Kurz', email: 'kurz@example.org' });
    const path = created.headers.get('location')?.replace(/\?.*$/, '') ?? '';
    const exported = await owner.get(`${path}/export`);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    const doc = (await exported.json()) as { customer: Record<string, string> };
    expect(doc.customer).toMatchObject({ name: 'Frau Kurz', email: 'kurz@example.org', plate: 'HH-KM 42' });
    await owner.get(path);
    const wrong = await owner.post(`${path}/erase`, { confirm: '999' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Kundennummer dieses Kunden');
    const number = /<dd>(\d+)<\/dd>/.exec(owner.lastHtml)?.[1] ?? '';
    const erased = await owner.post(`${path}/erase`, { confirm: number });
    expect(erased.status).toBe(303);
    const after = await (await owner.get(path)).text();
    expect(after).toContain('Gelöschter Kunde');
    expect(after).not.toContain('Frau Kurz');
    const actions = (await listAudit(h.db.db, { organisationId: org })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['customer.create', 'customer.export', 'customer.erase']));
  });
});
