/**
 * The portal in a real browser against the real system: Chromium logs in,
 * creates a one-time PIN, the simulated depot (real firmware) receives it, the
 * PIN is typed on its keypad, the compartment opens, and the movement appears
 * on the dashboard without a reload. Then the workshop flow: a customer, an
 * invoice for compartment 3, marked paid in cash with its PIN released, the
 * depot opens for that PIN, and the customer page shows the pickup.
 * Screenshots go to test-results/screenshots.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_COOKIE, totpCode } from '@keydepot/cloud';
import { CommandKind, EventKind } from '@keydepot/shared';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from './system.js';

const CHROMIUM = process.env.KEYDEPOT_CHROMIUM ?? '/usr/bin/chromium';
/** CI (.ci/run) sets it: there a missing browser fails the run instead of skipping this test. */
const REQUIRED = process.env.KEYDEPOT_REQUIRE_BROWSER === '1';
const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const png = readFileSync(file);
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`).toBe(true);
  expect(png.length).toBeGreaterThan(2_000);
}

describe.skipIf(!REQUIRED && !existsSync(CHROMIUM))('the portal in Chromium', () => {
  let system: RunningSystem | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('creates a PIN that opens the depot, shows the movement live, and runs an invoice from customer to pickup', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`KEYDEPOT_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
    system = await startSystem();
    const { cloud, fleet, bundle, baseUrl } = system;
    const depotId = bundle.depotId;
    const db = cloud.store.db;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
    });
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    // Every step here takes well under a second; a missing element should fail fast, not after 30 s.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${message.text()} (${message.location().url})`);
    });

    // Log in through the form; the __Host- cookie is Secure, and Chromium takes it over http://127.0.0.1 (loopback counts as secure).
    await page.goto(`${baseUrl}/login`);
    await page.fill('input[name="username"]', system.username);
    await page.fill('input[name="password"]', system.password);
    await Promise.all([
      page.waitForURL(`${baseUrl}/login/second-factor`),
      page.click('main form button[type="submit"]'),
    ]);
    // The admin is a service operator: always a second factor (its app is set up by system.ts).
    await page.fill('input[name="code"]', totpCode(system.totpSecret, Date.now()));
    await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('form[action="/login/second-factor/totp"] button')]);
    const session = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(session?.secure).toBe(true);
    expect(session?.httpOnly).toBe(true);
    await expect
      .poll(async () => (await db.selectFrom('depots').select('online').executeTakeFirst())?.online, {
        timeout: 10_000,
      })
      .toBe(1);

    // A one-time PIN for compartment 2, created on the PIN page; the digits are shown once.
    await page.goto(`${baseUrl}/depots/${depotId}/pins/new`);
    await page.check('input[name="kind"][value="one-time"]');
    await page.selectOption('select[name="compartment"]', '2');
    await page.fill('input[name="label"]', 'Kunde Weber');
    await Promise.all([page.waitForSelector('#pin-digits'), page.click('form.pin-form button[type="submit"]')]);
    const digits = ((await page.textContent('#pin-digits')) ?? '').replace(/\D/g, '');
    expect(digits).toMatch(/^\d{6,9}$/);

    // The depot has it once its PinAdd command is applied.
    await expect
      .poll(
        async () =>
          (
            await db
              .selectFrom('commands')
              .select('state')
              .where('depot_id', '=', depotId)
              .where('kind', '=', CommandKind.PinAdd)
              .executeTakeFirst()
          )?.state,
        { timeout: 10_000 },
      )
      .toBe('applied');

    // The dashboard is open while the customer comes: what happens must show up there without a reload.
    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('#recent-movements');
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const shownBefore = await page.$$eval('#recent-movements [data-event-id]', (rows) =>
      rows.map((r) => r.getAttribute('data-event-id')),
    );

    const { hardware } = fleet.depot(depotId);
    const box = hardware.compartment(2);
    hardware.keypad.type(`${digits}#`);
    await expect.poll(() => box.lock.pulses.length, { timeout: 5_000 }).toBe(1);
    expect(box.openDoor()).toBe(true);
    expect(box.takeKey()).toBe(true);
    box.closeDoor();

    // The key removal the depot reported, as the cloud stored it, must show up in the open page.
    const removal = async () =>
      (
        await db
          .selectFrom('events')
          .select('id')
          .where('depot_id', '=', depotId)
          .where('kind', '=', EventKind.KeyRemoved)
          .where('compartment', '=', 2)
          .executeTakeFirst()
      )?.id;
    await expect.poll(removal, { timeout: 10_000 }).toBeDefined();
    await page.waitForSelector(`#recent-movements [data-event-id="${await removal()}"]`);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const shown = await page.$$eval('#recent-movements [data-event-id]', (rows) =>
      rows.map((r) => r.getAttribute('data-event-id')),
    );
    expect(shown.filter((id) => !shownBefore.includes(id)).length).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'dashboard');

    // The compartment is shown locked again once the pulse is over (the relock's STATUS).
    await page.goto(`${baseUrl}/depots/${depotId}`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.textContent('tr[data-compartment="2"]');
        },
        { timeout: 10_000 },
      )
      .toMatch(/Tür zu\s*Schlüssel weg\s*verriegelt/);

    await screenshot(page, 'depot');

    // The workshop's flow: Herr Müller, an invoice for the key in compartment 3, paid in cash, PIN released.
    await page.goto(`${baseUrl}/customers`);
    await page.waitForURL(/\/organisations\/\d+\/customers$/);
    await page.click('main a[href$="/customers/new"]');
    await page.fill('input[name="name"]', 'Herr Müller');
    await page.fill('input[name="email"]', 'mueller@example.org');
    await page.fill('input[name="phone"]', '0171 2345678');
    await page.fill('input[name="plate"]', 'S-KM 4711');
    await Promise.all([page.waitForURL(/\/customers\/\d+\?done=created$/), page.click('main form button.primary')]);
    const customerUrl = page.url().replace(/\?.*$/, '');
    await page.click('main a[href*="/invoices/new?customer="]');
    await page.selectOption('select[name="depot"]', String(depotId));
    await page.fill('input[name="compartment"]', '3');
    await page.fill('input[name="line0.text"]', 'Inspektion');
    await page.fill('input[name="line0.quantity"]', '1');
    await page.fill('input[name="line0.price"]', '189,00');
    await Promise.all([page.waitForURL(/\/invoices\/\d+$/), page.click('main form.invoice-form button.primary')]);
    expect(await page.textContent('[data-gross]')).toContain('224,91');
    await page.click('main form[action$="/issue"] button');
    await page.waitForSelector('text=/Ausgestellt als R-\\d{4}-0001/');
    await page.selectOption('select[name="method"]', 'cash');
    await Promise.all([page.waitForSelector('[data-pin-digits]'), page.click('main form[action$="/pay"] button')]);
    const invoiceUrl = page.url().replace(/\/pay$/, ''); // the page answered the POST
    const invoicePin = ((await page.textContent('[data-pin-digits]')) ?? '').replace(/\D/g, '');
    expect(invoicePin).toMatch(/^\d{8}$/);
    await screenshot(page, 'invoice-paid');
    const pinId = (
      await db.selectFrom('invoices').select('pin_id').where('pin_id', 'is not', null).executeTakeFirstOrThrow()
    ).pin_id;
    await expect
      .poll(
        async () =>
          (
            await db
              .selectFrom('pins as p')
              .innerJoin('commands as c', (j) =>
                j.onRef('c.depot_id', '=', 'p.depot_id').onRef('c.id', '=', 'p.command_id'),
              )
              .select('c.state')
              .where('p.id', '=', pinId ?? 0)
              .executeTakeFirst()
          )?.state,
        { timeout: 10_000 },
      )
      .toBe('applied');

    // Herr Müller comes after hours: the depot opens compartment 3 for the PIN, he takes the key.
    const three = hardware.compartment(3);
    hardware.keypad.type(`${invoicePin}#`);
    await expect.poll(() => three.lock.pulses.length, { timeout: 5_000 }).toBe(1);
    expect(three.openDoor()).toBe(true);
    expect(three.takeKey()).toBe(true);
    three.closeDoor();
    const spent = async () =>
      (
        await db
          .selectFrom('events')
          .select('id')
          .where('depot_id', '=', depotId)
          .where('kind', '=', EventKind.PinSpent)
          .where('subject', '=', `pin:${pinId}`)
          .executeTakeFirst()
      )?.id;
    await expect.poll(spent, { timeout: 10_000 }).toBeDefined();
    await page.goto(invoiceUrl);
    await page.waitForSelector('[data-picked-up]');
    expect(await page.textContent('h1 .badge')).toContain('abgeholt');
    await page.goto(customerUrl);
    const pickup = page.locator(`.customer-pins [data-pin-id="${pinId}"]`);
    await expect
      .poll(async () => (await pickup.textContent()) ?? '', { timeout: 5_000 })
      .toContain('Schlüssel entnommen');
    await screenshot(page, 'customer');

    // The new-PIN form shows only the chosen kind's fields, without script.
    await page.goto(`${baseUrl}/depots/${depotId}/pins/new`);
    await page.check('input[name="kind"][value="weekly"]');
    expect(await page.isVisible('input[name="day_1"]')).toBe(true);
    expect(await page.isVisible('select[name="duration"]')).toBe(false);
    await page.check('input[name="kind"][value="offline"]');
    expect(await page.isVisible('select[name="duration"]')).toBe(true);
    expect(await page.isVisible('input[name="day_1"]')).toBe(false);
    expect(await page.isVisible('input[name="until_date"]')).toBe(false);
    await page.check('input[name="kind"][value="one-time"]');
    expect(await page.isVisible('input[name="until_date"]')).toBe(true);
    expect(await page.isVisible('select[name="duration"]')).toBe(false);

    // Every page in both languages, as a full-page screenshot for a person to read.
    const firstPinId = (
      await db.selectFrom('pins').select('id').where('depot_id', '=', depotId).orderBy('id').executeTakeFirstOrThrow()
    ).id;
    const commandId = (
      await db.selectFrom('commands').select('id').where('depot_id', '=', depotId).executeTakeFirstOrThrow()
    ).id;
    const pages: Array<[string, string]> = [
      ['dashboard', '/'],
      ['depot', `/depots/${depotId}`],
      ['movements', `/depots/${depotId}/movements`],
      ['pins', `/depots/${depotId}/pins`],
      ['pin', `/depots/${depotId}/pins/${firstPinId}`],
      ['pin-new', `/depots/${depotId}/pins/new`],
      ['command', `/depots/${depotId}/commands/${commandId}`],
      ['remote-open', `/depots/${depotId}/open`],
      ['users', `/depots/${depotId}/users`],
      ['settings', `/depots/${depotId}/settings`],
      ['audit', '/audit'],
      ['audit-system', '/audit?system=1'],
      ['account', '/account'],
      ['customer', customerUrl.replace(baseUrl, '')],
      ['invoice', invoiceUrl.replace(baseUrl, '')],
    ];
    // State and command words the German pages must not show in English.
    const english =
      /\b(queued|applied|sent|expired|rejected|failed|locked|unlocked|door open|door closed|key in|key out|on its way|revoked)\b/i;
    for (const lang of ['de', 'en'] as const) {
      if (lang === 'en') {
        await page.goto(`${baseUrl}/`);
        await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('form.lang button')]);
      }
      for (const [name, path] of pages) {
        const response = await page.goto(`${baseUrl}${path}`);
        expect(response?.status(), `${lang} ${path}`).toBe(200);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        const text = (await page.textContent('main')) ?? '';
        if (lang === 'de') expect(text, path).not.toMatch(english);
        if (name === 'movements') {
          expect(text).toContain(lang === 'de' ? '„Kunde Weber“ (Einmal-PIN)' : '“Kunde Weber” (One-time PIN)');
          expect(text).not.toMatch(/pin:\d|cmd:\d/);
        }
        if (name.startsWith('audit')) {
          expect(text).not.toMatch(/\w+Ms:|null|[0-9a-f]{32}|schedule/);
        }
        if (name === 'audit') {
          expect(text).toContain(
            lang === 'de'
              ? 'hat für Fach 2 eine Einmal-PIN angelegt („Kunde Weber“)'
              : 'created a one-time PIN for compartment 2 (“Kunde Weber”)',
          );
        }
        await screenshot(page, `${lang}-${name}`);
      }
    }
    expect(pageErrors).toEqual([]);
  });
});
