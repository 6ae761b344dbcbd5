import { type Kysely, sql } from 'kysely';

const binary = (bytes: number) => sql`varbinary(${sql.raw(String(bytes))})`;
/** CommandKind.PinAdd on the wire (shared/src/frames.ts), fixed here as this migration was written. */
const PIN_ADD = 1;

/**
 * No secret beside its row in clear (docs/operations.md, "What a database dump holds"):
 *
 * - depot_sessions: the transport keys were stored as they are, so a dump could
 *   forge relay→depot telegrams for the life of a session. They are now one
 *   value sealed with the data key (keys_sealed). A migration has no data key,
 *   so the live sessions are deleted: each depot makes a new handshake when its
 *   check-ins go unanswered (within 3 check-ins, about 3 minutes).
 * - commands: a PIN_ADD's digits were part of `payload`. New commands keep
 *   them sealed in secret_sealed. Finished commands lose them here (they are
 *   never sent again); unfinished ones still have to reach their depot, so the
 *   relay seals theirs at its next start (store/relay/commands.ts
 *   sealClearCommandSecrets), with the data key it has.
 *
 * On SQLite, migrateToLatest runs migrations with secure_delete on and empties
 * the WAL afterwards, so the old bytes do not linger in free pages.
 */
export const sealedSecrets = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`DELETE FROM depot_sessions`.execute(db);
    await db.schema.alterTable('depot_sessions').dropColumn('send_key').execute();
    await db.schema.alterTable('depot_sessions').dropColumn('receive_key').execute();
    await db.schema
      .alterTable('depot_sessions')
      .addColumn('keys_sealed', binary(255), (c) => c.notNull().defaultTo(sql`x''`))
      .execute();

    await db.schema.alterTable('commands').addColumn('secret_sealed', binary(255)).execute();
    const finished = await sql<{ depot_id: number; id: number; payload: string }>`
      SELECT depot_id, id, payload FROM commands
      WHERE kind = ${PIN_ADD} AND state NOT IN ('queued', 'sent')`.execute(db);
    for (const row of finished.rows) {
      const cleared = withoutDigits(row.payload);
      if (cleared === undefined) continue;
      await sql`UPDATE commands SET payload = ${cleared}
        WHERE depot_id = ${Number(row.depot_id)} AND id = ${Number(row.id)}`.execute(db);
    }
  },
};

/** The payload without its digits, or undefined when it has none (or is not JSON). */
function withoutDigits(payload: string): string | undefined {
  try {
    const body = JSON.parse(payload) as Record<string, unknown>;
    if (!('digits' in body)) return undefined;
    delete body.digits;
    return JSON.stringify(body);
  } catch {
    return undefined;
  }
}
