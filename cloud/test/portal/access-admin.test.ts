import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { listGrantsForDepot, roleOn } from '../../src/store/grants.js';
import { organisationsOfUser } from '../../src/store/organisations.js';
import { findUserByUsername } from '../../src/store/users.js';
import { testDialects } from '../databases.js';
import { fingerprint } from './portal-crawl.js';
import { createPortalHarness, type PortalHarness } from './portal-harness.js';

/** The set-password link on a page, as a path. */
function linkIn(html: string): string {
  const match = /<textarea id="password-link"[^>]*>http:\/\/localhost(\/set-password\/[A-Za-z0-9_-]+)<\/textarea>/.exec(
    html,
  );
  if (!match?.[1]) throw new Error('no set-password link on the page');
  return match[1];
}

describe.each(testDialects())('a depot owner manages its users on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let foreignDepot: number;
  let owner: number;
  let manager: number;
  let outsider: number;
  let colleague: number;
  let otherOrg: number;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Ferienhaus Ost');
    depot = await h.depot(org, 'Hof');
    foreignDepot = await h.depot(other, 'Strand');
    owner = await h.user('olga', { organisationId: org });
    manager = await h.user('max', { organisationId: org });
    outsider = await h.user('otto', { organisationId: other });
    colleague = await h.user('paula', { organisationId: org });
    await h.user('ops', { operator: true });
    otherOrg = other;
    await h.grant(depot, owner, 'owner');
    await h.grant(depot, manager, 'manager');
    await h.grant(foreignDepot, outsider, 'owner');
  });
  afterAll(() => h.dispose());

  it('lists the grants to the owner only; a manager gets 403, a stranger 404', async () => {
    const browser = h.client();
    await browser.login('olga');
    const page = await browser.get(`/depots/${depot}/users`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('olga');
    expect(html).toContain('max');
    expect(html).not.toContain('otto');

    const asManager = h.client('192.0.2.31');
    await asManager.login('max');
    expect((await asManager.get(`/depots/${depot}/users`)).status).toBe(403);
    expect((await asManager.post(`/depots/${depot}/users/${manager}`, { role: 'owner' })).status).toBe(403);
    expect(await roleOn(h.db.db, depot, manager)).toBe('manager');

    const stranger = h.client('192.0.2.32');
    await stranger.login('otto');
    expect((await stranger.get(`/depots/${depot}/users`)).status).toBe(404);
    // Nor can the owner reach the users of a depot that is not theirs.
    expect((await browser.get(`/depots/${foreignDepot}/users`)).status).toBe(404);
  });

  it('adds an existing user of the organisation with a role, audited with before/after', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const added = await browser.post(`/depots/${depot}/users`, {
      kind: 'existing',
      member: 'paula',
      memberRole: 'viewer',
    });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe(`/depots/${depot}/users?done=added`);
    expect(await roleOn(h.db.db, depot, colleague)).toBe('viewer');
    const [entry] = await listAudit(h.db.db, { action: 'depot.grant', depotId: depot });
    expect(entry).toMatchObject({ actor: 'user', actorUserId: owner, subject: 'paula', address: '192.0.2.10' });
    expect(entry?.before).toBeUndefined();
    expect(entry?.after).toEqual({ username: 'paula', role: 'viewer' });

    const again = await browser.post(`/depots/${depot}/users`, {
      kind: 'existing',
      member: 'paula',
      memberRole: 'owner',
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('hat schon eine Rolle');
    expect(await roleOn(h.db.db, depot, colleague)).toBe('viewer');
  });

  it('answers for a user of another organisation exactly as for a name nobody has, writing nothing', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const before = await fingerprint(h.db.db);
    // "otto" is the owner of another organisation's depot, "ops" a service operator in no organisation.
    const answers: string[] = [];
    for (const member of ['otto', 'ops', 'nobody-here']) {
      for (const memberRole of ['viewer', 'owner']) {
        const response = await browser.post(`/depots/${depot}/users`, { kind: 'existing', member, memberRole });
        expect(response.status, member).toBe(400);
        const html = await response.text();
        expect(html).toContain('gibt es in Ihrer Organisation nicht');
        answers.push(html.replaceAll(member, 'NAME'));
      }
    }
    expect(new Set(answers).size).toBe(2);
    expect(answers[0]).toBe(answers[4]);
    expect(answers[2]).toBe(answers[4]);
    expect(await fingerprint(h.db.db)).toBe(before);
    expect(await roleOn(h.db.db, depot, outsider)).toBeNull();
    expect(await organisationsOfUser(h.db.db, outsider)).toEqual([otherOrg]);

    await browser.post('/language', { language: 'en' });
    try {
      await browser.get(`/depots/${depot}/users`);
      const response = await browser.post(`/depots/${depot}/users`, {
        kind: 'existing',
        member: 'otto',
        memberRole: 'viewer',
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Your organisation has no user with this name.');
    } finally {
      await browser.get(`/depots/${depot}/users`);
      await browser.post('/language', { language: 'de' });
    }
  });

  it('refuses unknown names, bad roles, empty and overlong input, changing nothing', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const grants = JSON.stringify(await listGrantsForDepot(h.db.db, depot));
    const audits = (await listAudit(h.db.db)).length;
    const cases: Array<[Record<string, string>, string]> = [
      [{ kind: 'existing', member: 'nobody-here', memberRole: 'viewer' }, 'gibt es in Ihrer Organisation nicht'],
      [{ kind: 'existing', member: 'max', memberRole: 'admin' }, 'Bitte wählen Sie eine Rolle.'],
      [{ kind: 'existing', member: '', memberRole: 'viewer' }, 'Bitte füllen Sie dieses Feld aus.'],
      [{ kind: 'existing', member: 'x'.repeat(101), memberRole: 'viewer' }, 'Höchstens 100 Zeichen.'],
      [{ kind: 'existing', member: "' OR 1=1 --", memberRole: 'viewer' }, 'gibt es in Ihrer Organisation nicht'],
      [{ kind: 'new', username: 'a b', displayName: 'A', language: 'de', role: 'viewer' }, 'Bitte 3 bis 100'],
      [{ kind: 'new', username: 'max', displayName: 'Max', language: 'de', role: 'viewer' }, 'vergeben'],
      [
        { kind: 'new', username: 'neu.user', displayName: 'N', language: 'fr', role: 'viewer' },
        'Bitte wählen Sie eine Sprache.',
      ],
    ];
    for (const [fields, message] of cases) {
      const response = await browser.post(`/depots/${depot}/users`, fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await response.text()).toContain(message);
    }
    expect(JSON.stringify(await listGrantsForDepot(h.db.db, depot))).toBe(grants);
    expect((await listAudit(h.db.db)).length).toBe(audits);
    expect(await findUserByUsername(h.db.db, 'neu.user')).toBeNull();
  });

  it('creates a new user whose one-time link sets a password once; the link is not stored or audited', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const created = await browser.post(`/depots/${depot}/users`, {
      kind: 'new',
      username: 'lea@kern.example',
      displayName: 'Lea Kern',
      language: 'en',
      role: 'manager',
    });
    expect(created.status).toBe(200);
    const html = await created.text();
    const link = linkIn(html);
    const lea = await findUserByUsername(h.db.db, 'lea@kern.example');
    expect(lea).toMatchObject({ displayName: 'Lea Kern', language: 'en', isOperator: false });
    expect(await roleOn(h.db.db, depot, lea?.id ?? 0)).toBe('manager');
    const token = link.split('/').pop() as string;
    expect(JSON.stringify(await listAudit(h.db.db))).not.toContain(token);
    const actions = (await listAudit(h.db.db, { sinceMs: h.now })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'depot.grant']));

    const newcomer = h.client('192.0.2.40');
    expect((await newcomer.get(link)).status).toBe(200);
    const set = await newcomer.post(link, { password: 'a long new password', repeat: 'a long new password' });
    expect(set.status).toBe(200);
    await newcomer.login('lea@kern.example', 'a long new password');
    expect((await newcomer.get(`/depots/${depot}`)).status).toBe(200);
    // Once only.
    const other = h.client('192.0.2.41');
    expect((await other.get(link)).status).toBe(404);
    expect(
      (await other.post(link, { password: 'another long password', repeat: 'another long password' })).status,
    ).toBe(404);
  });

  it('changes a role with before/after, and refuses to demote or remove the last owner', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const changed = await browser.post(`/depots/${depot}/users/${manager}`, { role: 'viewer' });
    expect(changed.status).toBe(303);
    expect(await roleOn(h.db.db, depot, manager)).toBe('viewer');
    const [entry] = await listAudit(h.db.db, { action: 'depot.grant', depotId: depot });
    expect(entry).toMatchObject({ subject: 'max', before: { username: 'max', role: 'manager' } });
    expect(entry?.after).toEqual({ username: 'max', role: 'viewer' });

    await browser.get(`/depots/${depot}/users`);
    const demote = await browser.post(`/depots/${depot}/users/${owner}`, { role: 'manager' });
    expect(demote.status).toBe(400);
    expect(await demote.text()).toContain('mindestens einen Inhaber');
    const remove = await browser.post(`/depots/${depot}/users/${owner}/remove`);
    expect(remove.status).toBe(400);
    expect(await roleOn(h.db.db, depot, owner)).toBe('owner');

    const bad = await browser.post(`/depots/${depot}/users/${manager}`, { role: 'root' });
    expect(bad.status).toBe(400);
    expect(await roleOn(h.db.db, depot, manager)).toBe('viewer');
  });

  it('answers 404 for a user without a role here and for ids that are no ids', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const stranger = await h.user('fremd');
    for (const path of [
      `/depots/${depot}/users/${stranger}`,
      `/depots/${depot}/users/${stranger}/remove`,
      `/depots/${depot}/users/999999`,
      `/depots/${depot}/users/abc`,
      `/depots/${depot}/users/1%20OR%201=1/remove`,
    ]) {
      expect((await browser.post(path, { role: 'viewer' })).status, path).toBe(404);
    }
    expect(await roleOn(h.db.db, depot, stranger)).toBeNull();
  });

  it('removes access (audited), and a second owner may then step down', async () => {
    const browser = h.client();
    await browser.login('olga');
    await browser.get(`/depots/${depot}/users`);
    const removed = await browser.post(`/depots/${depot}/users/${colleague}/remove`);
    expect(removed.status).toBe(303);
    expect(await roleOn(h.db.db, depot, colleague)).toBeNull();
    const [entry] = await listAudit(h.db.db, { action: 'depot.grant-remove' });
    expect(entry).toMatchObject({ subject: 'paula', before: { username: 'paula', role: 'viewer' }, after: undefined });
    // The account stays.
    expect(await findUserByUsername(h.db.db, 'paula')).not.toBeNull();

    await browser.get(`/depots/${depot}/users`);
    await browser.post(`/depots/${depot}/users/${manager}`, { role: 'owner' });
    await browser.get(`/depots/${depot}/users`);
    const stepDown = await browser.post(`/depots/${depot}/users/${owner}`, { role: 'viewer' });
    expect(stepDown.status).toBe(303);
    expect(stepDown.headers.get('location')).toBe(`/depots/${depot}`);
    expect(await roleOn(h.db.db, depot, owner)).toBe('viewer');
    expect((await browser.get(`/depots/${depot}/users`)).status).toBe(403);
  });
});
