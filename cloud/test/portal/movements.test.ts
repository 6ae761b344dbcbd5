import { EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_KINDS, eventName } from '../../src/portal/depot/event-texts.js';
import { readMovementQuery } from '../../src/portal/depot/movement-query.js';
import { chartWindow, countPerDay } from '../../src/portal/depot/withdrawal-chart.js';
import { addDays, dayStartMs, localDate } from '../../src/portal/depot/zoned-days.js';
import { listMovements, type MovementCursor } from '../../src/store/portal/movements.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-events.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

const eventIds = (html: string) => [...html.matchAll(/<tr data-event-id="(\d+)"/g)].map((m) => Number(m[1]));
const link = (html: string, rel: 'next' | 'prev') =>
  new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;

describe('movement texts and days', () => {
  it('names every event kind in German and English', () => {
    for (const kind of EVENT_KINDS) {
      for (const lang of ['de', 'en'] as const) expect(eventName(lang, kind)).not.toMatch(/^#/);
      expect(eventName('de', kind)).not.toBe(eventName('en', kind));
    }
    expect(EVENT_KINDS).toHaveLength(15);
  });

  it('finds local day starts across daylight saving changes', () => {
    // Berlin goes to summer time on 2026-03-29 at 02:00: that day has 23 hours.
    expect(dayStartMs('2026-03-29', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23));
    expect(dayStartMs('2026-03-30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 22));
    expect(dayStartMs('2026-11-27', 'America/New_York')).toBe(Date.UTC(2026, 10, 27, 5));
    expect(localDate(Date.UTC(2026, 10, 28, 4, 30), 'America/New_York')).toBe('2026-11-27');
    expect(dayStartMs('2026-02-30', 'Europe/Berlin')).toBeNull();
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('counts withdrawals per local day of the depot', () => {
    const now = Date.UTC(2026, 10, 28, 9);
    const window = chartWindow(now, 'America/New_York');
    expect(window.days).toHaveLength(30);
    expect(window.days.at(-1)).toBe('2026-11-28');
    // 04:30 UTC on the 28th is the evening of the 27th in New York.
    const days = countPerDay(
      window.days,
      [
        { startMs: Date.UTC(2026, 10, 28, 4, 30), count: 2 },
        { startMs: Date.UTC(2026, 10, 28, 5, 0), count: 1 },
      ],
      'America/New_York',
    );
    expect(days.at(-2)).toMatchObject({ date: '2026-11-27', count: 2 });
    expect(days.at(-1)).toMatchObject({ date: '2026-11-28', count: 1 });
  });

  it('ignores bad filter values and reports them, keeping the good ones', () => {
    const depot = { compartmentCount: 4, timeZone: 'Europe/Berlin' };
    const query = readMovementQuery(
      { compartment: "1' OR 1=1 --", kind: '7', from: '2026-13-01', to: '2026-11-28', before: '1; DROP TABLE events' },
      depot,
    );
    expect(query.problems.sort()).toEqual(['compartment', 'cursor', 'date']);
    expect(query.filter).toEqual({ kind: 7, untilMs: dayStartMs('2026-11-29', 'Europe/Berlin') });
    expect(readMovementQuery({ compartment: '5' }, depot).problems).toEqual(['compartment']);
    expect(readMovementQuery({ kind: '99' }, depot).problems).toEqual(['kind']);
    expect(readMovementQuery({ from: '2026-11-28', to: '2026-11-01' }, depot).problems).toEqual(['range']);
  });
});

describe.each(testDialects())('movement list on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let foreign: number;
  let browser: PortalClient;
  const base = Date.UTC(2026, 10, 20, 12);

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation();
    depot = await h.depot(org, 'Ostsee', 3);
    foreign = await h.depot(await h.organisation(), 'Fremd', 3);
    await h.db.db.updateTable('depots').set({ time_zone: 'America/New_York' }).where('id', '=', depot).execute();
    await h.grant(depot, await h.user('ina', { organisationId: org }), 'viewer');
    browser = h.client('192.0.2.80');
    await browser.login('ina');
    // 120 movements, one an hour, cycling through compartments 1-3 and four kinds; pairs share a
    // depot time (a door opening and the key leaving in the same millisecond) so ties are paged by id.
    const kinds = [EventKind.PinAccepted, EventKind.DoorOpened, EventKind.KeyRemoved, EventKind.DoorClosed];
    const reports = new DepotReports(h.db, depot);
    await reports.events(
      base + 200 * 3_600_000,
      Array.from({ length: 120 }, (_, i) => ({
        kind: kinds[i % 4] as EventKind,
        compartment: (i % 3) + 1,
        timeMs: base + Math.floor(i / 2) * 3_600_000,
        subject: `m${i}`,
      })),
    );
    await new DepotReports(h.db, foreign).events(base, [{ kind: EventKind.KeyRemoved, compartment: 1 }]);
  });
  afterAll(() => h.dispose());

  it('pages through every movement newest first with keyset cursors, both ways', async () => {
    const seen: number[] = [];
    const pages: number[][] = [];
    let before: MovementCursor | undefined;
    for (;;) {
      const page = await listMovements(h.db.db, depot, {}, { ...(before ? { before } : {}), limit: 50 });
      pages.push(page.rows.map((m) => m.id));
      seen.push(...page.rows.map((m) => m.id));
      for (let i = 1; i < page.rows.length; i++) {
        const [a, b] = [page.rows[i - 1], page.rows[i]] as const;
        expect(a.depotTimeMs > b.depotTimeMs || (a.depotTimeMs === b.depotTimeMs && a.id > b.id)).toBe(true);
      }
      if (!page.older) break;
      before = page.older;
    }
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    // Back from the last page: the newer page is exactly the middle one.
    const last = await listMovements(h.db.db, depot, {}, { before: before as MovementCursor, limit: 50 });
    const back = await listMovements(h.db.db, depot, {}, { after: last.newer as MovementCursor, limit: 50 });
    expect(back.rows.map((m) => m.id)).toEqual(pages[1]);
    expect(back.newer).not.toBeNull();
  });

  it('follows the page links of the list and shows localized kinds', async () => {
    const first = await browser.get(`/depots/${depot}/movements`);
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(eventIds(html)).toHaveLength(50);
    expect(html).toContain('Schlüssel entnommen');
    expect(html).toContain('America/New_York');
    expect(link(html, 'prev')).toBeNull();
    const second = await (await browser.get(link(html, 'next') as string)).text();
    expect(eventIds(second)).toHaveLength(50);
    expect(eventIds(second)[0]).not.toBe(eventIds(html)[0]);
    const again = await (await browser.get(link(second, 'prev') as string)).text();
    expect(eventIds(again)).toEqual(eventIds(html));
    await browser.post('/language', { language: 'en', next: '/' });
    const english = await (await browser.get(`/depots/${depot}/movements?kind=${EventKind.KeyRemoved}`)).text();
    expect(english).toContain('Key removed');
    await browser.post('/language', { language: 'de', next: '/' });
  });

  it('filters by compartment, kind and local dates of the depot', async () => {
    const html = await (
      await browser.get(`/depots/${depot}/movements?compartment=2&kind=${EventKind.KeyRemoved}`)
    ).text();
    const rows = await listMovements(h.db.db, depot, { compartment: 2, kind: EventKind.KeyRemoved }, { limit: 200 });
    expect(rows.rows.length).toBe(10);
    expect(eventIds(html)).toEqual(rows.rows.map((m) => m.id));
    // 2026-11-20 in New York runs 05:00 UTC on the 20th to 05:00 UTC on the 21st: from 12:00 UTC
    // (event pair 0) to 04:00 UTC (pair 16), 17 pairs.
    const day = await (await browser.get(`/depots/${depot}/movements?from=2026-11-20&to=2026-11-20`)).text();
    expect(eventIds(day)).toHaveLength(34);
    expect(day).toContain('value="2026-11-20"');
  });

  it('shows a message and the list without the bad filter for odd or hostile values, never an error', async () => {
    for (const query of [
      'compartment=abc',
      "compartment=1'%20OR%201%3D1%20--",
      'kind=1%3B%20DROP%20TABLE%20events',
      'kind=99',
      'from=2026-02-30',
      "to=%25'%20--",
      'from=2026-11-28&to=2026-11-01',
      'before=zzz',
      'after=1.2.3',
      'compartment=99999999999999999999',
    ]) {
      const response = await browser.get(`/depots/${depot}/movements?${query}`);
      expect(response.status, query).toBe(200);
      const html = await response.text();
      expect(html, query).toContain('Einige Filterwerte wurden nicht verstanden');
      expect(eventIds(html).length, query).toBeGreaterThan(0);
    }
    const count = await h.db.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(121);
  });

  it('never lists another depot’s movements, even with its cursor', async () => {
    expect((await browser.get(`/depots/${foreign}/movements`)).status).toBe(404);
    const html = await (await browser.get(`/depots/${depot}/movements?before=${base + 10 ** 9}.999999`)).text();
    expect(html).not.toContain('Fremd');
  });
});
