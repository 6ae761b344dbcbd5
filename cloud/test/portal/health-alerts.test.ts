import { decodeFrames, encodeFrames, FrameKind, type StatusFrame } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts } from '../../src/store/portal/alerts.js';
import { testDialects } from '../databases.js';
import { DepotReports } from './depot-reports.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

// A depot's STATUS saying its disk is full or its keypad board does not answer
// (issue 19, items 1 and 7), stored by the relay's uplink batch, shown as an
// alert on the dashboard and the depot page in German and English, to the
// depot's users only, and over with the first STATUS without the flag.

describe.each(testDialects())('disk-full and keypad-dead alerts on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let foreign: number;
  let dora: PortalClient;
  let lea: PortalClient;
  let fritz: PortalClient;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Fremd GmbH');
    depot = await h.depot(org, 'Werkstatt', 4);
    foreign = await h.depot(other, 'Fremd', 4);
    const doraId = await h.user('dora', { organisationId: org });
    const leaId = await h.user('lea', { organisationId: org });
    const fritzId = await h.user('fritz', { organisationId: other });
    await h.db.db.updateTable('users').set({ language: 'en' }).where('id', '=', leaId).execute();
    await h.grant(depot, doraId, 'viewer');
    await h.grant(depot, leaId, 'owner');
    await h.grant(foreign, fritzId, 'owner');
    dora = h.client('192.0.2.81');
    lea = h.client('192.0.2.82');
    fritz = h.client('192.0.2.83');
    await dora.login('dora');
    await lea.login('lea');
    await fritz.login('fritz');
  });
  afterAll(() => h.dispose());

  it('raises both from STATUS flags, shows them to the depot’s users only, and ends them with a healthy STATUS', async () => {
    const reports = new DepotReports(h.db, depot);
    const noLockout = { untilMs: 0, failedAttempts: 0 };
    await reports.status(h.now - 2_000, noLockout);
    expect(await openAlerts(h.db.db, [depot], h.now)).toEqual([]);

    // The flags as they cross the wire: encoded by the depot, decoded by the relay.
    const sent: StatusFrame = {
      kind: FrameKind.Status,
      uptimeSeconds: 5,
      lastCommandId: 0,
      outboxSize: 3,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: true,
      diskFull: true,
      keypadDead: true,
      firmwareVersion: 'test-1',
      compartments: [],
    };
    const [received] = decodeFrames(encodeFrames([sent])) as StatusFrame[];
    await reports.status(h.now - 1_000, noLockout, { diskFull: received?.diskFull, keypadDead: received?.keypadDead });
    const alerts = await openAlerts(h.db.db, [depot], h.now);
    expect(alerts.map((a) => [a.kind, a.depotId, a.compartment]).sort()).toEqual([
      ['disk-full', depot, 0],
      ['keypad-dead', depot, 0],
    ]);

    const de = await (await dora.get('/')).text();
    expect(de).toContain('Speicher des Depots voll');
    expect(de).toContain('Tastatur antwortet nicht');
    const en = await (await lea.get(`/depots/${depot}`)).text();
    expect(en).toContain('Depot disk full');
    expect(en).toContain('Keypad not responding');

    // Another organisation's user sees nothing of it.
    const theirs = await (await fritz.get('/')).text();
    expect(theirs).not.toContain('Speicher des Depots voll');
    expect(await openAlerts(h.db.db, [foreign], h.now)).toEqual([]);

    // The keypad answers again, then the disk has room: each alert ends with its flag.
    await reports.status(h.now - 500, noLockout, { diskFull: true });
    expect((await openAlerts(h.db.db, [depot], h.now)).map((a) => a.kind)).toEqual(['disk-full']);
    await reports.status(h.now, noLockout);
    expect(await openAlerts(h.db.db, [depot], h.now)).toEqual([]);
    expect(await (await dora.get('/')).text()).not.toContain('Speicher des Depots voll');
  });
});
