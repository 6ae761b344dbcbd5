import {
  type CommandBody,
  CommandKind,
  CommandStatus,
  EventKind,
  OfflinePinMatcher,
  type PinAddBody,
  PinKind,
} from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depotOfflineKey } from '../../src/keys/offline-master-key.js';
import { listAudit } from '../../src/store/audit.js';
import { findDepotById } from '../../src/store/depots.js';
import { expireQueuedCommands } from '../../src/store/relay/commands.js';
import { sweepOffline } from '../../src/store/relay/presence.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-reports.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

const digitsIn = (html: string) => /id="pin-digits"[^>]*>(\d+)</.exec(html)?.[1] ?? null;
const stateIn = (html: string) => /data-state="([a-z-]+)"/.exec(html)?.[1] ?? null;

describe.each(testDialects())('portal PINs on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let otherDepot: number;
  let manager: PortalClient;
  let viewer: PortalClient;

  const pinRows = () => h.db.db.selectFrom('pins').selectAll().orderBy('id').execute();
  const commandRows = () => h.db.db.selectFrom('commands').selectAll().orderBy('depot_id').orderBy('id').execute();
  const commandOf = async (depotId: number, id: number) => {
    const row = await h.db.db
      .selectFrom('commands')
      .selectAll()
      .where('depot_id', '=', depotId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { ...row, body: JSON.parse(row.payload) as CommandBody };
  };
  const lastPin = async () => (await pinRows()).at(-1) as Awaited<ReturnType<typeof pinRows>>[number];
  /** Creates a PIN through the form; returns its id and digits. */
  const create = async (fields: Record<string, string>, client = manager) => {
    await client.get(`/depots/${depot}/pins/new`);
    const response = await client.post(`/depots/${depot}/pins`, fields);
    const html = await response.text();
    expect(response.status, html.slice(0, 2000)).toBe(200);
    return { id: Number((await lastPin()).id), digits: digitsIn(html) as string, html };
  };

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    depot = await h.depot(org, 'Werkstatt Süd');
    otherDepot = await h.depot(org, 'Filiale Nord');
    const mara = await h.user('mara', { organisationId: org });
    const vera = await h.user('vera', { organisationId: org });
    await h.grant(depot, mara, 'manager');
    await h.grant(depot, vera, 'viewer');
    manager = h.client('192.0.2.40');
    viewer = h.client('192.0.2.41');
    await manager.login('mara');
    await viewer.login('vera');
  });
  afterAll(() => h.dispose());

  it('creates a one-time PIN: 8 digits shown once, stored only sealed, queued as PIN_ADD with the row id, audited without digits', async () => {
    const pokes = h.pokes;
    const form = await manager.get(`/depots/${depot}/pins/new`);
    expect(form.status).toBe(200);
    const { id, digits, html } = await create({ kind: 'one-time', compartment: '2', label: 'Herr Maier, WOB-K 123' });
    expect(digits).toMatch(/^\d{8}$/);
    expect(html).toContain('Herr Maier');
    const row = await lastPin();
    expect(row).toMatchObject({ depot_id: depot, compartment: 2, kind: 'one-time', state: 'queued' });
    const sealed = Buffer.from(row.digits_sealed as Uint8Array);
    expect(sealed.length).toBeGreaterThan(40);
    expect(sealed.includes(Buffer.from(digits))).toBe(false);
    expect(h.deps.sealer.open(sealed, `pins.digits_sealed:${id}`)).toBe(digits);
    const command = await commandOf(depot, Number(row.command_id));
    expect(command.kind).toBe(CommandKind.PinAdd);
    // The PIN_ADD carries the digits only sealed, under the command's own place (issue 14).
    expect(command.body).toMatchObject({ pinId: id, pinKind: PinKind.OneTime, compartment: 2 });
    expect(command.payload).not.toContain(digits);
    const secret = Buffer.from(command.secret_sealed as Uint8Array);
    expect(secret.includes(Buffer.from(digits))).toBe(false);
    expect(h.deps.sealer.open(secret, `commands.secret_sealed:${depot}/${command.id}`)).toBe(
      JSON.stringify({ digits }),
    );
    expect(command.state).toBe('queued');
    expect(h.pokes).toBe(pokes + 1);
    const [audit] = await listAudit(h.db.db, { action: 'pin.create', depotId: depot });
    expect(audit).toMatchObject({ actor: 'user', subject: `pin ${id}`, address: '192.0.2.40' });
    expect(JSON.stringify(audit)).not.toContain(digits);

    // Later pages never show the digits again.
    const detail = await manager.get(`/depots/${depot}/pins/${id}`);
    const detailHtml = await detail.text();
    expect(detail.status).toBe(200);
    expect(detailHtml).not.toContain(digits);
    expect(stateIn(detailHtml)).toBe('queued');
    expect(await (await viewer.get(`/depots/${depot}/pins`)).text()).not.toContain(digits);
  });

  it('follows the state through the relay: applied on the depot, then spent; a refused PIN_ADD shows as failed', async () => {
    const depotReports = new DepotReports(h.db, depot);
    const { id } = await create({ kind: 'one-time', compartment: '3' });
    const commandId = Number((await lastPin()).command_id);
    const state = async () => stateIn(await (await viewer.get(`/depots/${depot}/pins/${id}`)).text());
    expect(await state()).toBe('queued');
    await depotReports.result(h.now, commandId);
    expect(await state()).toBe('on-depot');
    // Another PIN's spend changes nothing for this one.
    await depotReports.event(h.now, EventKind.PinSpent, 3, `pin:${id + 1000}`);
    expect(await state()).toBe('on-depot');
    await depotReports.event(h.now + 5_000, EventKind.PinAccepted, 3, `pin:${id}`);
    await depotReports.event(h.now + 5_000, EventKind.PinSpent, 3, `pin:${id}`);
    expect(await state()).toBe('used');
    const list = await (await viewer.get(`/depots/${depot}/pins`)).text();
    expect(list).toMatch(new RegExp(`data-pin-id="${id}"[\\s\\S]*?data-state="used"`));

    const refused = await create({ kind: 'permanent', compartment: '1' });
    await depotReports.result(
      h.now,
      Number((await lastPin()).command_id),
      CommandStatus.Rejected,
      'no such compartment',
    );
    const html = await (await viewer.get(`/depots/${depot}/pins/${refused.id}`)).text();
    expect(stateIn(html)).toBe('failed');
    expect(html).toContain('no such compartment');
  });

  it('expires a time-window PIN at its end, and one whose PIN_ADD expired in the queue', async () => {
    const { id } = await create({
      kind: 'time-window',
      compartment: '4',
      from_date: '2026-11-28',
      from_time: '08:00',
      until_date: '2026-11-28',
      until_time: '18:30',
    });
    const row = await lastPin();
    // The depot's zone (Europe/Berlin, UTC+1 in November).
    expect(Number(row.valid_from_ms)).toBe(Date.UTC(2026, 10, 28, 7, 0));
    expect(Number(row.valid_until_ms)).toBe(Date.UTC(2026, 10, 28, 17, 30));
    const command = await commandOf(depot, Number(row.command_id));
    expect(Number(command.not_after_ms)).toBe(Date.UTC(2026, 10, 28, 17, 30));
    const saved = h.now;
    try {
      h.now = Date.UTC(2026, 10, 28, 17, 30);
      expect(await expireQueuedCommands(h.db, h.now)).toBeGreaterThanOrEqual(1);
      expect((await commandOf(depot, Number(row.command_id))).state).toBe('expired');
      // A client of its own: the long jump in time ends the shared clients' sessions.
      const later = h.client('192.0.2.43');
      await later.login('vera');
      expect(stateIn(await (await later.get(`/depots/${depot}/pins/${id}`)).text())).toBe('expired');
    } finally {
      h.now = saved;
    }
  });

  it('stores a weekly schedule in the depot time zone and sends it with the PIN', async () => {
    await create({ kind: 'weekly', compartment: '5', day_1: 'on', day_3: 'on', day_from: '07:30', day_until: '24:00' });
    const body = (await commandOf(depot, Number((await lastPin()).command_id))).body as PinAddBody;
    expect(body).toMatchObject({
      pinKind: PinKind.RecurringWeekly,
      validFromMs: 0,
      validUntilMs: 0,
      schedule: [{ days: 0b101, startMinute: 450, endMinute: 1440 }],
    });
  });

  it('issues an offline PIN (the default while the depot is offline) that the depot finds, without a command', async () => {
    // Reports in earlier tests brought the depot online; the relay's sweep takes it offline again.
    await sweepOffline(h.db, h.now + 600_000, h.now);
    const form = await (await manager.get(`/depots/${depot}/pins/new`)).text();
    expect(form).toMatch(/value="offline"[^>]*checked/);
    expect(form).toContain('Das Depot ist offline.');
    const before = (await commandRows()).length;
    const { id, digits } = await create({ kind: 'offline', compartment: '6', duration: '2' });
    expect(digits).toMatch(/^\d{9}$/);
    expect((await commandRows()).length).toBe(before);
    const row = await lastPin();
    expect(row).toMatchObject({ kind: 'offline', compartment: 6, offline_duration_code: 2 });
    expect(Number(row.offline_start_hour)).toBe(Math.floor(h.now / 3_600_000));
    const depotRow = await findDepotById(h.db.db, depot);
    const matcher = new OfflinePinMatcher({
      offlineKey: depotOfflineKey(await h.deps.offlineMasterKey(), depotRow as NonNullable<typeof depotRow>),
      depotId: depot,
      compartments: 6,
    });
    expect(matcher.match(digits, h.now + 60_000)).toEqual([
      {
        compartment: 6,
        startHour: Number(row.offline_start_hour),
        durationCode: 2,
        variant: Number(row.offline_variant),
      },
    ]);
    expect(stateIn(await (await viewer.get(`/depots/${depot}/pins/${id}`)).text())).toBe('on-depot');

    // A second PIN for the same slot is another variant, so each can be revoked on its own.
    const second = await create({ kind: 'offline', compartment: '6', duration: '2' });
    expect(second.digits).not.toBe(digits);
    expect(Number((await lastPin()).offline_variant)).not.toBe(Number(row.offline_variant));

    // Its revocation travels as a PIN_REVOKE naming the slot.
    await manager.get(`/depots/${depot}/pins/${id}`);
    expect((await manager.post(`/depots/${depot}/pins/${id}/revoke`)).status).toBe(303);
    const revoked = (await pinRows()).find((p) => Number(p.id) === id);
    const revoke = await commandOf(depot, Number(revoked?.revoke_command_id));
    expect(revoke.body).toEqual({
      command: CommandKind.PinRevoke,
      pinId: id,
      offline: {
        compartment: 6,
        startHour: Number(row.offline_start_hour),
        durationCode: 2,
        variant: Number(row.offline_variant),
      },
    });
  });

  it('reveals the digits again to a manager by POST only, audited as pin.reveal', async () => {
    const { id, digits } = await create({ kind: 'permanent', compartment: '1', label: 'Reinigung' });
    await manager.get(`/depots/${depot}/pins/${id}`);
    const reveal = await manager.post(`/depots/${depot}/pins/${id}/reveal`);
    expect(reveal.status).toBe(200);
    expect(reveal.headers.get('cache-control')).toBe('no-store');
    expect(digitsIn(await reveal.text())).toBe(digits);
    const [audit] = await listAudit(h.db.db, { action: 'pin.reveal' });
    expect(audit).toMatchObject({ subject: `pin ${id}`, depotId: depot });
    expect(JSON.stringify(audit)).not.toContain(digits);
    expect((await manager.get(`/depots/${depot}/pins/${id}/reveal`)).status).toBe(404);

    const viewerPage = await (await viewer.get(`/depots/${depot}/pins/${id}`)).text();
    expect(viewerPage).not.toContain('/reveal');
    const refused = await viewer.post(`/depots/${depot}/pins/${id}/reveal`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(digits);
    expect(await listAudit(h.db.db, { action: 'pin.reveal' })).toHaveLength(1);
  });

  it('revokes once: the row, a PIN_REVOKE and an audit entry; a second revoke changes nothing', async () => {
    const { id } = await create({ kind: 'permanent', compartment: '2' });
    await manager.get(`/depots/${depot}/pins/${id}`);
    const pokes = h.pokes;
    const revoke = await manager.post(`/depots/${depot}/pins/${id}/revoke`);
    expect(revoke.status).toBe(303);
    expect(revoke.headers.get('location')).toBe(`/depots/${depot}/pins/${id}?done=revoked`);
    expect(h.pokes).toBe(pokes + 1);
    const row = (await pinRows()).find((p) => Number(p.id) === id);
    expect(row).toMatchObject({ state: 'revoked' });
    expect(Number(row?.revoked_at_ms)).toBe(h.now);
    expect((await commandOf(depot, Number(row?.revoke_command_id))).body).toEqual({
      command: CommandKind.PinRevoke,
      pinId: id,
    });
    const page = await manager.get(`/depots/${depot}/pins/${id}?done=revoked`);
    expect(stateIn(await page.text())).toBe('revoked');
    const commands = (await commandRows()).length;
    const again = await manager.post(`/depots/${depot}/pins/${id}/revoke`);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('kann nicht mehr widerrufen werden');
    expect((await commandRows()).length).toBe(commands);
    expect((await listAudit(h.db.db, { action: 'pin.revoke' })).filter((a) => a.subject === `pin ${id}`)).toHaveLength(
      1,
    );
  });

  it('lets a viewer list and look, but not create, reveal or revoke', async () => {
    const { id } = await create({ kind: 'permanent', compartment: '3' });
    expect((await viewer.get(`/depots/${depot}/pins`)).status).toBe(200);
    expect(await (await viewer.get(`/depots/${depot}/pins`)).text()).not.toContain(`/pins/new`);
    expect((await viewer.get(`/depots/${depot}/pins/new`)).status).toBe(403);
    const pins = (await pinRows()).length;
    const commands = (await commandRows()).length;
    expect((await viewer.post(`/depots/${depot}/pins`, { kind: 'permanent', compartment: '1' })).status).toBe(403);
    expect((await viewer.post(`/depots/${depot}/pins/${id}/revoke`)).status).toBe(403);
    expect((await pinRows()).length).toBe(pins);
    expect((await commandRows()).length).toBe(commands);
    expect((await pinRows()).find((p) => Number(p.id) === id)?.revoked_at_ms).toBeNull();
  });

  it("answers 404 for another depot's PIN under one's own depot, for a depot without a grant, and for bad ids", async () => {
    const { id } = await create({ kind: 'permanent', compartment: '1' });
    const mallory = await h.user('mallory');
    await h.grant(otherDepot, mallory, 'owner');
    const other = h.client('192.0.2.42');
    await other.login('mallory');
    await other.get(`/depots/${otherDepot}/pins/new`);
    const foreign = await other.post(`/depots/${otherDepot}/pins`, { kind: 'permanent', compartment: '1' });
    const foreignDigits = digitsIn(await foreign.text()) as string;
    const foreignId = Number((await lastPin()).id);

    expect((await manager.get(`/depots/${depot}/pins/${foreignId}`)).status).toBe(404);
    await manager.get(`/depots/${depot}/pins`);
    const reveal = await manager.post(`/depots/${depot}/pins/${foreignId}/reveal`);
    expect(reveal.status).toBe(404);
    expect(await reveal.text()).not.toContain(foreignDigits);
    expect((await manager.post(`/depots/${depot}/pins/${foreignId}/revoke`)).status).toBe(404);
    expect((await pinRows()).find((p) => Number(p.id) === foreignId)?.revoked_at_ms).toBeNull();
    // The manager has no grant on the other depot at all: the same 404 as a depot that does not exist.
    expect((await manager.get(`/depots/${otherDepot}/pins`)).status).toBe(404);
    expect((await manager.get(`/depots/${otherDepot}/pins/${foreignId}`)).status).toBe(404);
    expect((await other.get(`/depots/${otherDepot}/pins/${id}`)).status).toBe(404);
    for (const bad of ['abc', '0', '-1', '1e3', '99999999999999999999'])
      expect((await manager.get(`/depots/${depot}/pins/${bad}`)).status).toBe(404);
    expect((await manager.get(`/depots/${depot}/pins?page=abc`)).status).toBe(404);
  });

  it('re-renders the form with a message for every kind of bad input and stores nothing', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'Bitte wählen Sie eine Art von PIN.'],
      [{ kind: 'bogus', compartment: '1' }, 'Bitte wählen Sie eine Art von PIN.'],
      [{ kind: 'one-time', compartment: '' }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ kind: 'one-time', compartment: 'abc' }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ kind: 'one-time', compartment: '7' }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ kind: 'one-time', compartment: '0' }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ kind: 'one-time', compartment: '1', label: 'x'.repeat(201) }, 'Höchstens 200 Zeichen.'],
      [{ kind: 'time-window', compartment: '1' }, 'Bitte geben Sie ein Datum ein'],
      [
        { kind: 'time-window', compartment: '1', from_date: '2026-11-28', until_date: 'morgen' },
        'Bitte geben Sie ein Datum ein',
      ],
      [
        { kind: 'time-window', compartment: '1', from_date: '2026-02-30', until_date: '2026-12-01' },
        'Bitte geben Sie ein Datum ein',
      ],
      [
        { kind: 'one-time', compartment: '1', until_date: '2026-12-01', until_time: '25:00' },
        'Bitte geben Sie eine Uhrzeit ein',
      ],
      [
        { kind: 'time-window', compartment: '1', from_date: '2026-12-05', until_date: '2026-12-04' },
        'Das Ende muss nach dem Beginn liegen.',
      ],
      [{ kind: 'one-time', compartment: '1', until_date: '2026-11-27' }, 'Das Ende liegt in der Vergangenheit.'],
      [
        { kind: 'time-window', compartment: '1', from_date: '2026-12-01', until_date: '2040-01-01' },
        'Höchstens 5 Jahre im Voraus.',
      ],
      [{ kind: 'weekly', compartment: '1', day_from: '08:00', day_until: '18:00' }, 'mindestens einen Wochentag'],
      [
        { kind: 'weekly', compartment: '1', day_2: 'on', day_from: '18:00', day_until: '08:00' },
        'End-Uhrzeit muss nach',
      ],
      [
        { kind: 'weekly', compartment: '1', day_2: 'on', day_from: '', day_until: '08:00' },
        'Bitte geben Sie eine Uhrzeit ein',
      ],
      [{ kind: 'offline', compartment: '1', duration: '9' }, 'Bitte wählen Sie eine Dauer.'],
      [{ kind: 'offline', compartment: '1', duration: 'lang' }, 'Bitte wählen Sie eine Dauer.'],
      [
        { kind: 'offline', compartment: '1', duration: '2', from_date: '2026-11-28', from_time: '07:00' },
        'Der Beginn liegt in der Vergangenheit.',
      ],
    ];
    const pins = (await pinRows()).length;
    const commands = (await commandRows()).length;
    const audits = (await listAudit(h.db.db, { action: 'pin.' })).length;
    for (const [fields, message] of cases) {
      await manager.get(`/depots/${depot}/pins/new`);
      const response = await manager.post(`/depots/${depot}/pins`, fields);
      const html = await response.text();
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(html, JSON.stringify(fields)).toContain(message);
      expect(html).toContain('class="error-summary"');
      expect(digitsIn(html)).toBeNull();
    }
    // What was typed comes back in the form.
    expect(manager.lastHtml).toContain('value="2026-11-28"');
    expect((await pinRows()).length).toBe(pins);
    expect((await commandRows()).length).toBe(commands);
    expect(await listAudit(h.db.db, { action: 'pin.' })).toHaveLength(audits);
  });
});
