import type { ExportJob } from '../../store/exports/export-jobs.js';
import { JOB_KINDS } from '../../store/exports/export-jobs.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { formatDateTime, formatNumber } from '../i18n/format.js';
import type { Language } from '../i18n/language.js';
import { jobTexts } from './job-texts.js';

export function jobKindName(lang: Language, kind: ExportJob['kind']): string {
  return jobTexts[lang].kinds.split(',')[JOB_KINDS.indexOf(kind)] ?? kind;
}

function size(lang: Language, bytes: number | null): string {
  if (bytes === null) return '–';
  return bytes < 1_000_000
    ? `${formatNumber(lang, Math.ceil(bytes / 1000))} kB`
    : `${formatNumber(lang, Math.round(bytes / 100_000) / 10)} MB`;
}

/** The job table: also what the live stream sends again when a job moves on. */
export function JobTable(props: { view: View; depotId: number; jobs: readonly ExportJob[]; timeZone: string }) {
  const { view } = props;
  const t = jobTexts[view.lang];
  if (props.jobs.length === 0) return <p>{t.none}</p>;
  return (
    <table class="responsive exports">
      <thead>
        <tr>
          <th>{t.created}</th>
          <th>{t.what}</th>
          <th>{t.by}</th>
          <th>{t.state}</th>
          <th>{t.rows}</th>
          <th>{t.size}</th>
          <th>{t.file}</th>
        </tr>
      </thead>
      <tbody>
        {props.jobs.map((job) => (
          <tr data-job-id={String(job.id)} data-state={job.state}>
            <td data-label={t.created}>{formatDateTime(view.lang, job.createdAtMs, props.timeZone)}</td>
            <td data-label={t.what}>{jobKindName(view.lang, job.kind)}</td>
            <td data-label={t.by}>{job.username ?? '–'}</td>
            <td data-label={t.state}>
              {job.state === 'queued'
                ? t.queued
                : job.state === 'running'
                  ? t.running(formatNumber(view.lang, job.rowsWritten))
                  : job.state === 'done'
                    ? t.done
                    : t.failed(job.error ?? '')}
            </td>
            <td data-label={t.rows}>{formatNumber(view.lang, job.rowsWritten)}</td>
            <td data-label={t.size}>{size(view.lang, job.bytes)}</td>
            <td data-label={t.file}>
              {job.state === 'done' ? (
                <>
                  <a href={`/depots/${props.depotId}/exports/jobs/${job.id}`}>{t.download}</a>
                  <br />
                  <small class="muted" title={t.sha}>
                    {job.sha256}
                  </small>
                </>
              ) : (
                '–'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The depot's exports. While a job is waiting or running, live.js follows
 * the stream named in data-live-src and puts the table it sends in place
 * (the dashboard's mechanism; the part is called "summary" there).
 */
export function JobsPage(props: {
  view: View;
  depot: { id: number; name: string; timeZone: string };
  jobs: readonly ExportJob[];
  notice?: string;
  available: boolean;
}) {
  const { view, depot } = props;
  const t = jobTexts[view.lang];
  // Live only when something may still change: a finished list is final (and needs no script).
  const busy = props.jobs.some((j) => j.state === 'queued' || j.state === 'running');
  return (
    <Layout view={view} title={t.title(depot.name)} scripts={busy ? ['/static/live.js'] : []}>
      <p>
        <a href={`/depots/${depot.id}`}>← {depot.name}</a>
      </p>
      <h1>{t.title(depot.name)}</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <p class="muted">{props.available ? t.intro : t.unavailable}</p>
      <div
        id="exports"
        {...(busy ? { 'data-live-src': `/depots/${depot.id}/exports/jobs/live`, 'data-stale-text': t.stale } : {})}
      >
        <p class="muted" data-live="status" aria-live="polite" />
        <div data-live="summary">
          <JobTable view={view} depotId={depot.id} jobs={props.jobs} timeZone={depot.timeZone} />
        </div>
      </div>
    </Layout>
  );
}
