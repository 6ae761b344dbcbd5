import { EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../src/exports/export-integrity.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from '../portal/portal-harness.js';
import { bytesOf, HOSTILE, readCsvExport, storeMovements } from './export-fixtures.js';

const START = Date.UTC(2026, 10, 1, 7, 0, 0);
const COUNT = 4_500; // more than two export pages (2,000 rows each)

describe.each(testDialects())('movement CSV export on %s', (dialect) => {
  let h: PortalHarness;
  let owner: PortalClient;
  let depotId: number;
  let foreignDepotId: number;
  let stored: Awaited<ReturnType<typeof storeMovements>>;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Ferienwohnungen Seeblick');
    depotId = await h.depot(org, 'Hof', 4);
    foreignDepotId = await h.depot(other, 'See', 4);
    await h.db.db
      .updateTable('compartments')
      .set({ label: '=1+1' })
      .where('depot_id', '=', depotId)
      .where('number', '=', 2)
      .execute();
    stored = await storeMovements(h, depotId, START, COUNT);
    // Another organisation's rows at the same times: none may reach the export.
    await storeMovements(h, foreignDepotId, START, 300);
    const userId = await h.user('inhaber', { organisationId: org });
    await h.grant(depotId, userId, 'viewer');
    owner = h.client();
    await owner.login('inhaber');
  }, 120_000);
  afterAll(() => h.dispose());

  it('parses back to the same rows and values, with BOM, ";" and neutralised formulas, and verifies', async () => {
    const response = await owner.get(`/depots/${depotId}/exports/movements?delimiter=semicolon`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="keydepot-movements-depot-\d+-/);
    const bytes = await bytesOf(response);
    const csv = readCsvExport(bytes, ';');
    expect(csv.hasBom).toBe(true);
    expect(csv.header[0]).toBe('Nr.');
    expect(csv.rows).toHaveLength(COUNT);
    // Oldest first, ids rising: the keyset pages joined without a gap or a repeat.
    const ids = csv.rows.map((r) => Number(r[0]));
    expect(new Set(ids).size).toBe(COUNT);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const [i, row] of csv.rows.entries()) {
      const m = stored[i] as (typeof stored)[number];
      expect(row[1]).toBe(new Date(m.depot_time_ms).toISOString());
      expect(row[4]).toBe(String(depotId));
      expect(Number(row[6])).toBe(m.compartment);
      expect(Number(row[8])).toBe(m.kind);
      const subject = HOSTILE.includes(m.subject) ? `'${m.subject}` : m.subject;
      expect(row[10]).toBe(subject);
      if (m.compartment === 2) expect(row[7]).toBe("'=1+1");
    }
    // Depot time in Europe/Berlin: 07:00 UTC on 1 November is 08:00+01:00.
    expect(csv.rows[0]?.[2]).toBe('2026-11-01T08:00:00+01:00');
    expect(csv.rows[0]?.[9]).toBe('PIN angenommen');
    expect(csv.filter).toMatchObject({ export: 'movements', depotId, depot: 'Hof', exportedBy: 'inhaber' });
    expect(csv.digest[0]).toBe('sha256');
    expect(verifyExport(bytes)).toMatchObject({ state: 'intact', format: 'csv' });

    // One value changed, one row dropped: altered.
    const text = Buffer.from(bytes).toString('utf8');
    const changed = Buffer.from(text.replace('Auftrag 100;', 'Auftrag 101;'));
    expect(verifyExport(changed).state).toBe('altered');
    const lines = text.split('\r\n');
    expect(verifyExport(Buffer.from([...lines.slice(0, 5), ...lines.slice(6)].join('\r\n'))).state).toBe('altered');
  });

  it('applies the list filter and "," on request, in English', async () => {
    await owner.post('/language', { language: 'en', next: '/' });
    const from = '2026-11-02';
    const response = await owner.get(
      `/depots/${depotId}/exports/movements?compartment=3&kind=${EventKind.DoorOpened}&from=${from}&to=${from}&delimiter=comma`,
    );
    const csv = readCsvExport(await bytesOf(response), ',');
    const dayStart = Date.UTC(2026, 10, 1, 23, 0, 0); // 2 November 00:00 in Berlin
    const expected = stored.filter(
      (m) =>
        m.compartment === 3 &&
        m.kind === EventKind.DoorOpened &&
        m.depot_time_ms >= dayStart &&
        m.depot_time_ms < dayStart + 86_400_000,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(csv.header[0]).toBe('No.');
    expect(csv.rows.map((r) => r[1])).toEqual(expected.map((m) => new Date(m.depot_time_ms).toISOString()));
    expect(csv.filter).toMatchObject({ compartment: 3, kind: EventKind.DoorOpened, from: '2026-11-02T00:00:00+01:00' });
    await owner.post('/language', { language: 'de', next: '/' });
  });

  it('never contains another organisation’s rows, and a foreign depot id answers 404 like an unknown one', async () => {
    const csv = readCsvExport(await bytesOf(await owner.get(`/depots/${depotId}/exports/movements`)), ';');
    expect(new Set(csv.rows.map((r) => r[4]))).toEqual(new Set([String(depotId)]));
    const foreign = await owner.get(`/depots/${foreignDepotId}/exports/movements`);
    const unknown = await owner.get('/depots/987654/exports/movements');
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect((await foreign.text()).replaceAll(`/depots/${foreignDepotId}/`, 'ID')).toBe(
      (await unknown.text()).replaceAll('/depots/987654/', 'ID'),
    );
  });

  it('the movement list links to the export with its filter', async () => {
    await owner.get(`/depots/${depotId}/movements?compartment=2&from=2026-11-01`);
    expect(owner.lastHtml).toContain(
      `/depots/${depotId}/exports/movements?compartment=2&amp;from=2026-11-01&amp;delimiter=semicolon`,
    );
  });
});
