import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, PASSWORD, type PortalHarness } from './portal-harness.js';

describe.each(testDialects())('portal accounts on %s', (dialect) => {
  let h: PortalHarness;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    await h.user('anna', { organisationId: org });
  });
  afterAll(() => h.dispose());

  it('sends a visitor to the login page and back after login', async () => {
    const browser = h.client();
    const first = await browser.get('/account');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/login?next=%2Faccount');
    await browser.get('/login?next=%2Faccount');
    const login = await browser.post('/login', { username: 'anna', password: PASSWORD, next: '/account' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/account');
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-kd-session='));
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect((await browser.get('/account')).status).toBe(200);
  });

  it('re-renders the login form with a message for a wrong password, empty fields and an overlong name', async () => {
    const browser = h.client('192.0.2.20');
    await browser.get('/login');
    const wrong = await browser.post('/login', { username: 'anna', password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Benutzername oder Passwort ist falsch.');
    const empty = await browser.post('/login', { username: '', password: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Bitte füllen Sie dieses Feld aus.');
    const long = await browser.post('/login', { username: 'a'.repeat(101), password: 'x' });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('Höchstens 100 Zeichen.');
  });

  it('never redirects away from the site after login', async () => {
    const browser = h.client('192.0.2.21');
    await browser.get('/login');
    const login = await browser.post('/login', { username: 'anna', password: PASSWORD, next: '//evil.example/x' });
    expect(login.headers.get('location')).toBe('/');
  });

  it('rotates the session token at login (a planted token never becomes a session)', async () => {
    const browser = h.client('192.0.2.22');
    browser.cookies.set('__Host-kd-session', 'planted-token-planted-token-planted');
    await browser.login('anna');
    expect(browser.cookies.get('__Host-kd-session')).not.toBe('planted-token-planted-token-planted');
    const before = browser.cookies.get('__Host-kd-session');
    await browser.post('/logout');
    await browser.login('anna');
    expect(browser.cookies.get('__Host-kd-session')).not.toBe(before);
  });

  it('ends a session after the idle timeout and logs out for good', async () => {
    const browser = h.client('192.0.2.23');
    await browser.login('anna');
    const token = browser.cookies.get('__Host-kd-session') as string;
    h.now += 31 * 60_000;
    expect((await browser.get('/account')).status).toBe(303);
    await browser.login('anna');
    await browser.post('/logout');
    browser.cookies.set('__Host-kd-session', token);
    expect((await browser.get('/account')).status).toBe(303);
  });

  it('throttles an account after 5 wrong passwords with a clear message, also for the right password', async () => {
    const browser = h.client('192.0.2.30');
    await browser.get('/login');
    for (let i = 0; i < 6; i++) await browser.post('/login', { username: 'anna', password: `wrong password ${i}` });
    const blocked = await browser.post('/login', { username: 'anna', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Zu viele Fehlversuche/);
    h.now += 16 * 60_000;
    expect((await browser.post('/login', { username: 'anna', password: PASSWORD })).status).toBe(303);
  });

  it('changes the password after re-checking the old one, and ends other sessions', async () => {
    await h.user('bernd');
    const laptop = h.client('192.0.2.40');
    const phone = h.client('192.0.2.41');
    await laptop.login('bernd');
    await phone.login('bernd');
    await laptop.get('/account');
    const wrong = await laptop.post('/account/password', {
      current: 'not it at all!',
      password: 'a new long password',
      repeat: 'a new long password',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Das aktuelle Passwort ist falsch.');
    const short = await laptop.post('/account/password', { current: PASSWORD, password: 'short', repeat: 'short' });
    expect(short.status).toBe(400);
    const ok = await laptop.post('/account/password', {
      current: PASSWORD,
      password: 'a new long password',
      repeat: 'a new long password',
    });
    expect(ok.status).toBe(303);
    expect((await laptop.get('/account')).status).toBe(200);
    expect((await phone.get('/account')).status).toBe(303);
    const audit = await listAudit(h.db.db, { action: 'user.password-change' });
    expect(audit).toHaveLength(1);
  });

  it('switches the language and keeps it for the user', async () => {
    await h.user('carla');
    const browser = h.client('192.0.2.50');
    await browser.login('carla');
    expect(browser.lastHtml).toContain('Ihre Depots');
    await browser.post('/language', { language: 'en', next: '/' });
    expect((await (await browser.get('/')).text()).includes('Your depots')).toBe(true);
    const other = h.client('192.0.2.51');
    await other.login('carla');
    expect(other.lastHtml).toContain('Your depots');
  });

  it('sends the security headers', async () => {
    const response = await h.client().get('/login');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });
});
