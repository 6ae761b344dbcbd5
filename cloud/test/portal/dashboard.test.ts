import { EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECENT_LIMIT } from '../../src/portal/dashboard/dashboard-live.js';
import { ALERT_HORIZON_MS, openAlerts } from '../../src/store/portal/alerts.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-events.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

/** The event ids of the #recent-movements list, in page order. */
function recentIds(html: string): number[] {
  const list = /<ul id="recent-movements"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/data-event-id="(\d+)"/g)].map((m) => Number(m[1]));
}

/** Reads server-sent events from a streaming response, one at a time. */
class EventReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async next(): Promise<{ event: string; data: string }> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .filter((line) => line.startsWith(`${name}: `))
            .map((line) => line.slice(name.length + 2))
            .join('\n');
        return { event: field('event'), data: field('data') };
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error('the stream ended');
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
}

describe.each(testDialects())('dashboard on %s', (dialect) => {
  let h: PortalHarness;
  let north: number;
  let south: number;
  let foreign: number;
  let dora: PortalClient;
  let reportsNorth: DepotReports;
  let reportsForeign: DepotReports;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Ferienwohnungen Ostsee');
    const other = await h.organisation('Fremd GmbH');
    north = await h.depot(org, 'Nord', 3);
    south = await h.depot(org, 'Süd', 2);
    foreign = await h.depot(other, 'Fremd', 2);
    const user = await h.user('dora', { organisationId: org });
    await h.grant(north, user, 'viewer');
    await h.grant(south, user, 'owner');
    dora = h.client('192.0.2.70');
    await dora.login('dora');
    reportsNorth = new DepotReports(h.db, north);
    reportsForeign = new DepotReports(h.db, foreign);
  });
  afterAll(() => h.dispose());

  it('lists only the user’s depots with state, compartments and their newest movements', async () => {
    await reportsNorth.status(h.now - 5_000, { compartments: 3, changes: { 3: { doorOpen: true, locked: false } } });
    await reportsNorth.events(h.now - 4_000, [
      { kind: EventKind.PinAccepted, compartment: 3, subject: 'pin 12' },
      { kind: EventKind.KeyRemoved, compartment: 3 },
    ]);
    await reportsForeign.events(h.now - 3_000, [{ kind: EventKind.KeyRemoved, compartment: 1, subject: 'foreign' }]);
    const html = await (await dora.get('/')).text();
    expect(html).toContain('Nord');
    expect(html).toContain('Süd');
    expect(html).not.toContain('Fremd');
    expect(html).not.toContain('foreign');
    expect(html).toContain('<script src="/static/live.js" defer="">');
    expect(html).toContain('data-live-src="/dashboard/live?page=1"');
    expect(html).toMatch(/<tr data-depot-id="\d+"/);
    expect(html).toContain('Tür offen');
    expect(html).toContain('entriegelt');
    const ids = recentIds(html);
    expect(ids).toHaveLength(2);
    // Newest arrival first; both are North's (the foreign depot's event is not there).
    expect(ids[0]).toBeGreaterThan(ids[1] as number);
    expect(html).toContain('Schlüssel entnommen');
    expect(html).toContain('0 von 2 Depots online · 0 offene Alarme');
  });

  it('derives open alerts from events and clears them by the closing event or a newer state', async () => {
    const at = h.now - 2_000;
    await reportsNorth.events(at, [
      { kind: EventKind.Tamper, compartment: 1 },
      { kind: EventKind.DoorLeftOpen, compartment: 2, subject: '120 s' },
      { kind: EventKind.LockoutStarted, subject: '30 s' },
    ]);
    const open = await openAlerts(h.db.db, [north, south], h.now);
    expect(open.map((a) => `${a.compartment}:${a.kind}`).sort()).toEqual(['0:lockout', '1:tamper', '2:door-left-open']);
    let html = await (await dora.get('/')).text();
    expect(html).toContain('Tür aufgebrochen');
    expect(html).toContain('Tür offen gelassen');
    expect(html).toContain('Tastensperre');
    expect(html).toContain('3 offene Alarme');

    // The door of compartment 1 closes; compartment 2 is reported closed by a newer STATUS; the lockout ends.
    await reportsNorth.events(at + 500, [
      { kind: EventKind.DoorClosed, compartment: 1 },
      { kind: EventKind.LockoutEnded, subject: 'elapsed' },
    ]);
    await reportsNorth.status(at + 600, { compartments: 3, changes: { 2: { doorOpen: false, keyPresent: false } } });
    expect(await openAlerts(h.db.db, [north], h.now)).toEqual([]);
    html = await (await dora.get('/')).text();
    expect(html).toContain('Keine offenen Alarme.');

    // A newer tamper opens a new alert even though an older close exists.
    await reportsNorth.events(at + 700, [{ kind: EventKind.Tamper, compartment: 1 }]);
    expect((await openAlerts(h.db.db, [north], h.now)).map((a) => a.kind)).toEqual(['tamper']);
    await reportsNorth.events(at + 800, [{ kind: EventKind.DoorClosed, compartment: 1 }]);
    // Over by the closing event alone: the stored state (at + 600) is older than the alert.
    expect(await openAlerts(h.db.db, [north], h.now)).toEqual([]);

    // A lockout known only from STATUS (its event still in the depot's outbox) is an alert until it is over.
    const reportsSouth = new DepotReports(h.db, south);
    await reportsSouth.status(at + 900, { compartments: 2, lockoutUntilMs: h.now + 60_000 });
    expect((await openAlerts(h.db.db, [south], h.now)).map((a) => a.kind)).toEqual(['lockout']);
    expect(await openAlerts(h.db.db, [south], h.now + 61_000)).toEqual([]);
    await reportsSouth.status(at + 1_000, { compartments: 2, lockoutUntilMs: 0 });
    expect(await openAlerts(h.db.db, [south], h.now)).toEqual([]);
    // An alert event older than the horizon is no longer listed (the compartment's state still shows).
    await reportsSouth.events(h.now - ALERT_HORIZON_MS - 1_000, [{ kind: EventKind.Tamper, compartment: 2 }]);
    expect(await openAlerts(h.db.db, [south], h.now)).toEqual([]);
    // Another organisation's alert is never among the user's.
    await reportsForeign.events(at, [{ kind: EventKind.Tamper, compartment: 2 }]);
    expect(await openAlerts(h.db.db, [north, south], h.now)).toEqual([]);
  });

  it('lists the newest movements across many depots exactly as a scan of all their events would', async () => {
    const org = await h.organisation('Hausverwaltung Viele');
    const user = await h.user('viktor', { organisationId: org });
    const depots: number[] = [];
    for (let i = 0; i < 30; i++) {
      const depotId = await h.depot(org, `Haus ${i}`, 2);
      await h.grant(depotId, user, 'viewer');
      depots.push(depotId);
    }
    // Interleaved arrivals: some depots busy, some quiet, some silent; equal arrival times tie-break by id.
    for (let round = 0; round < 6; round++) {
      for (const [i, depotId] of depots.entries()) {
        if (i % 7 === 3 || (round > 1 && i % 3 === 0)) continue;
        const reports = new DepotReports(h.db, depotId);
        await reports.events(h.now - 600_000 + round * 60_000 + (i % 4) * 1_000, [
          { kind: EventKind.KeyRemoved, compartment: 1 },
          { kind: EventKind.KeyReturned, compartment: 2 },
        ]);
      }
    }
    const viktor = h.client('192.0.2.72');
    await viktor.login('viktor');
    const expected = await h.db.db
      .selectFrom('events')
      .select('id')
      .where('depot_id', 'in', depots)
      .orderBy('received_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(RECENT_LIMIT)
      .execute();
    const html = await (await viktor.get('/')).text();
    expect(recentIds(html)).toEqual(expected.map((row) => Number(row.id)));
  });

  it('streams changes of the user’s depots, and only theirs, as server-sent events', async () => {
    const response = await dora.get('/dashboard/live?page=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const events = new EventReader(reader);
    try {
      const first = await events.next();
      expect(first.event).toBe('snapshot');
      const snapshot = JSON.parse(first.data);
      expect(snapshot.depots.map((d: { id: number }) => d.id).sort()).toEqual([north, south].sort());
      expect(snapshot.summary).toContain('von 2 Depots online');
      expect(snapshot.movements).toContain('data-event-id=');

      // A foreign movement, then one of the user's: the next message carries only the user's.
      await reportsForeign.events(h.now, [{ kind: EventKind.KeyReturned, compartment: 1, subject: 'not yours' }]);
      await reportsNorth.events(h.now, [{ kind: EventKind.KeyReturned, compartment: 2, subject: 'back again' }]);
      const next = JSON.parse((await events.next()).data);
      expect(next.movements).toContain('back again');
      expect(next.movements).not.toContain('not yours');
      const newest = recentIds(`<ul id="recent-movements">${next.movements}</ul>`)[0];
      const page = await (await dora.get('/')).text();
      expect(recentIds(page)[0]).toBe(newest);
      // Unchanged depots are not sent again.
      expect(next.depots ?? []).toEqual([]);

      // The user logs out: the stream says so and ends.
      await dora.post('/logout');
      expect((await events.next()).event).toBe('end');
      expect((await reader.read()).done).toBe(true);
    } finally {
      await reader.cancel().catch(() => undefined);
      await dora.login('dora');
    }
  });

  it('sends a visitor without a session to the login page instead of streaming', async () => {
    const anonymous = h.client('192.0.2.71');
    const response = await anonymous.get('/dashboard/live');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login/);
  });

  it('serves live.js as a script from its own origin', async () => {
    const response = await dora.get('/static/live.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    const body = await response.text();
    expect(body).toContain('new EventSource(root.dataset.liveSrc)');
    expect(body).toContain('recent-movements');
  });
});
