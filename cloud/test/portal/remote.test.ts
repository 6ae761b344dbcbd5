import { CommandKind, CommandStatus } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-reports.js';
import { createPortalHarness, PASSWORD, type PortalClient, type PortalHarness } from './portal-harness.js';

const stateIn = (html: string) => /class="command-state" data-state="([a-z]+)"/.exec(html)?.[1] ?? null;

describe.each(testDialects())('portal remote open and lockout reset on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let otherDepot: number;
  let owner: PortalClient;
  let viewer: PortalClient;
  let reports: DepotReports;

  const commands = () => h.db.db.selectFrom('commands').selectAll().orderBy('depot_id').orderBy('id').execute();
  const commandPath = (response: Response) => response.headers.get('location') ?? '';

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Ferienwohnungen Ostsee');
    depot = await h.depot(org, 'Haus Düne', 4);
    otherDepot = await h.depot(org, 'Haus Mole', 4);
    const olga = await h.user('olga', { organisationId: org });
    const vera = await h.user('vera', { organisationId: org });
    await h.grant(depot, olga, 'owner');
    await h.grant(depot, vera, 'viewer');
    await h.grant(otherDepot, olga, 'owner');
    owner = h.client('192.0.2.50');
    viewer = h.client('192.0.2.51');
    await owner.login('olga');
    await viewer.login('vera');
    reports = new DepotReports(h.db, depot);
  });
  afterAll(() => h.dispose());

  it('opens after the password: an OPEN valid for a minute, audited, then the page follows it to the result', async () => {
    const form = await owner.get(`/depots/${depot}/open`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="password"');
    const pokes = h.pokes;
    const response = await owner.post(`/depots/${depot}/open`, { compartment: '3', password: PASSWORD });
    expect(response.status).toBe(303);
    const match = new RegExp(`^/depots/${depot}/commands/(\\d+)$`).exec(commandPath(response));
    expect(match).not.toBeNull();
    const commandId = Number(match?.[1]);
    expect(h.pokes).toBe(pokes + 1);
    const [row] = (await commands()).filter((c) => c.depot_id === depot && Number(c.id) === commandId);
    expect(row).toMatchObject({ kind: CommandKind.Open, state: 'queued' });
    expect(JSON.parse(row.payload)).toEqual({ command: CommandKind.Open, compartment: 3 });
    expect(Number(row.not_after_ms)).toBe(h.now + 60_000);
    const [audit] = await listAudit(h.db.db, { action: 'depot.open' });
    expect(audit).toMatchObject({ depotId: depot, address: '192.0.2.50', subject: 'Haus Düne' });
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);

    const pending = await owner.get(commandPath(response));
    expect(pending.headers.get('refresh')).toBe('2');
    expect(stateIn(await pending.text())).toBe('queued');
    await reports.result(h.now + 800, commandId);
    const done = await viewer.get(commandPath(response));
    expect(done.status).toBe(200);
    expect(done.headers.get('refresh')).toBeNull();
    const html = await done.text();
    expect(stateIn(html)).toBe('applied');
    expect(html).toContain('Das Depot hat das Fach geöffnet.');
  });

  it('shows an OPEN the depot never got as expired once its minute is over, and a refused one with the reason', async () => {
    await owner.get(`/depots/${depot}/open`);
    const late = commandPath(await owner.post(`/depots/${depot}/open`, { compartment: '1', password: PASSWORD }));
    await owner.get(`/depots/${depot}/open`);
    const refused = commandPath(await owner.post(`/depots/${depot}/open`, { compartment: '2', password: PASSWORD }));
    await reports.result(h.now, Number(refused.split('/').pop()), CommandStatus.Rejected, 'clock unknown');
    const refusedHtml = await (await owner.get(refused)).text();
    expect(stateIn(refusedHtml)).toBe('rejected');
    expect(refusedHtml).toContain('clock unknown');
    h.now += 61_000;
    try {
      const page = await owner.get(late);
      expect(page.headers.get('refresh')).toBeNull();
      const html = await page.text();
      expect(stateIn(html)).toBe('expired');
      expect(html).toContain('nichts geöffnet');
    } finally {
      h.now -= 61_000;
    }
  });

  it('re-renders with a message for a wrong password, bad fields, and blocks after repeated wrong passwords', async () => {
    const olav = await h.user('olav');
    await h.grant(depot, olav, 'manager');
    const manager = h.client('192.0.2.52');
    await manager.login('olav');
    const before = (await commands()).length;
    await manager.get(`/depots/${depot}/open`);
    const wrong = await manager.post(`/depots/${depot}/open`, { compartment: '2', password: 'not my password at all' });
    expect(wrong.status).toBe(401);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('Das Passwort ist falsch.');
    expect(wrongHtml).toMatch(/value="2" selected/);
    const cases: Array<[Record<string, string>, string]> = [
      [{ compartment: '2', password: '' }, 'Bitte füllen Sie dieses Feld aus.'],
      [{ compartment: '', password: PASSWORD }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ compartment: 'drei', password: PASSWORD }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ compartment: '5', password: PASSWORD }, 'Bitte wählen Sie ein Fach dieses Depots.'],
      [{ compartment: '9'.repeat(40), password: PASSWORD }, 'Bitte wählen Sie ein Fach dieses Depots.'],
    ];
    for (const [fields, message] of cases) {
      const response = await manager.post(`/depots/${depot}/open`, fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await response.text()).toContain(message);
    }
    for (let i = 0; i < 5; i++)
      await manager.post(`/depots/${depot}/open`, { compartment: '1', password: `wrong ${i}` });
    const blocked = await manager.post(`/depots/${depot}/open`, { compartment: '1', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Zu viele Fehlversuche');
    expect((await commands()).length).toBe(before);
    expect((await listAudit(h.db.db, { action: 'depot.open', actorUserId: olav })).length).toBe(0);
  });

  it('resets the keypad lockout and shows the lockout the depot reported', async () => {
    await reports.status(h.now, { untilMs: h.now + 120_000, failedAttempts: 6 });
    const page = await (await owner.get(`/depots/${depot}/open`)).text();
    expect(page).toContain('Gesperrt bis');
    expect(page).toContain('6 falsche PINs');
    const response = await owner.post(`/depots/${depot}/lockout-reset`);
    expect(response.status).toBe(303);
    const commandId = Number(commandPath(response).split('/').pop());
    const [row] = (await commands()).filter((c) => c.depot_id === depot && Number(c.id) === commandId);
    expect(row).toMatchObject({ kind: CommandKind.LockoutReset, state: 'queued' });
    expect(Number(row.not_after_ms)).toBe(0);
    expect(await listAudit(h.db.db, { action: 'depot.lockout-reset' })).toHaveLength(1);
    await reports.result(h.now, commandId);
    await reports.status(h.now + 1_000, { untilMs: 0, failedAttempts: 0 });
    const after = await (await owner.get(`/depots/${depot}/open`)).text();
    expect(after).toContain('Nicht gesperrt.');
  });

  it('keeps viewers to reading: no open, no reset, but the command page', async () => {
    const before = (await commands()).length;
    expect((await viewer.get(`/depots/${depot}/open`)).status).toBe(403);
    expect((await viewer.post(`/depots/${depot}/open`, { compartment: '1', password: PASSWORD })).status).toBe(403);
    expect((await viewer.post(`/depots/${depot}/lockout-reset`)).status).toBe(403);
    expect((await commands()).length).toBe(before);
    const [first] = (await commands()).filter((c) => c.depot_id === depot);
    expect((await viewer.get(`/depots/${depot}/commands/${first.id}`)).status).toBe(200);
  });

  it("answers 404 for another depot's command under one's own depot, unknown ids and depots without a grant", async () => {
    // Command ids count per depot: queue on the other depot until it has an id this depot does not.
    const own = (await commands()).filter((c) => c.depot_id === depot).map((c) => Number(c.id));
    let foreignId = 0;
    await owner.get(`/depots/${otherDepot}/open`);
    while (foreignId <= Math.max(...own)) {
      foreignId = Number(
        commandPath(await owner.post(`/depots/${otherDepot}/lockout-reset`))
          .split('/')
          .pop(),
      );
    }
    expect((await owner.get(`/depots/${otherDepot}/commands/${foreignId}`)).status).toBe(200);
    expect((await owner.get(`/depots/${depot}/commands/${foreignId}`)).status).toBe(404);
    expect((await viewer.get(`/depots/${otherDepot}/commands/${foreignId}`)).status).toBe(404);
    expect((await viewer.get(`/depots/${otherDepot}/open`)).status).toBe(404);
    for (const bad of ['abc', '0', '1.5'])
      expect((await owner.get(`/depots/${depot}/commands/${bad}`)).status).toBe(404);
  });
});
