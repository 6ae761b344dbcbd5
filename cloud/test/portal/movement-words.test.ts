import { CommandKind, EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnlinePin } from '../../src/store/portal/pins-write.js';
import { queueCommand } from '../../src/store/relay/commands.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-events.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

/** Movements and commands name the PIN's note and kind and who gave a command, never an internal id alone. */
describe.each(testDialects())('movements and commands in the owner words on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let foreignDepot: number;
  let owner: PortalClient;
  let pinId: number;
  let foreignPinId: number;
  let openId: number;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Fremd GmbH');
    depot = await h.depot(org, 'Werkstatt Nord', 4);
    foreignDepot = await h.depot(other, 'Fremddepot', 4);
    const admin = await h.user('admin', { organisationId: org });
    await h.grant(depot, admin, 'owner');
    owner = h.client('192.0.2.71');
    await owner.login('admin');
    const actor = { organisationId: org, userId: admin, nowMs: h.now, address: '192.0.2.71' };
    const created = await createOnlinePin(h.deps.store, h.deps.sealer, {
      ...actor,
      depotId: depot,
      kind: 'one-time',
      compartment: 2,
      label: 'Herr Müller – Auftrag 4711',
      validFromMs: 0,
      validUntilMs: h.now + 86_400_000,
      schedule: [],
    });
    pinId = created.pinId;
    foreignPinId = (
      await createOnlinePin(h.deps.store, h.deps.sealer, {
        ...actor,
        organisationId: other,
        depotId: foreignDepot,
        kind: 'permanent',
        compartment: 1,
        label: 'Geheimkunde Fremd',
        validFromMs: 0,
        validUntilMs: 0,
        schedule: [],
      })
    ).pinId;
    openId = await queueCommand(
      h.db,
      depot,
      { command: CommandKind.Open, compartment: 3 },
      { nowMs: h.now, notAfterMs: h.now + 60_000, userId: admin },
    );
    const reports = new DepotReports(h.db, depot);
    await reports.events(h.now - 5000, [
      { kind: EventKind.PinAccepted, compartment: 2, subject: `pin:${pinId}` },
      { kind: EventKind.Unlocked, compartment: 2, subject: `pin:${pinId}` },
      { kind: EventKind.PinRejected, compartment: 0, subject: `pin:${pinId} spent` },
      { kind: EventKind.Unlocked, compartment: 3, subject: `cmd:${openId}` },
      { kind: EventKind.CommandApplied, compartment: 3, subject: `cmd:${openId}` },
      // A lying depot names another organisation's PIN: nothing of it may show.
      { kind: EventKind.PinAccepted, compartment: 1, subject: `pin:${foreignPinId}` },
    ]);
  });
  afterAll(() => h.dispose());

  it('names the PIN note and kind and who opened remotely, linked, in both languages', async () => {
    const html = await (await owner.get(`/depots/${depot}/movements`)).text();
    expect(html).toContain(`href="/depots/${depot}/pins/${pinId}"`);
    expect(html).toContain('„Herr Müller – Auftrag 4711“ (Einmal-PIN)');
    expect(html).toContain('schon benutzt');
    expect(html).toContain(`href="/depots/${depot}/commands/${openId}"`);
    expect(html).toContain('Fernöffnung durch admin');
    expect(html).not.toMatch(/pin:\d|cmd:\d/);
    expect(html).not.toContain('Geheimkunde');
    expect(html).toContain(`eine dem Portal unbekannte PIN (Nr. ${foreignPinId})`);
    await owner.post('/language', { language: 'en', next: '/' });
    const english = await (await owner.get(`/depots/${depot}/movements`)).text();
    expect(english).toContain('“Herr Müller – Auftrag 4711” (One-time PIN)');
    expect(english).toContain('Remote open by admin');
    await owner.post('/language', { language: 'de', next: '/' });
  });

  it('shows the note and kind of a PIN command in the commands table, not its id', async () => {
    const html = await (await owner.get(`/depots/${depot}`)).text();
    const commands = html.slice(html.indexOf('class="responsive commands"'));
    expect(commands).toContain('PIN senden</a> · Fach 2 · <a');
    expect(commands).toContain('„Herr Müller – Auftrag 4711“ (Einmal-PIN)');
    expect(commands).not.toContain(`PIN ${pinId}<`);
    const dashboard = await (await owner.get('/')).text();
    expect(dashboard).toContain('„Herr Müller – Auftrag 4711“ (Einmal-PIN)');
  });

  it('writes the audit log as sentences: the PIN with its note and end, no raw fields', async () => {
    const html = await (await owner.get('/audit?system=1')).text();
    expect(html).toContain(
      'admin hat für Fach 2 eine Einmal-PIN angelegt („Herr Müller – Auftrag 4711“), gültig bis 29.11.2026, 10:00',
    );
    const table = html.slice(html.indexOf('<table'));
    expect(table).not.toMatch(/Ms:|schedule|null|[0-9a-f]{32}|commandId/);
    expect(table).not.toContain('Geheimkunde');
  });

  it('says how long a PIN is valid in words a one-time or permanent PIN fits, and groups the form fields by kind', async () => {
    const org = h.deps;
    const base = { organisationId: 0, userId: 0, nowMs: h.now, address: '192.0.2.71', depotId: depot, compartment: 1 };
    const admin = (
      await h.db.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()
    ).id;
    const organisationId = (
      await h.db.db.selectFrom('depots').select('organisation_id').where('id', '=', depot).executeTakeFirstOrThrow()
    ).organisation_id;
    for (const kind of ['one-time', 'permanent'] as const) {
      await createOnlinePin(org.store, org.sealer, {
        ...base,
        organisationId: Number(organisationId),
        userId: Number(admin),
        kind,
        label: `ohne Ende ${kind}`,
        validFromMs: 0,
        validUntilMs: 0,
        schedule: [],
      });
    }
    const list = await (await owner.get(`/depots/${depot}/pins`)).text();
    expect(list).toContain('einmal, ohne Enddatum');
    expect(list).toContain('bis zum Widerruf');
    expect(list).not.toContain('>immer<');
    const form = await (await owner.get(`/depots/${depot}/pins/new`)).text();
    expect(form).toContain('data-kinds="weekly"');
    expect(form).toContain('data-kinds="offline"');
    expect(form).not.toMatch(/<script/);
  });

  it('shows a compartment the depot never reported as unknown, not as closed and locked', async () => {
    const html = await (await owner.get(`/depots/${depot}`)).text();
    const row = /<tr data-compartment="1">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(row).toContain('Zustand unbekannt');
    expect(row).not.toMatch(/Tür zu|verriegelt/);
  });

  it('offers the common time zones first, grouped by region, with their offset', async () => {
    const html = await (await owner.get(`/depots/${depot}/settings`)).text();
    const select = /<select id="field-timeZone"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    expect(select).toMatch(
      /^<select[^>]*><optgroup label="Häufig"><option value="Europe\/Berlin" selected="">Berlin \(UTC\+01:00\)<\/option><option value="Europe\/Vienna">Vienna/,
    );
    expect(select).toContain('<optgroup label="Africa">');
    expect(select.match(/ selected=""/g)).toHaveLength(1);
  });
});
