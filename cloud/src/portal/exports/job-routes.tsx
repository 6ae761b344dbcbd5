import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { streamSSE } from 'hono/streaming';
import { createExportJob, depotJobs, findDepotJob, isJobKind } from '../../store/exports/export-jobs.js';
import { depotRole, parseId } from '../access/access.js';
import type { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import type { PortalContext } from '../portal-env.js';
import { currentUser } from '../portal-env.js';
import { downloadName } from './export-query.js';
import { JobsPage, JobTable } from './job-pages.js';
import { jobTexts } from './job-texts.js';

/** The list values a job keeps (the same names as the lists' query strings). */
const JOB_QUERY = ['compartment', 'kind', 'from', 'to', 'delimiter', 'month'] as const;
const LIVE_POLL_MS = 1_000;
const LIVE_LIFETIME_MS = 10 * 60_000;

/** Background exports of a depot: start one, the list with live progress, download a finished file. */
export function addJobRoutes(area: PortalArea): void {
  area.get('/:depotId/exports/jobs', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const { store, exports } = c.get('deps');
    const view = viewOf(c);
    const notice = c.req.query('started') === '1' ? jobTexts[view.lang].started : undefined;
    return c.html(
      <JobsPage
        view={view}
        depot={depot}
        jobs={await depotJobs(store.db, depot.id)}
        available={exports !== undefined}
        {...(notice ? { notice } : {})}
      />,
    );
  });

  area.post('/:depotId/exports/jobs', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const { store, exports, clock } = c.get('deps');
    const form = await readForm(c);
    const kind = form.raw('export');
    if (!exports || !isJobKind(kind)) return c.redirect(`/depots/${depot.id}/exports/jobs`, 303);
    const query: Record<string, string> = {};
    for (const name of JOB_QUERY) {
      const value = form.raw(name).slice(0, 20);
      if (value !== '') query[name] = value;
    }
    await createExportJob(store.db, {
      depotId: depot.id,
      userId: currentUser(c).id,
      kind,
      params: { query, lang: c.get('lang') },
      nowMs: clock(),
    });
    exports.poke();
    return c.redirect(`/depots/${depot.id}/exports/jobs?started=1`, 303);
  });

  area.get('/:depotId/exports/jobs/live', depotRole('viewer'), (c) => liveJobs(c));

  area.get('/:depotId/exports/jobs/:jobId', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const { store, exports } = c.get('deps');
    const jobId = parseId(c.req.param('jobId'));
    const job = jobId === null ? null : await findDepotJob(store.db, depot.id, jobId);
    if (job?.state !== 'done' || !job.fileName || !exports) return renderNotFound(c);
    const path = join(exports.dir, basename(job.fileName));
    const size = await stat(path).then(
      (s) => s.size,
      () => null,
    );
    if (size === null) return renderNotFound(c);
    c.header('Content-Type', job.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf');
    c.header('Content-Length', String(size));
    c.header(
      'Content-Disposition',
      `attachment; filename="${downloadName(job.kind, depot.id, job.createdAtMs, job.format)}"`,
    );
    c.header('Cache-Control', 'no-store');
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>);
  });
}

/** The job table again whenever it changes (progress, a finished file); the browser reconnects after the lifetime. */
function liveJobs(c: PortalContext) {
  const depot = c.get('depot');
  const { store, logger } = c.get('deps');
  const view = viewOf(c);
  return streamSSE(c, async (stream) => {
    const startedAt = Date.now();
    let sent = '';
    try {
      while (!stream.aborted && !stream.closed && Date.now() - startedAt < LIVE_LIFETIME_MS) {
        const jobs = await depotJobs(store.db, depot.id);
        const html = String(
          await (<JobTable view={view} depotId={depot.id} jobs={jobs} timeZone={depot.timeZone} />).toString(),
        );
        if (html !== sent) {
          await stream.writeSSE({ event: 'snapshot', data: JSON.stringify({ summary: html }), retry: 2_000 });
          sent = html;
        }
        // Nothing running: look less often (a job started in another tab still shows up).
        const busy = jobs.some((j) => j.state === 'queued' || j.state === 'running');
        await stream.sleep(busy ? LIVE_POLL_MS : 5 * LIVE_POLL_MS);
      }
    } catch (error) {
      logger.warn({ err: error }, 'export progress stream stopped');
    }
  });
}
