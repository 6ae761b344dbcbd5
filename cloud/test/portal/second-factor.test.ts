/**
 * Second factors through the portal's routes: TOTP enrolment and login, wrong
 * and replayed codes, recovery codes used once, the organisation's policy,
 * re-authentication with a code, the CLI reset, and that no TOTP secret or
 * recovery code lies in the database in clear. Passkeys: e2e/second-factor-browser.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { TOTP_STEP_MS, totpCode } from '../../src/store/second-factor/totp.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, csrfTokenIn, PASSWORD, type PortalClient, type PortalHarness } from './portal-harness.js';

const secretIn = (html: string) => /id="totp-secret">([^<]+)</.exec(html)?.[1]?.replace(/\s/g, '') ?? '';
const codesIn = (html: string) =>
  [...html.matchAll(/<li><code>([a-z0-9-]{19})<\/code><\/li>/g)].map((m) => m[1] as string);

describe.each(testDialects())('second factor on %s', (dialect) => {
  let h: PortalHarness;
  let org: number;
  let depot: number;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    org = await h.organisation('Autohaus Kern');
    depot = await h.depot(org, 'Hof', 4);
  });
  afterAll(() => h.dispose());

  /** Signs in with the password only and returns where the portal sends the browser next. */
  async function password(browser: PortalClient, username: string): Promise<string> {
    await browser.get('/login');
    const response = await browser.post('/login', { username, password: PASSWORD });
    expect(response.status).toBe(303);
    return response.headers.get('location') ?? '';
  }

  /** Enrols TOTP through the account pages; returns the secret and the recovery codes shown. */
  async function enrol(browser: PortalClient): Promise<{ secret: string; codes: string[] }> {
    await browser.get('/account');
    expect((await browser.post('/account/totp/start')).status).toBe(303);
    const setup = await (await browser.get('/account/totp')).text();
    expect(setup).toContain('<svg');
    const secret = secretIn(setup);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const wrong = await browser.post('/account/totp/confirm', {
      code: '000000' === totpCode(secret, h.now) ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    const confirmed = await browser.post('/account/totp/confirm', { code: totpCode(secret, h.now) });
    expect(confirmed.status).toBe(200);
    const codes = codesIn(await confirmed.text());
    expect(codes).toHaveLength(10);
    return { secret, codes };
  }

  it('enrols TOTP, then asks for a code after the password; a wrong or replayed code is refused, counted and grants nothing', async () => {
    const anna = await h.user('anna', { organisationId: org });
    await h.grant(depot, anna, 'owner');
    const browser = h.client('192.0.2.31');
    await browser.login('anna');
    const { secret } = await enrol(browser);
    expect((await listAudit(h.db.db, { action: 'user.totp-enrol', actorUserId: anna })).length).toBe(1);
    await browser.post('/logout');

    h.now += TOTP_STEP_MS;
    expect(await password(browser, 'anna')).toBe('/login/second-factor');
    // The half-signed-in session reaches nothing behind the login.
    const dashboard = await browser.get('/');
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.get('location')).toMatch(/^\/login/);
    await browser.get('/login/second-factor');
    const wrong = await browser.post('/login/second-factor/totp', { code: '12345x' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Dieser Code ist falsch oder wurde schon verwendet.');
    const code = totpCode(secret, h.now);
    expect((await browser.post('/login/second-factor/totp', { code })).status).toBe(303);
    expect((await browser.get('/')).status).toBe(200);
    const logins = await listAudit(h.db.db, { action: 'user.login', actorUserId: anna });
    expect(logins[0]?.after).toEqual({ method: 'totp' });
    await browser.post('/logout');

    // The same code again, within its window: refused.
    expect(await password(browser, 'anna')).toBe('/login/second-factor');
    await browser.get('/login/second-factor');
    expect((await browser.post('/login/second-factor/totp', { code })).status).toBe(401);
    // Wrong codes count towards the login throttle, like wrong passwords.
    for (let i = 0; i < 5; i++) await browser.post('/login/second-factor/totp', { code: '000001' });
    // A fresh, right code (the next step's, within the drift window) is refused while blocked.
    const blocked = await browser.post('/login/second-factor/totp', { code: totpCode(secret, h.now + TOTP_STEP_MS) });
    expect(blocked.status).toBe(429);
    expect((await browser.get('/')).status).toBe(303);
    h.now += 31 * 60_000;
  });

  it('takes each recovery code once, audited', async () => {
    const bea = await h.user('bea', { organisationId: org });
    const browser = h.client('192.0.2.32');
    await browser.login('bea');
    const { codes } = await enrol(browser);
    await browser.post('/logout');
    const [first = '', second = ''] = codes;
    expect(await password(browser, 'bea')).toBe('/login/second-factor');
    await browser.get('/login/second-factor');
    expect((await browser.post('/login/second-factor/recovery', { recovery: first.toUpperCase() })).status).toBe(303);
    expect((await browser.get('/account')).status).toBe(200);
    expect(browser.lastHtml).toContain('Noch 9 unbenutzte Wiederherstellungscodes.');
    await browser.post('/logout');
    await password(browser, 'bea');
    await browser.get('/login/second-factor');
    const again = await browser.post('/login/second-factor/recovery', { recovery: first });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('Dieser Wiederherstellungscode ist falsch oder wurde schon verwendet.');
    expect((await browser.post('/login/second-factor/recovery', { recovery: second })).status).toBe(303);
    expect((await listAudit(h.db.db, { action: 'user.recovery-code-use', actorUserId: bea })).length).toBe(2);
  });

  it('sends owners and managers to enrol when their organisation requires it, and operators always', async () => {
    const carl = await h.user('carl', { organisationId: org });
    await h.grant(depot, carl, 'manager');
    const viewer = await h.user('vera', { organisationId: org });
    await h.grant(depot, viewer, 'viewer');
    const browser = h.client('192.0.2.33');
    expect(await password(browser, 'carl')).toBe('/');
    await browser.post('/logout');

    const op = h.client('192.0.2.34');
    const admin = await h.user('root-op', { organisationId: org, operator: true });
    h.totpSecrets.delete('root-op');
    await h.db.db.deleteFrom('totp_factors').where('user_id', '=', admin).execute();
    expect(await password(op, 'root-op')).toBe('/login/enrol');

    // The operator sets the policy on the organisation page; audited in words.
    const operator = await h.user('policy-op', { organisationId: org, operator: true });
    const opBrowser = h.client('192.0.2.35');
    await opBrowser.login('policy-op');
    await opBrowser.get(`/admin/organisations/${org}`);
    expect(opBrowser.lastHtml).toContain('name="policy"');
    const saved = await opBrowser.post(`/admin/organisations/${org}/second-factor`, { policy: 'required' });
    expect(saved.status).toBe(303);
    const bad = await opBrowser.post(`/admin/organisations/${org}/second-factor`, { policy: 'sometimes' });
    expect(bad.status).toBe(400);
    const policyAudit = await listAudit(h.db.db, {
      action: 'organisation.second-factor-policy',
      actorUserId: operator,
    });
    expect(policyAudit.map((e) => e.after)).toEqual([{ policy: 'required' }]);

    expect(await password(browser, 'carl')).toBe('/login/enrol');
    for (const path of ['/', '/account', `/depots/${depot}`, `/depots/${depot}/open`]) {
      expect((await browser.get(path)).headers.get('location'), path).toMatch(/^\/login/);
    }
    expect((await browser.get('/login/enrol')).status).toBe(200);
    const { secret } = await enrol(browser);
    // Enrolling finished the login.
    expect((await browser.get(`/depots/${depot}/open`)).status).toBe(200);
    expect(secret).not.toBe('');
    // A viewer cannot open anything: no second factor demanded.
    const vera = h.client('192.0.2.36');
    expect(await password(vera, 'vera')).toBe('/');
    // The last factor of someone who must have one stays.
    await browser.get('/account');
    expect((await browser.post('/account/totp/remove')).status).toBe(400);
  });

  it('re-authenticates a remote open with a TOTP code instead of the password, once per code', async () => {
    const dora = await h.user('dora', { organisationId: org });
    await h.grant(depot, dora, 'owner');
    const browser = h.client('192.0.2.37');
    await browser.login('dora');
    const { secret } = await enrol(browser);
    h.now += TOTP_STEP_MS;
    await browser.get(`/depots/${depot}/open`);
    expect(browser.lastHtml).toContain('Ihr Passwort oder ein Code aus Ihrer Authenticator-App');
    const code = totpCode(secret, h.now);
    const opened = await browser.post(`/depots/${depot}/open`, { compartment: '2', password: code });
    expect(opened.status).toBe(303);
    await browser.get(`/depots/${depot}/open`);
    const replay = await browser.post(`/depots/${depot}/open`, { compartment: '2', password: code });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('Das Passwort oder der Code ist falsch.');
    expect((await listAudit(h.db.db, { action: 'depot.open', actorUserId: dora })).length).toBe(1);
  });

  it('keeps TOTP secrets and recovery codes out of the database files in clear', async () => {
    if (dialect !== 'sqlite') return;
    const eve = await h.user('eve-secret', { organisationId: org });
    const browser = h.client('192.0.2.38');
    await browser.login('eve-secret');
    const { secret, codes } = await enrol(browser);
    expect(eve).toBeGreaterThan(0);
    const dir = dirname(h.db.url.slice('sqlite:'.length));
    const files = readdirSync(dir).map((name) => readFileSync(`${dir}/${name}`));
    expect(files.length).toBeGreaterThan(0);
    for (const needle of [secret, ...codes, ...codes.map((c) => c.replaceAll('-', ''))]) {
      for (const file of files) expect(file.includes(Buffer.from(needle)), needle).toBe(false);
    }
    // The secret is there, sealed: it opens with the portal's key for its row only.
    const row = await h.db.db
      .selectFrom('totp_factors')
      .selectAll()
      .where('user_id', '=', eve)
      .executeTakeFirstOrThrow();
    expect(Buffer.from(row.secret_sealed).includes(Buffer.from(secret))).toBe(false);
  });

  it('gives a half-signed-in session exactly what a signed-out visitor gets, on every route but the second-factor step', async () => {
    const fay = await h.user('fay', { organisationId: org });
    await h.grant(depot, fay, 'owner');
    await h.enrolTotp(fay, 'fay');
    const half = h.client('192.0.2.39');
    expect(await password(half, 'fay')).toBe('/login/second-factor');
    const anonymous = h.client('192.0.2.40');
    await anonymous.get('/login');
    for (const route of h.portal.routes) {
      if (route.access.kind === 'second-factor' || route.path.startsWith('/login/second-factor')) continue;
      // Public POSTs that change the caller's own state (logout of nothing, language, a new login) are left out.
      if (route.access.kind === 'public' && route.method === 'POST') continue;
      const path = route.path
        .replace(':depotId', String(depot))
        .replace(':organisationId', String(org))
        .replace(/:[a-zA-Z]+/g, '1');
      const send = (client: PortalClient) =>
        route.method === 'GET' ? client.get(path) : client.post(path, { _csrf: csrfTokenIn(client.lastHtml) });
      const a = await send(anonymous);
      const b = await send(half);
      expect(`${b.status} ${b.headers.get('location')}`, `${route.method} ${route.path}`).toBe(
        `${a.status} ${a.headers.get('location')}`,
      );
    }
    // …and the session is still at its step.
    expect((await half.get('/login/second-factor')).status).toBe(200);
  });
});
