import { CompiledQuery, type Kysely } from 'kysely';
import type { StoreDatabase } from '../database.js';
import type { CommandState } from '../schema.js';
import { num, type RelaySchema, relayDb } from './relay-schema.js';

// The relay's own audit entries (actor 'relay'): command state changes and
// sessions it ended for a revoked or rekeyed depot. Online/offline entries are
// written by presence.ts. Written only on a change: these are rare next to the
// telegrams (events are not audited one by one: they are the movements).
//
// The depot's organisation is read with a plain SELECT first, not joined into
// the INSERT … SELECT: MariaDB takes shared locks on every row an INSERT …
// SELECT reads, and a lock on the depot row taken after the command row's
// would invert the uplink batch's order (depots, then commands) and deadlock.

/** One command moving from one state to another (after the UPDATE that moved it). */
export interface CommandStateChange {
  readonly depotId: number;
  readonly id: number;
  readonly to: CommandState;
  readonly detail: string | null;
  readonly nowMs: number;
}

/**
 * The entry for a command state change, with '?' placeholders (both drivers
 * take them): the SQLite uplink batch prepares it once, the Kysely paths run it
 * with CompiledQuery. The state before is 'queued' for a send, and for a result
 * 'sent' if the relay had carried the command (sent_at_ms), else 'queued'.
 */
export const COMMAND_AUDIT_SQL = `INSERT INTO audit_log
  (at_ms, actor, action, organisation_id, depot_id, subject, before_json, after_json)
  SELECT ?, 'relay', ?, ?, c.depot_id, ?,
    json_object('state', CASE WHEN ? = 'sent' OR c.sent_at_ms IS NULL THEN 'queued' ELSE 'sent' END),
    json_object('state', ?, 'kind', c.kind, 'detail', ?)
  FROM commands c WHERE c.depot_id = ? AND c.id = ?`;

/** The depot's organisation, for the entry (a plain read: see above). */
export const DEPOT_ORGANISATION_SQL = 'SELECT organisation_id FROM depots WHERE id = ?';

/** The parameters of COMMAND_AUDIT_SQL, in order. */
export function commandAuditParams(change: CommandStateChange, organisationId: number | null): unknown[] {
  return [
    change.nowMs,
    `command.${change.to}`,
    organisationId,
    `command ${change.id}`,
    change.to,
    change.to,
    change.detail,
    change.depotId,
    change.id,
  ];
}

/** Writes the entry for a change just made; call it in the transaction that made it. */
export async function auditCommandState(db: Kysely<RelaySchema>, change: CommandStateChange): Promise<void> {
  const organisationId = await depotOrganisation(db, change.depotId);
  await db.executeQuery(CompiledQuery.raw(COMMAND_AUDIT_SQL, commandAuditParams(change, organisationId)));
}

async function depotOrganisation(db: Kysely<RelaySchema>, depotId: number): Promise<number | null> {
  const result = await db.executeQuery<{ organisation_id: unknown }>(
    CompiledQuery.raw(DEPOT_ORGANISATION_SQL, [depotId]),
  );
  const row = result.rows[0];
  return row ? num(row.organisation_id) : null;
}

/**
 * A relay process stopped talking on a depot's sessions because the depot was
 * revoked or got a new key. Written once per process that held such sessions
 * (each relay keeps its own cache), so the log shows the change took effect.
 */
export async function auditSessionsEnded(
  store: StoreDatabase,
  change: { depotId: number; ended: number; reason: 'revoked' | 'rekeyed'; nowMs: number },
): Promise<void> {
  const db = relayDb(store);
  await db.executeQuery(
    CompiledQuery.raw(
      `INSERT INTO audit_log (at_ms, actor, action, organisation_id, depot_id, subject, before_json, after_json)
        VALUES (?, 'relay', 'depot.sessions-ended', ?, ?, ?, ?, ?)`,
      [
        change.nowMs,
        await depotOrganisation(db, change.depotId),
        change.depotId,
        `depot ${change.depotId}`,
        // Sessions on the revoked (or replaced) key this relay process still held, and none after.
        JSON.stringify({ openSessions: change.ended }),
        JSON.stringify({ openSessions: 0, reason: change.reason }),
      ],
    ),
  );
}
