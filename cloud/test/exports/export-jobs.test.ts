/**
 * Background exports: started from a list, run by the runner into the
 * export folder, listed with their state, downloaded byte for byte equal to
 * the download made at once; a job cut off by a restart is taken up again or
 * marked failed, never left hanging; a job of another depot is not served.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../src/exports/export-integrity.js';
import { ExportRunner } from '../../src/exports/export-runner.js';
import { createExportJob, MAX_ATTEMPTS, STALE_AFTER_MS } from '../../src/store/exports/export-jobs.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from '../portal/portal-harness.js';
import { silentLogger } from '../relay/fixtures.js';
import { bytesOf, readCsvExport, storeMovements } from './export-fixtures.js';
import { readPdf } from './pdf-reading.js';

const START = Date.UTC(2026, 10, 2, 7, 0, 0);

describe.each(testDialects())('background exports on %s', (dialect) => {
  let h: PortalHarness;
  let viewer: PortalClient;
  let depotId: number;
  let userId: number;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    depotId = await h.depot(org, 'Hof', 4);
    await storeMovements(h, depotId, START, 2_500);
    userId = await h.user('ansicht', { organisationId: org });
    await h.grant(depotId, userId, 'viewer');
    viewer = h.client();
    await viewer.login('ansicht');
  }, 120_000);
  afterAll(() => h.dispose());

  const state = async (jobId: number) =>
    (await h.db.db.selectFrom('export_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow()) as {
      state: string;
      attempts: number | string;
      rows_written: number | string;
      error: string | null;
    };

  it('runs a movement CSV and a report PDF from the list’s buttons; the files equal the direct downloads', async () => {
    await viewer.get(`/depots/${depotId}/movements?compartment=2&from=2026-11-02`);
    expect(viewer.lastHtml).toContain('im Hintergrund erstellen');
    const started = await viewer.post(`/depots/${depotId}/exports/jobs`, {
      export: 'movements',
      compartment: '2',
      from: '2026-11-02',
      delimiter: 'semicolon',
    });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe(`/depots/${depotId}/exports/jobs?started=1`);
    await viewer.post(`/depots/${depotId}/exports/jobs`, { export: 'report', month: '2026-11' });

    const waiting = await viewer.get(`/depots/${depotId}/exports/jobs?started=1`);
    const page = await waiting.text();
    expect(page).toContain('Der Export läuft');
    expect(page).toContain('data-live-src');
    expect(page.match(/data-state="queued"/g)).toHaveLength(2);

    await h.exports.drain();
    const done = await (await viewer.get(`/depots/${depotId}/exports/jobs`)).text();
    expect(done.match(/data-state="done"/g)).toHaveLength(2);
    expect(done).not.toContain('data-live-src');
    const links = [...done.matchAll(/href="(\/depots\/\d+\/exports\/jobs\/\d+)"/g)].map((m) => m[1] as string);
    expect(links).toHaveLength(2);

    // Newest first: the report, then the movements.
    const csvBytes = await bytesOf(await viewer.get(links[1] as string));
    const direct = await bytesOf(
      await viewer.get(`/depots/${depotId}/exports/movements?compartment=2&from=2026-11-02&delimiter=semicolon`),
    );
    expect(Buffer.from(csvBytes).equals(Buffer.from(direct))).toBe(true);
    expect(verifyExport(csvBytes).state).toBe('intact');
    const csv = readCsvExport(csvBytes, ';');
    expect(csv.rows.length).toBeGreaterThan(0);
    expect(csv.rows.every((r) => r[6] === '2')).toBe(true);
    expect(done).toContain(`>${csv.rows.length}<`);

    const pdf = await readPdf(await bytesOf(await viewer.get(links[0] as string)));
    expect(pdf.title).toBe('Monatsbericht Depot 2026-11 · Hof');
    expect(readdirSync(h.deps.exports?.dir as string).some((f) => f.endsWith('.part'))).toBe(false);
  });

  it('a job cut off by a restart is run again by the next runner, and failed after the last attempt', async () => {
    const jobId = await createExportJob(h.db.db, {
      depotId,
      userId,
      kind: 'pins',
      params: { query: {}, lang: 'en' },
      nowMs: h.now,
    });
    // As a runner that died mid-way leaves it: running, heartbeat long ago.
    await h.db.db
      .updateTable('export_jobs')
      .set({ state: 'running', attempts: 1, heartbeat_ms: h.now - STALE_AFTER_MS - 1 })
      .where('id', '=', jobId)
      .execute();
    const next = new ExportRunner({
      store: h.db,
      dir: h.deps.exports?.dir as string,
      clock: () => h.now,
      logger: silentLogger,
    });
    await next.drain();
    expect(await state(jobId)).toMatchObject({ state: 'done', error: null });
    expect(Number((await state(jobId)).attempts)).toBe(2);

    const hopeless = await createExportJob(h.db.db, {
      depotId,
      userId,
      kind: 'pins',
      params: { query: {}, lang: 'en' },
      nowMs: h.now,
    });
    await h.db.db
      .updateTable('export_jobs')
      .set({ state: 'running', attempts: MAX_ATTEMPTS, heartbeat_ms: h.now - STALE_AFTER_MS - 1 })
      .where('id', '=', hopeless)
      .execute();
    await next.drain();
    expect(await state(hopeless)).toMatchObject({ state: 'failed' });
    expect((await state(hopeless)).error).toMatch(/interrupted 3 times/);
    const page = await (await viewer.get(`/depots/${depotId}/exports/jobs`)).text();
    expect(page).toContain('fehlgeschlagen: interrupted 3 times');
    // A running job with a fresh heartbeat belongs to a live runner: left alone.
    const live = await createExportJob(h.db.db, {
      depotId,
      userId,
      kind: 'pins',
      params: { query: {}, lang: 'en' },
      nowMs: h.now,
    });
    await h.db.db
      .updateTable('export_jobs')
      .set({ state: 'running', attempts: 1, heartbeat_ms: h.now })
      .where('id', '=', live)
      .execute();
    await next.drain();
    expect(await state(live)).toMatchObject({ state: 'running' });
  });

  it('a job whose user lost the role fails instead of exporting', async () => {
    const other = await h.user('weg', {});
    await h.grant(depotId, other, 'viewer');
    const jobId = await createExportJob(h.db.db, {
      depotId,
      userId: other,
      kind: 'movements',
      params: { query: {}, lang: 'de' },
      nowMs: h.now,
    });
    await h.db.db.deleteFrom('depot_grants').where('user_id', '=', other).execute();
    await h.exports.drain();
    expect(await state(jobId)).toMatchObject({ state: 'failed' });
    expect((await state(jobId)).error).toMatch(/no longer has a role/);
  });

  it('an unknown export kind starts nothing', async () => {
    const before = await h.db.db
      .selectFrom('export_jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    await viewer.get(`/depots/${depotId}/exports/jobs`);
    const response = await viewer.post(`/depots/${depotId}/exports/jobs`, { export: 'audit' });
    expect(response.status).toBe(303);
    const after = await h.db.db
      .selectFrom('export_jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });
});
