import { CommandKind, EventKind, PinKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { findDepotById } from '../../src/store/depots.js';
import { compartmentsOf } from '../../src/store/portal/dashboard.js';
import { queueCommand } from '../../src/store/relay/commands.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-events.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

const DAY = 86_400_000;

describe.each(testDialects())('depot page and settings on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let foreign: number;
  let owner: PortalClient;
  let viewer: PortalClient;
  let manager: PortalClient;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Fremd GmbH');
    depot = await h.depot(org, 'Werkstatt Nord', 4);
    foreign = await h.depot(other, 'Fremddepot', 2);
    for (const [name, role] of [
      ['olga', 'owner'],
      ['vera', 'viewer'],
      ['mark', 'manager'],
    ] as const) {
      await h.grant(depot, await h.user(name, { organisationId: org }), role);
    }
    owner = h.client('192.0.2.61');
    viewer = h.client('192.0.2.62');
    manager = h.client('192.0.2.63');
    await owner.login('olga');
    await viewer.login('vera');
    await manager.login('mark');
  });
  afterAll(() => h.dispose());

  it('shows master data, compartments, withdrawals per day, movements and commands (never PIN digits)', async () => {
    const reports = new DepotReports(h.db, depot);
    await reports.status(h.now - 60_000, { compartments: 4, changes: { 2: { doorOpen: true, keyPresent: false } } });
    // Two withdrawals yesterday, one today, one 40 days ago (outside the chart).
    await reports.events(h.now - 40 * DAY, [{ kind: EventKind.KeyRemoved, compartment: 1 }]);
    await reports.events(h.now - DAY, [
      { kind: EventKind.PinAccepted, compartment: 2, subject: 'pin 7' },
      { kind: EventKind.KeyRemoved, compartment: 2 },
    ]);
    await reports.events(h.now - 1000, [{ kind: EventKind.KeyRemoved, compartment: 3 }]);
    await queueCommand(
      h.db,
      depot,
      {
        command: CommandKind.PinAdd,
        pinId: 41,
        pinKind: PinKind.OneTime,
        compartment: 2,
        digits: '48291573',
        validFromMs: 0,
        validUntilMs: 0,
        schedule: [],
      },
      { nowMs: h.now },
    );
    const response = await viewer.get(`/depots/${depot}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Werkstatt Nord');
    expect(html).toContain('Europe/Berlin');
    expect(html).toContain('1.2.3');
    expect(html).toContain('Tür offen');
    expect(html).toContain('Schlüssel weg');
    // 2 withdrawals in the window, on 2 days: the pickup in compartment 2 (key sensor) counts once,
    // as its key removal, not again as its accepted PIN; the 40-day-old one is outside.
    expect(html).toContain('2 Entnahmen (Schlüssel entnommen oder PIN angenommen) an 2 Tagen.');
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html.match(/<rect /g)).toHaveLength(30);
    expect(html).toContain('PIN angenommen');
    expect(html).toContain('PIN senden</a> · Fach 2');
    expect(html).toContain('wartend');
    expect(html).not.toContain('48291573');
    expect(html).not.toMatch(/ style="/);
    expect(html).toContain(`href="/audit?depot=${depot}"`);
    // Links to what only stronger roles may do are not offered to a viewer.
    expect(html).not.toContain(`/depots/${depot}/settings`);
    const ownerHtml = await (await owner.get(`/depots/${depot}`)).text();
    for (const path of ['pins', 'open', 'users', 'settings', 'movements']) {
      expect(ownerHtml).toContain(`href="/depots/${depot}/${path}"`);
    }
  });

  it('lists a queued OPEN whose minute is over as expired, as the command page does, before the relay marks it', async () => {
    const id = await queueCommand(
      h.db,
      depot,
      { command: CommandKind.Open, compartment: 3 },
      { nowMs: h.now, notAfterMs: h.now + 60_000 },
    );
    const stateOf = async () => {
      const html = await (await viewer.get(`/depots/${depot}`)).text();
      const row = new RegExp(`<tr data-command-id="${id}">(.*?)</tr>`, 's').exec(html)?.[1] ?? '';
      return /<span class="badge [a-z]+">([^<]+)<\/span>/.exec(row)?.[1] ?? null;
    };
    expect(await stateOf()).toBe('wartend');
    h.now += 61_000;
    try {
      expect(await stateOf()).toBe('abgelaufen');
      const stored = await h.db.db.selectFrom('commands').select('state').where('id', '=', id).executeTakeFirst();
      expect(stored?.state).toBe('queued');
    } finally {
      h.now -= 61_000;
    }
  });

  it('answers 404 for a foreign or unknown depot and a malformed id', async () => {
    expect((await owner.get(`/depots/${foreign}`)).status).toBe(404);
    expect((await owner.get(`/depots/${foreign}/movements`)).status).toBe(404);
    expect((await owner.get(`/depots/${foreign}/settings`)).status).toBe(404);
    expect((await owner.get('/depots/999999')).status).toBe(404);
    expect((await owner.get('/depots/1abc')).status).toBe(404);
  });

  it('lets only the owner edit master data (403 for viewer and manager, also for POST)', async () => {
    expect((await viewer.get(`/depots/${depot}/settings`)).status).toBe(403);
    expect((await manager.get(`/depots/${depot}/settings`)).status).toBe(403);
    await manager.get(`/depots/${depot}`);
    const post = await manager.post(`/depots/${depot}/settings`, { name: 'Hijacked', timeZone: 'Europe/Berlin' });
    expect(post.status).toBe(403);
    expect((await findDepotById(h.db.db, depot))?.name).toBe('Werkstatt Nord');
  });

  it('saves master data and labels with an audit entry of what changed', async () => {
    const form = await owner.get(`/depots/${depot}/settings`);
    expect(form.status).toBe(200);
    const saved = await owner.post(`/depots/${depot}/settings`, {
      name: 'Werkstatt Nord-Ost',
      address: 'Hafenstraße 1, 20457 Hamburg',
      timeZone: 'Europe/Lisbon',
      'label-1': 'Golf HH-AB 123',
      'label-2': '',
      'label-3': '',
      'label-4': '',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/depots/${depot}?saved=1`);
    const after = await findDepotById(h.db.db, depot);
    expect(after).toMatchObject({ name: 'Werkstatt Nord-Ost', address: 'Hafenstraße 1, 20457 Hamburg' });
    expect(after?.timeZone).toBe('Europe/Lisbon');
    expect((await compartmentsOf(h.db.db, [depot]))[0]?.label).toBe('Golf HH-AB 123');
    const [entry] = await listAudit(h.db.db, { action: 'depot.update', depotId: depot });
    expect(entry?.before).toEqual({
      name: 'Werkstatt Nord',
      address: '',
      time_zone: 'Europe/Berlin',
      'compartment 1': '',
    });
    expect(entry?.after).toMatchObject({ name: 'Werkstatt Nord-Ost', 'compartment 1': 'Golf HH-AB 123' });
    expect(entry?.actorUserId).not.toBeNull();
    expect(entry?.address).toBe('192.0.2.61');
    const page = await (await owner.get(`/depots/${depot}?saved=1`)).text();
    expect(page).toContain('Gespeichert.');
    expect(page).toContain('Golf HH-AB 123');
  });

  it('re-renders the form with every message on bad input and changes nothing', async () => {
    const before = await findDepotById(h.db.db, depot);
    const auditBefore = (await listAudit(h.db.db, { depotId: depot })).length;
    await owner.get(`/depots/${depot}/settings`);
    const bad = await owner.post(`/depots/${depot}/settings`, {
      name: '   ',
      address: 'x'.repeat(501),
      timeZone: "Europe/Nowhere' OR 1=1 --",
      'label-1': 'y'.repeat(101),
    });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Bitte füllen Sie dieses Feld aus.');
    expect(html).toContain('Höchstens 500 Zeichen.');
    expect(html).toContain('Höchstens 100 Zeichen.');
    expect(html).toContain('Bitte wählen Sie eine Zeitzone wie Europe/Berlin.');
    expect(await findDepotById(h.db.db, depot)).toEqual(before);
    expect((await compartmentsOf(h.db.db, [depot]))[0]?.label).toBe('Golf HH-AB 123');
    expect(await listAudit(h.db.db, { depotId: depot })).toHaveLength(auditBefore);
  });

  it('writes no audit entry when nothing changed', async () => {
    const auditBefore = (await listAudit(h.db.db, { depotId: depot })).length;
    const depotNow = await findDepotById(h.db.db, depot);
    await owner.get(`/depots/${depot}/settings`);
    const same = await owner.post(`/depots/${depot}/settings`, {
      name: depotNow?.name ?? '',
      address: depotNow?.address ?? '',
      timeZone: depotNow?.timeZone ?? '',
      'label-1': 'Golf HH-AB 123',
    });
    expect(same.status).toBe(303);
    expect(await listAudit(h.db.db, { depotId: depot })).toHaveLength(auditBefore);
  });

  it('renders names and labels escaped', async () => {
    await owner.get(`/depots/${depot}/settings`);
    await owner.post(`/depots/${depot}/settings`, {
      name: '<script>alert(1)</script>',
      timeZone: 'Europe/Berlin',
      'label-2': '"><img src=x onerror=alert(1)>',
    });
    const html = await (await viewer.get(`/depots/${depot}`)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<img src=x');
  });
});
