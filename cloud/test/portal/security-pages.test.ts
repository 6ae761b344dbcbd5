/**
 * Every page of the portal, crawled from the route table: security headers,
 * no inline script, hostile names rendered as text, and hostile filter
 * values taken as values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../databases.js';
import { type CrawledPage, crawl, fetchPage, fingerprint, getForms } from './portal-crawl.js';
import { createPortalWorld, type PortalWorld } from './portal-world.js';

/** Both classic payloads in one value, behind a marker that says which field it came from. */
const payload = (marker: string) => `${marker}<script>alert(1)</script>"><img src=x onerror=alert(1)>`;
const escaped = (marker: string) =>
  `${marker}&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;`;
const FIELDS = ['xss-depot', 'xss-compartment', 'xss-user', 'xss-pin'];

const INJECTIONS = ["' OR 1=1 --", '1; DROP TABLE events', "%' --", '1 UNION SELECT password_hash FROM users'];

describe.each(testDialects())('portal pages on %s', (dialect) => {
  let world: PortalWorld;
  let pages: CrawledPage[];
  beforeAll(async () => {
    world = await createPortalWorld(dialect);
    const { db } = world.h.db;
    const { depotId, pinId, userId } = world.own;
    await db
      .updateTable('depots')
      .set({ name: payload('xss-depot') })
      .where('id', '=', depotId)
      .execute();
    await db
      .updateTable('compartments')
      .set({ label: payload('xss-compartment') })
      .where('depot_id', '=', depotId)
      .execute();
    await db
      .updateTable('users')
      .set({ display_name: payload('xss-user') })
      .where((eb) => eb.or([eb('id', '=', userId), eb('username', '=', 'actor-owner')]))
      .execute();
    await db
      .updateTable('pins')
      .set({ label: payload('xss-pin') })
      .where('id', '=', pinId)
      .execute();
    pages = await crawl(world, world.h.portal.routes, ['anonymous', 'owner', 'operator']);
    pages.push(await fetchPage(world, 'owner', '/no/such/page'));
  });
  afterAll(() => world.h.dispose());

  it('sends the CSP and the other security headers on every page, and no page has an inline script', () => {
    expect(pages.filter((p) => p.html !== null && p.status === 200).length).toBeGreaterThan(3);
    for (const page of pages) {
      const where = `${page.actor} ${page.path} (${page.status})`;
      expect(page.headers.get('content-security-policy'), where).toMatch(/script-src 'self'(;|$)/);
      expect(page.headers.get('content-security-policy'), where).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(page.headers.get('x-content-type-options'), where).toBe('nosniff');
      expect(page.headers.get('x-frame-options'), where).toBe('DENY');
      if (page.html === null) continue;
      expect(page.html.match(/<script\b(?![^>]*\bsrc=)[^>]*>/gi), where).toBeNull();
      // Inline event handlers and style attributes are inline script/style too: the CSP would block them.
      expect(page.html.match(/\s(on[a-z]+|style)="/gi), where).toBeNull();
    }
  });

  it('renders a depot, compartment, user and PIN named like an attack as text on every page that shows them', () => {
    const shownOn = new Map<string, string[]>(FIELDS.map((f) => [f, []]));
    for (const page of pages) {
      if (page.html === null) continue;
      const where = `${page.actor} ${page.path}`;
      expect(page.html, where).not.toMatch(/<script>alert|<img src=x|onerror=alert\(1\)>/);
      for (const field of FIELDS) {
        if (!page.html.includes(field)) continue;
        // Wherever the marker shows, the whole value follows it, escaped (also inside attributes).
        const occurrences = page.html.split(field).length - 1;
        expect(page.html.split(escaped(field)).length - 1, `${field} on ${where}`).toBe(occurrences);
        shownOn.get(field)?.push(where);
      }
    }
    for (const [field, where] of shownOn) expect(where.length, `${field} shown on no crawled page`).toBeGreaterThan(0);
  });

  it('takes SQL injection strings in every filter field as values (no 500, the store unchanged)', async () => {
    const before = await fingerprint(world.h.db.db);
    const tried = new Set<string>();
    const failures: string[] = [];
    for (const page of pages.filter((p) => p.html !== null && p.status === 200 && p.actor !== 'anonymous')) {
      for (const form of getForms(page)) {
        for (const field of form.fields) {
          for (const injection of INJECTIONS) {
            const url = `${form.action}?${new URLSearchParams({ [field]: injection })}`;
            if (tried.has(`${page.actor} ${url}`)) continue;
            tried.add(`${page.actor} ${url}`);
            const response = await fetchPage(world, page.actor, url);
            if (response.status >= 500) failures.push(`${page.actor} ${url}: ${response.status}`);
          }
        }
      }
    }
    expect(tried.size, 'no filter form found on any page').toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(await fingerprint(world.h.db.db)).toBe(before);
    const counts = await world.h.db.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(counts.n)).toBe(8);
  });
});
