import type { Kysely } from 'kysely';
import { insertedId, toNumber, toNumberOrNull } from '../row-values.js';
import type { ExportJobState, Schema } from '../schema.js';

/** The kinds that run in the background (the audit log is downloaded at once: its scope is per user). */
export const JOB_KINDS = ['movements', 'alerts', 'pins', 'commands', 'report'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export function isJobKind(value: string): value is JobKind {
  return (JOB_KINDS as readonly string[]).includes(value);
}

/** What a job was asked for: the list's query values as given, read again when it runs. */
export interface JobParams {
  readonly query: Readonly<Record<string, string>>;
  readonly lang: 'de' | 'en';
}

export interface ExportJob {
  readonly id: number;
  readonly depotId: number;
  readonly userId: number;
  readonly username: string | null;
  readonly kind: JobKind;
  readonly format: 'csv' | 'pdf';
  readonly params: JobParams;
  readonly state: ExportJobState;
  readonly rowsWritten: number;
  readonly attempts: number;
  readonly fileName: string | null;
  readonly sha256: string | null;
  readonly bytes: number | null;
  readonly error: string | null;
  readonly createdAtMs: number;
  readonly finishedAtMs: number | null;
}

/** A runner that has not written a heartbeat for this long is taken for dead. */
export const STALE_AFTER_MS = 60_000;
/** A job is tried this often (restarts included) before it is marked failed. */
export const MAX_ATTEMPTS = 3;

export async function createExportJob(
  db: Kysely<Schema>,
  input: { depotId: number; userId: number; kind: JobKind; params: JobParams; nowMs: number },
): Promise<number> {
  const result = await db
    .insertInto('export_jobs')
    .values({
      depot_id: input.depotId,
      user_id: input.userId,
      kind: input.kind,
      format: input.kind === 'report' ? 'pdf' : 'csv',
      params: JSON.stringify(input.params),
      state: 'queued',
      created_at_ms: input.nowMs,
    })
    .executeTakeFirstOrThrow();
  return insertedId(result);
}

function jobQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('export_jobs as j')
    .leftJoin('users as u', 'u.id', 'j.user_id')
    .selectAll('j')
    .select('u.username');
}

type JobRow = Awaited<ReturnType<ReturnType<typeof jobQuery>['execute']>>[number];

function fromRow(row: JobRow): ExportJob {
  return {
    id: toNumber(row.id),
    depotId: toNumber(row.depot_id),
    userId: toNumber(row.user_id),
    username: row.username ?? null,
    kind: isJobKind(row.kind) ? row.kind : 'movements',
    format: row.format === 'pdf' ? 'pdf' : 'csv',
    params: JSON.parse(row.params) as JobParams,
    state: row.state,
    rowsWritten: toNumber(row.rows_written),
    attempts: toNumber(row.attempts),
    fileName: row.file_name,
    sha256: row.sha256,
    bytes: toNumberOrNull(row.bytes),
    error: row.error,
    createdAtMs: toNumber(row.created_at_ms),
    finishedAtMs: toNumberOrNull(row.finished_at_ms),
  };
}

/** A depot's newest jobs (every user with a role on the depot sees them: they hold only that depot's records). */
export async function depotJobs(db: Kysely<Schema>, depotId: number, limit = 50): Promise<ExportJob[]> {
  return (await jobQuery(db).where('j.depot_id', '=', depotId).orderBy('j.id', 'desc').limit(limit).execute()).map(
    fromRow,
  );
}

/** One job of this depot; null for another depot's job id (the caller answers 404). */
export async function findDepotJob(db: Kysely<Schema>, depotId: number, jobId: number): Promise<ExportJob | null> {
  const row = await jobQuery(db).where('j.depot_id', '=', depotId).where('j.id', '=', jobId).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/**
 * Takes the oldest queued job for this runner, if any: the conditional update
 * lets exactly one of several portal processes win it.
 */
export async function claimNextJob(db: Kysely<Schema>, nowMs: number): Promise<ExportJob | null> {
  for (;;) {
    const next = await db
      .selectFrom('export_jobs')
      .select('id')
      .where('state', '=', 'queued')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!next) return null;
    const claimed = await db
      .updateTable('export_jobs')
      .set((eb) => ({
        state: 'running',
        started_at_ms: nowMs,
        heartbeat_ms: nowMs,
        rows_written: 0,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', next.id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) {
      const row = await jobQuery(db).where('j.id', '=', next.id).executeTakeFirstOrThrow();
      return fromRow(row);
    }
  }
}

export async function reportProgress(db: Kysely<Schema>, jobId: number, rows: number, nowMs: number): Promise<void> {
  await db
    .updateTable('export_jobs')
    .set({ rows_written: rows, heartbeat_ms: nowMs })
    .where('id', '=', jobId)
    .where('state', '=', 'running')
    .execute();
}

export async function finishJob(
  db: Kysely<Schema>,
  jobId: number,
  result: { fileName: string; sha256: string; bytes: number; rows: number; nowMs: number },
): Promise<void> {
  await db
    .updateTable('export_jobs')
    .set({
      state: 'done',
      file_name: result.fileName,
      sha256: result.sha256,
      bytes: result.bytes,
      rows_written: result.rows,
      finished_at_ms: result.nowMs,
      heartbeat_ms: result.nowMs,
    })
    .where('id', '=', jobId)
    .execute();
}

export async function failJob(db: Kysely<Schema>, jobId: number, error: string, nowMs: number): Promise<void> {
  await db
    .updateTable('export_jobs')
    .set({ state: 'failed', error: error.slice(0, 500), finished_at_ms: nowMs })
    .where('id', '=', jobId)
    .execute();
}

/**
 * Jobs left 'running' by a process that is gone (no heartbeat for
 * STALE_AFTER_MS, or any at start-up of the only runner): queued again, or
 * failed with the reason once they were tried MAX_ATTEMPTS times.
 */
export async function recoverStaleJobs(db: Kysely<Schema>, nowMs: number, staleBeforeMs = nowMs - STALE_AFTER_MS) {
  const stale = await db
    .selectFrom('export_jobs')
    .select(['id', 'attempts'])
    .where('state', '=', 'running')
    .where('heartbeat_ms', '<', staleBeforeMs)
    .execute();
  for (const job of stale) {
    if (toNumber(job.attempts) >= MAX_ATTEMPTS) {
      await failJob(db, toNumber(job.id), `interrupted ${MAX_ATTEMPTS} times (the portal restarted)`, nowMs);
    } else {
      await db
        .updateTable('export_jobs')
        .set({ state: 'queued', rows_written: 0 })
        .where('id', '=', job.id)
        .where('state', '=', 'running')
        .execute();
    }
  }
  return stale.length;
}
