import { randomBytes } from 'node:crypto';
import {
  type CryptoBackend,
  deriveOfflineKey,
  fromHex,
  keyPairFromSecret,
  loadCryptoBackend,
  parseProvisioningBundle,
} from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningKeys } from '../../src/provisioning/provision-depot.js';
import { listAudit } from '../../src/store/audit.js';
import { findDepotById, listDepots } from '../../src/store/depots.js';
import { roleOn } from '../../src/store/grants.js';
import { findOrganisationByName, listOrganisations, organisationsOfUser } from '../../src/store/organisations.js';
import { findUserByUsername } from '../../src/store/users.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalHarness } from './portal-harness.js';

function linkIn(html: string): string {
  const match = /<textarea id="password-link"[^>]*>http:\/\/localhost(\/set-password\/[A-Za-z0-9_-]+)<\/textarea>/.exec(
    html,
  );
  if (!match?.[1]) throw new Error('no set-password link on the page');
  return match[1];
}

describe.each(testDialects())('the operator administration on %s', (dialect) => {
  let h: PortalHarness;
  let backend: CryptoBackend;
  let keys: ProvisioningKeys;
  let org: number;
  let ops: number;
  let olga: number;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    backend = await loadCryptoBackend('sodium-native');
    keys = {
      backend,
      relayPublicKey: new Uint8Array(randomBytes(32)),
      offlineMaster: new Uint8Array(randomBytes(32)),
      publicRelayHost: 'relay.example.org',
      publicRelayPort: 47901,
    };
    // The portal reads its deps per request: what serve.ts passes when the public relay host is set.
    Object.assign(h.deps, { provisioning: async () => keys });
    org = await h.organisation('Autohaus Kern');
    ops = await h.user('ops', { operator: true });
    olga = await h.user('olga', { organisationId: org });
    const depot = await h.depot(org, 'Hof');
    await h.grant(depot, olga, 'owner');
  });
  afterAll(() => h.dispose());

  const operator = async () => {
    const browser = h.client('192.0.2.60');
    await browser.login('ops');
    await browser.get('/admin');
    return browser;
  };

  it('answers 404 to everyone but operators on every admin route, and sends visitors to the login', async () => {
    const owner = h.client('192.0.2.61');
    await owner.login('olga');
    const routes = h.portal.routes.filter((r) => r.path.startsWith('/admin'));
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const route of routes) {
      const path = route.path.replace(':organisationId', String(org)).replace(':userId', String(olga));
      const response = route.method === 'GET' ? await owner.get(path) : await owner.post(path, { name: 'X' });
      expect(response.status, `${route.method} ${path}`).toBe(404);
      expect(route.access.kind).toBe('operator');
    }
    expect(await findOrganisationByName(h.db.db, 'X')).toBeNull();
    expect((await h.client().get('/admin')).status).toBe(303);
    expect((await (await operator()).get('/admin')).status).toBe(200);
  });

  it('creates organisations (audited), refusing empty, overlong and taken names', async () => {
    const browser = await operator();
    const created = await browser.post('/admin/organisations', { name: 'Ferienhaus Ost' });
    expect(created.status).toBe(303);
    const organisation = await findOrganisationByName(h.db.db, 'Ferienhaus Ost');
    expect(organisation).not.toBeNull();
    const [entry] = await listAudit(h.db.db, { action: 'organisation.create', actorUserId: ops });
    expect(entry).toMatchObject({ actor: 'user', subject: 'Ferienhaus Ost', organisationId: organisation?.id });
    const before = (await listOrganisations(h.db.db)).length;
    for (const [name, message] of [
      ['', 'Bitte füllen Sie dieses Feld aus.'],
      ['x'.repeat(201), 'Höchstens 200 Zeichen.'],
      ['Ferienhaus Ost', 'gibt es schon'],
    ]) {
      const response = await browser.post('/admin/organisations', { name: name as string });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(message);
    }
    expect((await listOrganisations(h.db.db)).length).toBe(before);
  });

  it('creates a user in an organisation with a one-time link; bad input changes nothing', async () => {
    const browser = await operator();
    for (const [fields, message] of [
      [{ username: 'a', displayName: '', language: 'de', organisation: '' }, 'Bitte 3 bis 100'],
      [{ username: 'olga', displayName: '', language: 'de', organisation: '' }, 'vergeben'],
      [{ username: 'neu', displayName: '', language: 'de', organisation: '999999' }, 'aus der Liste'],
      [{ username: 'neu', displayName: '', language: 'de', organisation: 'abc' }, 'aus der Liste'],
    ] as const) {
      const response = await browser.post('/admin/users', fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await response.text()).toContain(message);
    }
    expect(await findUserByUsername(h.db.db, 'neu')).toBeNull();

    const created = await browser.post('/admin/users', {
      username: 'karl',
      displayName: 'Karl Kern',
      language: 'de',
      organisation: String(org),
    });
    expect(created.status).toBe(200);
    const link = linkIn(await created.text());
    const karl = await findUserByUsername(h.db.db, 'karl');
    expect(karl).toMatchObject({ displayName: 'Karl Kern', isOperator: false });
    expect(await organisationsOfUser(h.db.db, karl?.id ?? 0)).toEqual([org]);
    const newcomer = h.client('192.0.2.62');
    await newcomer.get(link);
    expect((await newcomer.post(link, { password: 'karls long password', repeat: 'karls long password' })).status).toBe(
      200,
    );
    await newcomer.login('karl', 'karls long password');
    expect((await h.client('192.0.2.63').get(link)).status).toBe(404);
  });

  it('disables a user: their sessions end, they cannot log in; enabling lets them in again; never oneself', async () => {
    const target = await h.user('dora', { organisationId: org });
    const dora = h.client('192.0.2.64');
    await dora.login('dora');
    expect((await dora.get('/account')).status).toBe(200);

    const browser = await operator();
    const disabled = await browser.post(`/admin/users/${target}/disable`);
    expect(disabled.status).toBe(200);
    expect(await disabled.text()).toContain('dora ist gesperrt');
    expect((await dora.get('/account')).status).toBe(303);
    await expect(h.client('192.0.2.65').login('dora')).rejects.toThrow(/401/);
    const [entry] = await listAudit(h.db.db, { action: 'user.disable' });
    expect(entry).toMatchObject({ subject: 'dora', before: { disabled: false }, after: { disabled: true } });
    // A disabled account gets no new password link either.
    expect((await browser.post(`/admin/users/${target}/password-link`)).status).toBe(404);

    await browser.get('/admin');
    expect((await browser.post(`/admin/users/${target}/enable`)).status).toBe(200);
    await h.client('192.0.2.66').login('dora');
    expect((await findUserByUsername(h.db.db, 'dora'))?.disabledAtMs).toBeNull();

    await browser.get('/admin');
    const self = await browser.post(`/admin/users/${ops}/disable`);
    expect(self.status).toBe(400);
    expect((await findUserByUsername(h.db.db, 'ops'))?.disabledAtMs).toBeNull();
    expect((await browser.post('/admin/users/999999/disable')).status).toBe(404);
    expect((await browser.post('/admin/users/abc/enable')).status).toBe(404);
  });

  it('makes a new set-password link for an account (audited without the token)', async () => {
    const browser = await operator();
    const response = await browser.post(`/admin/users/${olga}/password-link`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const link = linkIn(html);
    // The whole link is readable without script; copy.js (served) adds the copy button.
    expect(html).toMatch(/<button type="button" data-copy="password-link"[^>]*hidden/);
    expect(html).toContain('src="/static/copy.js"');
    expect((await browser.get('/static/copy.js')).status).toBe(200);
    const [entry] = await listAudit(h.db.db, { action: 'user.password-reset' });
    expect(entry).toMatchObject({ subject: 'olga', actorUserId: ops });
    expect(JSON.stringify(await listAudit(h.db.db))).not.toContain(link.split('/').pop());
    expect((await h.client('192.0.2.67').get(link)).status).toBe(200);
  });

  it('adds members to an organisation; unknown organisations are 404', async () => {
    const browser = await operator();
    const other = (await findOrganisationByName(h.db.db, 'Ferienhaus Ost'))?.id ?? (await h.organisation('Ost 2'));
    expect((await browser.get(`/admin/organisations/${other}`)).status).toBe(200);
    const added = await browser.post(`/admin/organisations/${other}/members`, { username: 'olga' });
    expect(added.status).toBe(303);
    expect(await organisationsOfUser(h.db.db, olga)).toContain(other);
    await browser.get(`/admin/organisations/${other}`);
    const again = await browser.post(`/admin/organisations/${other}/members`, { username: 'olga' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('schon Mitglied');
    const unknown = await browser.post(`/admin/organisations/${other}/members`, { username: 'niemand' });
    expect(unknown.status).toBe(400);
    expect((await browser.get('/admin/organisations/999999')).status).toBe(404);
    expect((await browser.post('/admin/organisations/999999/members', { username: 'olga' })).status).toBe(404);
  });

  it('provisions a depot as a one-time download the depot can use, with an owner; the secret is stored nowhere', async () => {
    const browser = await operator();
    await browser.get(`/admin/organisations/${org}`);
    const response = await browser.post(`/admin/organisations/${org}/depots`, {
      name: 'Werkstatt Nord',
      address: 'Hauptstraße 1, 12345 Musterstadt',
      compartments: '12',
      timeZone: 'Europe/Vienna',
      language: 'en',
      owner: 'olga',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="depot-\d+\.json"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const bundle = parseProvisioningBundle(JSON.parse(await response.text()));
    const depot = await findDepotById(h.db.db, bundle.depotId);
    expect(depot).toMatchObject({
      name: 'Werkstatt Nord',
      organisationId: org,
      compartmentCount: 12,
      timeZone: 'Europe/Vienna',
      language: 'en',
    });
    expect(bundle.relay).toEqual({
      host: 'relay.example.org',
      port: 47901,
      publicKey: Buffer.from(keys.relayPublicKey).toString('hex'),
    });
    expect(keyPairFromSecret(backend, fromHex(bundle.depotSecretKey)).publicKey).toEqual(depot?.publicKey);
    expect(fromHex(bundle.offlineKey)).toEqual(deriveOfflineKey(keys.offlineMaster, bundle.depotId, 1));
    expect(await roleOn(h.db.db, bundle.depotId, olga)).toBe('owner');
    const audit = await listAudit(h.db.db, { depotId: bundle.depotId });
    expect(audit.map((e) => e.action).sort()).toEqual(['depot.create', 'depot.grant']);
    expect(audit.find((e) => e.action === 'depot.create')).toMatchObject({ actor: 'user', actorUserId: ops });
    expect(JSON.stringify(await listAudit(h.db.db))).not.toContain(bundle.depotSecretKey);
    expect(JSON.stringify(await listAudit(h.db.db))).not.toContain(bundle.offlineKey);
  });

  it('refuses bad depot input, an unknown owner and a server without a relay address, creating nothing', async () => {
    const browser = await operator();
    const good = { name: 'Neu', address: '', compartments: '6', timeZone: 'Europe/Berlin', language: 'de', owner: '' };
    const before = (await listDepots(h.db.db)).length;
    for (const [fields, message] of [
      [{ ...good, name: '' }, 'Bitte füllen Sie dieses Feld aus.'],
      [{ ...good, compartments: '0' }, 'ganze Zahl'],
      [{ ...good, compartments: '65' }, 'ganze Zahl'],
      [{ ...good, compartments: '6; DROP TABLE depots' }, 'ganze Zahl'],
      [{ ...good, timeZone: 'Mars/Olympus' }, 'Keine Zeitzone'],
      [{ ...good, language: 'fr' }, 'Sprache'],
      [{ ...good, owner: 'niemand' }, 'gibt es nicht'],
    ] as const) {
      await browser.get(`/admin/organisations/${org}`);
      const response = await browser.post(`/admin/organisations/${org}/depots`, fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await response.text()).toContain(message);
    }
    expect((await browser.post('/admin/organisations/999999/depots', good)).status).toBe(404);
    // serve.ts passes no provisioning when KEYDEPOT_PUBLIC_RELAY_HOST is not set.
    Object.assign(h.deps, { provisioning: undefined });
    try {
      const page = await browser.get(`/admin/organisations/${org}`);
      expect(await page.text()).toContain('KEYDEPOT_PUBLIC_RELAY_HOST');
      expect((await browser.post(`/admin/organisations/${org}/depots`, good)).status).toBe(400);
    } finally {
      Object.assign(h.deps, { provisioning: async () => keys });
    }
    expect((await listDepots(h.db.db)).length).toBe(before);
  });
});
