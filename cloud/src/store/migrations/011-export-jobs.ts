import type { Kysely } from 'kysely';

/**
 * Exports that run in the background (a year of movements, a long report):
 * one row per job with its filter, state and progress. The file itself lies
 * in the export folder under `file_name`. A job whose process died stays
 * 'running' with an old heartbeat; the next runner takes it up again
 * (attempts + 1) or marks it failed, so none is lost silently.
 */
export const exportJobs = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('export_jobs')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'varchar(20)', (c) => c.notNull())
      .addColumn('format', 'varchar(8)', (c) => c.notNull())
      // The list's query values, separator, language and month, as JSON.
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('rows_written', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('file_name', 'varchar(200)')
      .addColumn('sha256', 'varchar(64)')
      .addColumn('bytes', 'bigint')
      .addColumn('error', 'varchar(500)')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('started_at_ms', 'bigint')
      .addColumn('heartbeat_ms', 'bigint')
      .addColumn('finished_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('export_jobs_depot').on('export_jobs').columns(['depot_id', 'id']).execute();
    await db.schema.createIndex('export_jobs_state').on('export_jobs').columns(['state', 'id']).execute();
  },
};
