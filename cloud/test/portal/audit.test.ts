import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/store/audit.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalHarness } from './portal-harness.js';

/** The rows of the audit table on a page, as their text. */
function rowsOf(html: string): string[] {
  const body = /<table class="responsive audit">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ' '));
}

describe.each(testDialects())('the audit log page on %s', (dialect) => {
  let h: PortalHarness;
  let hof: number;
  let lager: number;
  let foreign: number;
  const day = Date.UTC(2026, 10, 20, 12, 0, 0); // 20 Nov 2026, 13:00 in Berlin
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Ferienhaus Ost');
    hof = await h.depot(org, 'Hof');
    lager = await h.depot(org, 'Lager');
    foreign = await h.depot(other, 'Strand');
    const owner = await h.user('olga', { organisationId: org });
    const viewer = await h.user('vera', { organisationId: org });
    const manager = await h.user('max', { organisationId: org });
    const stranger = await h.user('otto', { organisationId: other });
    await h.user('ops', { operator: true });
    await h.grant(hof, owner, 'owner');
    await h.grant(lager, owner, 'owner');
    await h.grant(hof, viewer, 'viewer');
    await h.grant(lager, manager, 'manager');
    await h.grant(foreign, stranger, 'owner');
    const db = h.db.db;
    const at = (days: number) => day + days * 86_400_000;
    await appendAudit(db, {
      atMs: at(0),
      actor: 'user',
      actorUserId: owner,
      action: 'depot.grant',
      organisationId: org,
      depotId: hof,
      subject: 'vera',
      before: { username: 'vera', role: 'manager' },
      after: { username: 'vera', role: 'viewer' },
    });
    await appendAudit(db, {
      atMs: at(1),
      actor: 'relay',
      action: 'depot.online',
      organisationId: org,
      depotId: lager,
      subject: `depot ${lager}`,
      before: { online: 0 },
      after: { online: 1 },
    });
    await appendAudit(db, {
      atMs: at(2),
      actor: 'user',
      actorUserId: manager,
      action: 'pin.create',
      organisationId: org,
      depotId: lager,
      subject: 'PIN Kunde Meyer',
      after: { compartment: 3 },
    });
    await appendAudit(db, {
      atMs: at(3),
      actor: 'user',
      actorUserId: stranger,
      action: 'depot.update',
      organisationId: other,
      depotId: foreign,
      subject: 'Geheimer Strand',
    });
    await appendAudit(db, {
      atMs: at(4),
      actor: 'cli',
      action: 'organisation.create',
      organisationId: other,
      subject: 'Ferienhaus Ost',
    });
    await appendAudit(db, {
      atMs: at(5),
      actor: 'relay',
      action: 'depotx.thing',
      organisationId: org,
      depotId: hof,
      subject: 'not a depot.* action',
    });
  });
  afterAll(() => h.dispose());

  it('shows an owner the entries of their depots only, with readable names and before/after', async () => {
    const browser = h.client();
    await browser.login('olga');
    const page = await browser.get('/audit');
    expect(page.status).toBe(200);
    const html = await page.text();
    // A person's actions first: the system's own entries (depot online, relay) only on request.
    expect(rowsOf(html)).toHaveLength(2);
    expect(html).toContain('olga hat die Rolle von vera von „Verwalter“ auf „nur ansehen“ geändert');
    expect(html).toContain('max hat für Fach 3 eine PIN angelegt');
    expect(html).not.toContain('Das Depot ist online gegangen');
    const withSystem = await (await browser.get('/audit?system=1')).text();
    expect(rowsOf(withSystem)).toHaveLength(4);
    expect(withSystem).toContain('Das Depot ist online gegangen');
    expect(withSystem).toMatch(/System: depotx\.thing/);
    // Sentences carry no field names, ids or raw values.
    expect(withSystem).not.toMatch(/online: |role: |null/);
    expect(html).not.toContain('Geheimer Strand');
    expect(html).not.toContain('Ferienhaus Ost');
    expect(html).toContain('die Sie besitzen oder verwalten');
    // English names after switching the language.
    await browser.post('/language', { language: 'en', next: '/audit' });
    const english = await (await browser.get('/audit')).text();
    expect(english).toContain('olga changed the role of vera from “manager” to “view only”');
    expect(english).toContain('max created a PIN for compartment 3');
    await browser.post('/language', { language: 'de', next: '/audit' });
  });

  it('shows a manager their depot, a viewer nothing, an operator the entries without a depot too', async () => {
    const manager = h.client('192.0.2.50');
    await manager.login('max');
    const managed = rowsOf(await (await manager.get('/audit')).text());
    expect(managed).toHaveLength(1);
    expect(managed.join()).toContain('max hat für Fach 3 eine PIN angelegt');
    expect(rowsOf(await (await manager.get('/audit?system=1')).text())).toHaveLength(2);

    const viewer = h.client('192.0.2.51');
    await viewer.login('vera');
    const page = await viewer.get('/audit');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(rowsOf(html)).toEqual([]);
    expect(html).toContain('kein Protokoll');

    const operator = h.client('192.0.2.52');
    await operator.login('ops');
    const ops = await (await operator.get('/audit?depot=none')).text();
    const opsRows = rowsOf(ops);
    // The organisation created at the command line, and the logins of this test (entries without a depot).
    expect(
      opsRows.some((r) => r.includes('Service (Kommandozeile) hat die Organisation Ferienhaus Ost angelegt')),
    ).toBe(true);
    expect(opsRows.some((r) => r.includes('ops hat sich angemeldet'))).toBe(true);
    expect(ops).not.toContain('Geheimer Strand');
    expect(ops).toContain('Service-Betreiber');
  });

  it('filters by depot, action group, actor and dates (Berlin days, end day included)', async () => {
    const browser = h.client();
    await browser.login('olga');
    const count = async (query: string) => {
      const response = await browser.get(`/audit?${query}&system=1`);
      expect(response.status, query).toBe(200);
      return rowsOf(await response.text()).length;
    };
    expect(await count(`depot=${hof}`)).toBe(2);
    expect(await count(`depot=${lager}`)).toBe(2);
    // 'depot' matches depot.grant and depot.online, not depotx.thing.
    expect(await count('action=depot')).toBe(2);
    expect(await count('action=depot.online')).toBe(1);
    expect(await count('action=pin.create')).toBe(1);
    expect(await count('action=user.nothing')).toBe(0);
    expect(await count('actor=relay')).toBe(2);
    expect(await count('actor=max')).toBe(1);
    expect(await count('actor=olga')).toBe(1);
    expect(await count('actor=nobody')).toBe(0);
    expect(await count('from=2026-11-21&to=2026-11-22')).toBe(2);
    expect(await count('from=2026-11-20&to=2026-11-20')).toBe(1);
    expect(await count(`from=2026-11-22&depot=${lager}&actor=max&action=pin`)).toBe(1);
    // Without the box, the relay's entries are left out unless asked for by name.
    expect(rowsOf(await (await browser.get(`/audit?depot=${hof}`)).text())).toHaveLength(1);
    expect(rowsOf(await (await browser.get('/audit?actor=relay')).text())).toHaveLength(2);
  });

  it('answers bad filter values with a message and status 400, never a 500; injection strings stay values', async () => {
    const browser = h.client();
    await browser.login('olga');
    const cases: Array<[string, string]> = [
      [`depot=${foreign}`, 'Bitte wählen Sie eines Ihrer Depots.'],
      ['depot=none', 'Bitte wählen Sie eines Ihrer Depots.'],
      ['depot=1%20OR%201%3D1', 'Bitte wählen Sie eines Ihrer Depots.'],
      ["action=x'%3B%20DROP%20TABLE%20audit_log%3B%20--", 'Kein Aktionsname.'],
      ['action=%25', 'Kein Aktionsname.'],
      ["actor=olga'%20OR%20'1'%3D'1", 'Kein Benutzername.'],
      ['from=2026-13-01', 'JJJJ-MM-TT'],
      ['to=yesterday', 'JJJJ-MM-TT'],
      ['from=2026-11-22&to=2026-11-21', 'vor dem Anfangsdatum'],
      ['page=0', 'Diese Seite gibt es nicht.'],
      ['page=abc', 'Diese Seite gibt es nicht.'],
      ['page=99999999', 'Diese Seite gibt es nicht.'],
    ];
    for (const [query, message] of cases) {
      const response = await browser.get(`/audit?${query}`);
      expect(response.status, query).toBe(400);
      const html = await response.text();
      expect(html, query).toContain(message);
      expect(rowsOf(html), query).toEqual([]);
    }
    const count = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM audit_log`.execute(h.db.db);
    expect(Number(count.rows[0]?.n)).toBeGreaterThan(5);
  });

  it('pages through many entries, newest first, with links that keep the filters', async () => {
    const db = h.db.db;
    for (let i = 0; i < 60; i++) {
      await appendAudit(db, {
        atMs: day + 10 * 86_400_000 + i,
        actor: 'relay',
        action: 'command.sent',
        depotId: hof,
        subject: `command ${i}`,
      });
    }
    const browser = h.client();
    await browser.login('olga');
    const first = await (await browser.get(`/audit?action=command&depot=${hof}&system=1`)).text();
    expect(rowsOf(first)).toHaveLength(50);
    expect(rowsOf(first)[0]).toContain('Befehl Nr. 59 wurde an das Depot gesendet');
    expect(first).toContain(`href="/audit?depot=${hof}&amp;action=command&amp;system=1&amp;page=2"`);
    const second = await (await browser.get(`/audit?depot=${hof}&action=command&system=1&page=2`)).text();
    expect(rowsOf(second)).toHaveLength(10);
    expect(rowsOf(second).at(-1)).toContain('Befehl Nr. 0 ');
    expect(second).not.toContain('page=3');
    expect(rowsOf(await (await browser.get(`/audit?depot=${hof}&action=command&system=1&page=3`)).text())).toEqual([]);
  });

  it('sends a visitor to the login page', async () => {
    const response = await h.client().get('/audit');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2Faudit');
  });
});
