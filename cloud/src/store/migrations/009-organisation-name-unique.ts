import { type Kysely, sql } from 'kysely';

/**
 * Organisation names unique in the database, not only by the check in
 * `createOrganisation` (two operators creating the same name at once both
 * passed it). `--org <name>` must find exactly one. Names that are already
 * duplicated keep the oldest as it is; the others get their id appended,
 * so the index can be built and nothing is lost.
 */
export const organisationNameUnique = {
  async up(db: Kysely<unknown>): Promise<void> {
    const duplicated = await sql<{ name: string }>`
      SELECT name FROM organisations GROUP BY name HAVING count(*) > 1`.execute(db);
    for (const { name } of duplicated.rows) {
      const rows = await sql<{ id: number }>`SELECT id FROM organisations WHERE name = ${name} ORDER BY id`.execute(db);
      for (const { id } of rows.rows.slice(1)) {
        await sql`UPDATE organisations SET name = ${`${name} (${Number(id)})`} WHERE id = ${Number(id)}`.execute(db);
      }
    }
    await db.schema.createIndex('organisations_name').on('organisations').column('name').unique().execute();
  },
};
