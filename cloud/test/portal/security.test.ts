/**
 * Attacks on the portal's forms and sessions: cross-site POSTs on every form
 * route, session fixation, and login throttling per account and per address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRE_SESSION_COOKIE } from '../../src/portal/security/csrf.js';
import { hashToken } from '../../src/portal/session/portal-sessions.js';
import { SESSION_COOKIE } from '../../src/portal/session/session-middleware.js';
import { testDialects } from '../databases.js';
import { fingerprint } from './portal-crawl.js';
import { PASSWORD } from './portal-harness.js';
import { type Actor, createPortalWorld, fillPath, type PortalWorld } from './portal-world.js';

/** Fields that would make the common forms succeed if the request got through. */
const PLAUSIBLE_FIELDS = {
  language: 'en',
  next: '/',
  username: 'actor-owner',
  current: PASSWORD,
  password: 'a brand new long password',
  repeat: 'a brand new long password',
  role: 'owner',
  label: 'changed',
  name: 'changed',
};

describe.each(testDialects())('portal security on %s', (dialect) => {
  let world: PortalWorld;
  beforeAll(async () => {
    world = await createPortalWorld(dialect);
  });
  afterAll(() => world.h.dispose());

  it('refuses cross-site POSTs on every form route with 403 and changes nothing', async () => {
    const { h } = world;
    const before = await fingerprint(h.db.db);
    const failures: string[] = [];
    for (const route of h.portal.routes.filter((r) => r.method === 'POST')) {
      const path = fillPath(world, route, world.own);
      const actors: Actor[] =
        route.access.kind === 'public'
          ? ['anonymous', 'owner']
          : [route.access.kind === 'operator' ? 'operator' : 'owner'];
      for (const actor of actors) {
        const client = world.client(actor);
        const token = world.csrf(actor);
        const attacks: Array<[string, Record<string, string | null>, Record<string, string>]> = [
          ['Origin of another site', { _csrf: token }, { origin: 'https://evil.example' }],
          ['Sec-Fetch-Site cross-site', { _csrf: token }, { 'sec-fetch-site': 'cross-site' }],
          ['same-site subdomain', { _csrf: token }, { 'sec-fetch-site': 'same-site', origin: 'https://a.localhost' }],
          ['no token', { _csrf: null }, {}],
          ['token of another session', { _csrf: world.csrf(actor === 'manager' ? 'viewer' : 'manager') }, {}],
          ['text/plain body (a cross-site form can send it)', { _csrf: token }, { 'content-type': 'text/plain' }],
        ];
        for (const [attack, fields, headers] of attacks) {
          const response = await client.post(path, { ...PLAUSIBLE_FIELDS, ...fields }, headers);
          if (response.status !== 403) failures.push(`${actor} ${route.path} (${attack}): ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint(h.db.db)).toBe(before);
    // The same request from the portal's own page goes through: the refusals above were the checks, not a broken form.
    const own = await world
      .client('owner')
      .post('/language', { _csrf: world.csrf('owner'), language: 'en', next: '/' });
    expect(own.status).toBe(303);
    expect(await fingerprint(h.db.db)).not.toBe(before);
  });

  it('never adopts a planted session cookie and rotates the token at every login', async () => {
    const { h } = world;
    const planted = 'planted-session-token-planted-session-token';
    const browser = h.client('203.0.113.5');
    browser.cookies.set(SESSION_COOKIE, planted);
    const anonymous = await browser.get('/account');
    expect(anonymous.status).toBe(303);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);

    browser.cookies.set(SESSION_COOKIE, planted);
    await browser.login('actor-viewer');
    const first = browser.cookies.get(SESSION_COOKIE) as string;
    expect(first).not.toBe(planted);
    const stored = await h.db.db.selectFrom('portal_sessions').select('token_hash').execute();
    const plantedHash = Buffer.from(hashToken(planted)).toString('hex');
    expect(stored.map((s) => Buffer.from(s.token_hash).toString('hex'))).not.toContain(plantedHash);

    await browser.login('actor-viewer');
    const second = browser.cookies.get(SESSION_COOKIE) as string;
    expect(second).not.toBe(first);
    const stale = h.client('203.0.113.6');
    stale.cookies.set(SESSION_COOKIE, first);
    expect((await stale.get('/account')).status).toBe(303);
  });

  it('drops a planted pre-login form token at login', async () => {
    const { h } = world;
    const known = 'attacker-known-form-token-0123456789';
    const browser = h.client('203.0.113.7');
    browser.cookies.set(PRE_SESSION_COOKIE, known);
    await browser.get('/login');
    await browser.login('actor-viewer');
    expect(browser.lastHtml).not.toContain(known);
    const language = await browser.post('/language', { _csrf: known, language: 'en', next: '/' });
    expect(language.status).toBe(403);
  });

  it('throttles one account after 5 failures with a message, from any address', async () => {
    const { h } = world;
    await h.user('throttled-anna');
    for (let i = 0; i < 6; i++) {
      const attacker = h.client(`203.0.113.${20 + i}`);
      await attacker.get('/login');
      expect((await attacker.post('/login', { username: 'throttled-anna', password: `guess ${i}` })).status).toBe(401);
    }
    const owner = h.client('203.0.113.40');
    await owner.get('/login');
    const blocked = await owner.post('/login', { username: 'throttled-anna', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Zu viele Fehlversuche/);
    // Another account from the attackers' addresses is not affected.
    const other = h.client('203.0.113.20');
    await other.login('actor-manager');
  });

  it('throttles one address after 20 failures over many accounts, not other addresses', async () => {
    const { h } = world;
    const attacker = h.client('203.0.113.66');
    await attacker.get('/login');
    for (let i = 0; i < 21; i++) {
      await attacker.post('/login', { username: `nobody-${i}`, password: 'some guessed password' });
    }
    const blocked = await attacker.post('/login', { username: 'actor-manager', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Zu viele Fehlversuche/);
    await h.client('203.0.113.67').login('actor-manager');
    h.now += 16 * 60_000;
    await attacker.login('actor-manager');
  });
});
