import { statSync } from 'node:fs';
import { EventKind } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../src/exports/export-integrity.js';
import { ROWS_PER_PAGE } from '../../src/reports/report-table.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from '../portal/portal-harness.js';
import { bytesOf, storeMovements } from './export-fixtures.js';
import { havePdftoppm, keepPdf, readPdf, renderPage } from './pdf-reading.js';

const START = Date.UTC(2026, 10, 1, 7, 0, 0); // 1 November 2026, 08:00 in Berlin
const COUNT = 130; // three table pages

describe.each(testDialects())('monthly depot report (PDF) on %s', (dialect) => {
  let h: PortalHarness;
  let viewer: PortalClient;
  let depotId: number;
  let foreignDepotId: number;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern GmbH');
    const other = await h.organisation('Ferienwohnungen Seeblick');
    depotId = await h.depot(org, 'Hof Süd', 4);
    foreignDepotId = await h.depot(other, 'Seeblick', 4);
    await h.db.db
      .updateTable('depots')
      .set({ address: 'Hauptstraße 5, 10115 Berlin' })
      .where('id', '=', depotId)
      .execute();
    await h.db.db
      .updateTable('compartments')
      .set({ label: 'Transporter' })
      .where('depot_id', '=', depotId)
      .where('number', '=', 1)
      .execute();
    await storeMovements(h, depotId, START, COUNT);
    // An alert, a movement of October (outside the month) and a foreign depot's rows.
    await h.db.db
      .insertInto('events')
      .values([
        {
          depot_id: depotId,
          journal_epoch: new Uint8Array(8),
          sequence: 1,
          kind: EventKind.Tamper,
          compartment: 3,
          subject: '',
          depot_time_ms: START + 3_600_000,
          received_at_ms: START + 3_600_000,
        },
        {
          depot_id: depotId,
          journal_epoch: new Uint8Array(8),
          sequence: 2,
          kind: EventKind.KeyRemoved,
          compartment: 2,
          subject: 'Oktober',
          depot_time_ms: START - 86_400_000,
          received_at_ms: START - 86_400_000,
        },
      ])
      .execute();
    await storeMovements(h, foreignDepotId, START, 40);
    await h.db.db.updateTable('events').set({ subject: 'FREMD' }).where('depot_id', '=', foreignDepotId).execute();
    const userId = await h.user('ansicht', { organisationId: org });
    await h.grant(depotId, userId, 'viewer');
    viewer = h.client();
    await viewer.login('ansicht');
  }, 120_000);
  afterAll(() => h.dispose());

  it('has cover, charts, the movement table with repeated headings, alerts and page numbers; verifies', async () => {
    const response = await viewer.get(`/depots/${depotId}/exports/report?month=2026-11`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const bytes = await bytesOf(response);
    const pdf = await readPdf(bytes);
    const tablePages = Math.ceil((COUNT + 1) / ROWS_PER_PAGE);
    expect(pdf.pages).toHaveLength(2 + tablePages + 1);
    expect(pdf.title).toBe('Monatsbericht Depot 2026-11 · Hof Süd');
    expect(JSON.parse(pdf.keywords)).toMatchObject({
      export: 'depot-report',
      depotId,
      month: '2026-11',
      exportedBy: 'ansicht',
    });
    const [cover, charts] = pdf.pages as [string, string];
    expect(cover).toContain('Autohaus Kern GmbH');
    expect(cover).toContain('Hauptstraße 5, 10115 Berlin');
    expect(cover).toContain('November 2026 (01.11.2026 – 30.11.2026)');
    // 130 stored + the tamper event; October's is outside. Every fourth is a PIN accepted.
    expect(cover).toMatch(/Bewegungen\s+131/);
    expect(cover).toMatch(/PINs angenommen\s+33/);
    expect(cover).toMatch(/Manipulation\)\s+1/);
    expect(charts).toContain('Entnahmen pro Tag');
    expect(charts).toContain('Entnahmen pro Fach');
    for (const [i, page] of pdf.pages.entries()) expect(page).toContain(`Seite ${i + 1} von ${pdf.pages.length}`);
    const table = pdf.pages.slice(2, 2 + tablePages);
    for (const page of table) expect(page).toMatch(/Ortszeit Depot\s+Empfangen \(UTC\)\s+Fach\s+Ereignis\s+Betreff/);
    expect(table[1]).toContain('Bewegungen (Fortsetzung)');
    const tableText = table.join('\n');
    expect(tableText).toContain('01.11.2026 08:00:00');
    expect(tableText).toContain('Fach 1 · Transporter');
    for (const n of [10, 77, 129]) expect(tableText).toContain(`Auftrag ${n}; "Müller"`);
    expect(tableText).not.toContain('Oktober');
    expect(pdf.pages.join('\n')).not.toContain('FREMD');
    expect(pdf.pages.at(-1)).toMatch(/Alarme.*01\.11\.2026 09:00:00\s+Fach 3/);
    expect(verifyExport(bytes)).toMatchObject({ state: 'intact', format: 'pdf' });
    const altered = Buffer.from(bytes);
    altered[2000] = (altered[2000] as number) ^ 1;
    expect(verifyExport(altered).state).toBe('altered');

    if (havePdftoppm()) {
      const file = keepPdf(bytes, `depot-report-${dialect}`);
      for (const [page, name] of [
        [1, 'cover'],
        [2, 'charts'],
        [3, 'movements'],
      ] as const) {
        expect(statSync(renderPage(file, page, `depot-report-${name}-${dialect}`)).size).toBeGreaterThan(5_000);
      }
    }
  });

  it('in English, for a month without movements, says so', async () => {
    await viewer.post('/language', { language: 'en', next: '/' });
    const pdf = await readPdf(await bytesOf(await viewer.get(`/depots/${depotId}/exports/report?month=2026-09`)));
    expect(pdf.pages).toHaveLength(4);
    expect(pdf.title).toBe('Monthly depot report 2026-09 · Hof Süd');
    expect(pdf.pages[2]).toContain('No movements in this period.');
    expect(pdf.pages[3]).toContain('No alerts in this period.');
    expect(pdf.pages[0]).toMatch(/Movements\s+0/);
    await viewer.post('/language', { language: 'de', next: '/' });
  });

  it('a foreign depot answers 404 like an unknown one', async () => {
    expect((await viewer.get(`/depots/${foreignDepotId}/exports/report?month=2026-11`)).status).toBe(404);
    expect((await viewer.get('/depots/987654/exports/report?month=2026-11')).status).toBe(404);
  });
});
