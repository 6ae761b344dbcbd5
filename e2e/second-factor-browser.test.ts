/**
 * Second factors in a real browser against the real system: Chromium's
 * virtual authenticator (DevTools protocol, WebAuthn domain) registers a
 * passkey on the account page, the user logs out and back in with the passkey
 * alone; then an authenticator app is set up from the key the page shows and
 * its codes (computed here, as a phone would) log in after the password.
 *
 * The portal is opened as http://localhost, not 127.0.0.1: WebAuthn refuses an
 * IP address as relying party id, and Chromium treats localhost as a secure
 * context (so WebAuthn and the __Host- cookie work without TLS).
 */
import { existsSync } from 'node:fs';
import { totpCode } from '@keydepot/cloud';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from './system.js';

const CHROMIUM = process.env.KEYDEPOT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.KEYDEPOT_REQUIRE_BROWSER === '1';
const STEP_MS = 30_000;

describe.skipIf(!REQUIRED && !existsSync(CHROMIUM))('second factors in Chromium', () => {
  let system: RunningSystem | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('registers a passkey, logs in with it alone, and sets up an authenticator app whose codes log in', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`KEYDEPOT_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
    system = await startSystem();
    const base = system.baseUrl.replace('127.0.0.1', 'localhost');
    const db = system.cloud.store.db;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
    });
    const context = await browser.newContext({ locale: 'de-DE' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${message.text()} (${message.location().url})`);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    // Password, then the admin's authenticator app (an operator always needs a second factor).
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', system.username);
    await page.fill('input[name="password"]', system.password);
    await Promise.all([page.waitForURL(`${base}/login/second-factor`), page.click('main form button[type="submit"]')]);
    await page.fill('input[name="code"]', totpCode(system.totpSecret, Date.now()));
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login/second-factor/totp"] button')]);

    // A passkey, named, registered with the virtual authenticator; the first gets the recovery codes.
    await page.goto(`${base}/account`);
    await page.fill('form[data-passkey="register"] input[name="name"]', 'Laptop');
    await Promise.all([
      page.waitForURL(`${base}/account/passkeys`),
      page.click('form[data-passkey="register"] button[type="submit"]'),
    ]);
    expect(await page.$$eval('#recovery-codes li', (items) => items.length)).toBe(10);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    const stored = await db.selectFrom('passkeys').select(['name', 'removed_at_ms']).execute();
    expect(stored).toEqual([{ name: 'Laptop', removed_at_ms: null }]);

    // Out, and back in with the passkey alone (no user name typed).
    await page.goto(`${base}/account`);
    await Promise.all([page.waitForURL(`${base}/login?done=logout`), page.click('form.logout button')]);
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login/passkey"] button[type="submit"]')]);
    await page.goto(`${base}/account`);
    expect(await page.inputValue('.passkeys input[name="name"]')).toBe('Laptop');
    const login = await db
      .selectFrom('audit_log')
      .select('after_json')
      .where('action', '=', 'user.login')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(login.after_json ?? '{}')).toEqual({ method: 'passkey' });

    // The authenticator app again, from scratch: remove it, set it up from the key shown, confirm with a code.
    await Promise.all([
      page.waitForURL(`${base}/account?done=totp-removed`),
      page.click('form[action="/account/totp/remove"] button'),
    ]);
    await Promise.all([
      page.waitForURL(`${base}/account/totp`),
      page.click('form[action="/account/totp/start"] button'),
    ]);
    expect(await page.$('.qr-code svg')).not.toBeNull();
    const secret = ((await page.textContent('#totp-secret')) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const now = Date.now();
    await page.fill('input[name="code"]', totpCode(secret, now));
    await Promise.all([
      page.waitForURL(`${base}/account?done=totp-enabled`),
      page.click('main form button[type="submit"]'),
    ]);
    expect(await page.textContent('#totp-state')).toBe('Eingerichtet');

    // Out, password, and a code of the app: the next step's (the one just used is spent).
    await Promise.all([page.waitForURL(`${base}/login?done=logout`), page.click('form.logout button')]);
    await page.fill('input[name="username"]', system.username);
    await page.fill('input[name="password"]', system.password);
    await Promise.all([page.waitForURL(`${base}/login/second-factor`), page.click('main form button[type="submit"]')]);
    await page.fill('input[name="code"]', totpCode(secret, Math.max(Date.now(), now + STEP_MS)));
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login/second-factor/totp"] button')]);
    expect(pageErrors).toEqual([]);
  });
});
