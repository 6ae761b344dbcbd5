/**
 * The record exports besides movements (PINs, commands, alerts, audit log):
 * parsed back, and for each kind the other organisation's rows, stored in the
 * same database, never in the file; a foreign depot id answers 404.
 */
import { EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../src/exports/export-integrity.js';
import { appendAudit } from '../../src/store/audit.js';
import { testDialects } from '../databases.js';
import { createPortalWorld, type PortalWorld, type Side } from '../portal/portal-world.js';
import { bytesOf, readCsvExport } from './export-fixtures.js';

const DIGITS = '48291736'; // every PIN of the world has these digits (portal-world.ts)

describe.each(testDialects())('record exports on %s', (dialect) => {
  let world: PortalWorld;

  beforeAll(async () => {
    world = await createPortalWorld(dialect);
    for (const [side, subject] of [
      [world.own, 'own'],
      [world.foreign, 'foreign'],
    ] as const) {
      await world.h.db.db
        .insertInto('events')
        .values({
          depot_id: side.depotId,
          journal_epoch: new Uint8Array(8),
          sequence: 99,
          kind: EventKind.Tamper,
          compartment: 2,
          subject,
          depot_time_ms: world.h.now - 60_000,
          received_at_ms: world.h.now - 60_000,
        })
        .execute();
      await appendAudit(world.h.db.db, {
        atMs: world.h.now - 1_000,
        actor: 'relay',
        action: 'depot.online',
        depotId: side.depotId,
        subject: `=audit ${subject}`,
      });
    }
  }, 120_000);
  afterAll(() => world.h.dispose());

  const get = async (path: string) => {
    const response = await world.client('owner').get(path);
    expect(response.status).toBe(200);
    const bytes = await bytesOf(response);
    expect(verifyExport(bytes).state).toBe('intact');
    expect(Buffer.from(bytes).toString('utf8')).not.toContain(DIGITS);
    return readCsvExport(bytes, ';');
  };
  const depotColumn = (header: string[]) => header.indexOf('Depot-Nr.');

  it('PINs: label, kind, state and times, never the digits; only the own depot', async () => {
    const csv = await get(`/depots/${world.own.depotId}/exports/pins`);
    expect(csv.header.slice(0, 5)).toEqual(['Nr.', 'Bezeichnung', 'Fach', 'Art', 'Zustand']);
    expect(csv.rows.map((r) => r[0])).toEqual([String(world.own.pinId)]);
    expect(csv.rows[0]?.[1]).toBe('Kunde Weber');
    expect(csv.rows.every((r) => r[depotColumn(csv.header)] === String(world.own.depotId))).toBe(true);
  });

  it('commands: kind and state, never a payload; only the own depot', async () => {
    const csv = await get(`/depots/${world.own.depotId}/exports/commands`);
    expect(csv.rows.map((r) => r[0])).toContain(String(world.own.commandId));
    expect(csv.rows.every((r) => r[depotColumn(csv.header)] === String(world.own.depotId))).toBe(true);
    expect(csv.filter).toMatchObject({ export: 'commands', depotId: world.own.depotId });
  });

  it('alerts: the tamper event of the own depot, not the foreign one', async () => {
    const csv = await get(`/depots/${world.own.depotId}/exports/alerts?compartment=2`);
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0]?.[5]).toBe('Tür aufgebrochen');
    expect(JSON.stringify(csv.rows)).not.toContain('foreign');
  });

  it('audit log: the owner’s depots only, subjects neutralised, the same filter as the page', async () => {
    const csv = await get('/audit/export?action=depot&system=1');
    const subjects = csv.rows.map((r) => r[9]);
    expect(subjects).toContain("'=audit own");
    expect(subjects).not.toContain("'=audit foreign");
    expect(csv.rows.every((r) => r[7] === String(world.own.depotId))).toBe(true);
    const foreign = await get(`/audit/export?depot=${world.foreign.depotId}`);
    expect(foreign.rows).toEqual([]);
  });

  it('a viewer may export PINs, commands and alerts but reads no audit entries', async () => {
    const viewer = world.client('viewer');
    for (const kind of ['pins', 'commands', 'alerts', 'movements']) {
      expect((await viewer.get(`/depots/${world.own.depotId}/exports/${kind}`)).status).toBe(200);
    }
    const audit = readCsvExport(await bytesOf(await viewer.get('/audit/export')), ';');
    expect(audit.rows).toEqual([]);
  });

  it.each(['pins', 'commands', 'alerts', 'movements', 'report'])(
    '%s of another organisation’s depot: 404 like an unknown depot',
    async (kind) => {
      const foreign = (side: Pick<Side, 'depotId'>) =>
        world.client('owner').get(`/depots/${side.depotId}/exports/${kind}`);
      expect((await foreign(world.foreign)).status).toBe(404);
      expect((await foreign({ depotId: 987654 })).status).toBe(404);
    },
  );
});
