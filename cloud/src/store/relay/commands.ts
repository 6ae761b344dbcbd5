import {
  type CommandBody,
  CommandKind,
  CommandStatus,
  encodeFrame,
  FrameKind,
  isProtocolError,
  MAX_OPEN_VALIDITY_MS,
} from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import type { Dialect, StoreDatabase } from '../database.js';
import type { CommandState } from '../schema.js';
import { byPrimaryKey, idsIn, integerCase } from './batch-sql.js';
import {
  commandSecretPlace,
  joinSecret,
  MissingSealerError,
  payloadHoldsSecret,
  splitSecret,
} from './command-secrets.js';
import { retryLockConflicts } from './lock-conflicts.js';
import { auditCommandState } from './relay-audit.js';
import { bytes, num, type RelaySchema, relayDb } from './relay-schema.js';

/** A command the relay refuses to queue (it would be rejected or never be valid on a depot). */
export class CommandRejectedError extends Error {
  override readonly name = 'CommandRejectedError';
}

export interface QueueCommandOptions {
  /** Not to be applied after this time (ms); 0 = no limit (not allowed for OPEN). */
  readonly notAfterMs?: number;
  readonly userId?: number | null;
  readonly nowMs?: number;
}

/**
 * Queues a command for a depot with the next per-depot id (depots.last_command_id,
 * raised atomically), state 'queued'. Any relay process sends it with the next reply
 * and pushes it to a depot heard from within 30 s. Returns the command id.
 * A body with a secret (a PIN_ADD's digits) needs the store's sealer: the
 * secret is stored sealed (command-secrets.ts), never in the payload.
 */
export async function queueCommand(
  store: StoreDatabase,
  depotId: number,
  body: CommandBody,
  options: QueueCommandOptions = {},
): Promise<number> {
  const nowMs = options.nowMs ?? Date.now();
  const notAfterMs = options.notAfterMs ?? 0;
  if (body.command === CommandKind.Open && (notAfterMs === 0 || notAfterMs > nowMs + MAX_OPEN_VALIDITY_MS)) {
    throw new CommandRejectedError(`an OPEN needs a not-after within ${MAX_OPEN_VALIDITY_MS} ms`);
  }
  try {
    encodeFrame({ kind: FrameKind.Command, id: 2, previousId: 1, notAfterMs, body });
  } catch (error) {
    if (isProtocolError(error)) throw new CommandRejectedError(`command does not encode: ${error.message}`);
    throw error;
  }
  const { payload, secret } = splitSecret(body);
  const { sealer } = store;
  if (secret !== null && !sealer) throw new MissingSealerError('queue a command that carries a PIN');
  const work = async (trx: Kysely<RelaySchema>): Promise<number> => {
    const raised = await trx
      .updateTable('depots')
      .set({ last_command_id: sql`last_command_id + 1` })
      .where('id', '=', depotId)
      .executeTakeFirst();
    if (num(raised.numUpdatedRows) !== 1) throw new CommandRejectedError(`no depot ${depotId}`);
    const row = await trx
      .selectFrom('depots')
      .select('last_command_id')
      .where('id', '=', depotId)
      .executeTakeFirstOrThrow();
    const id = num(row.last_command_id);
    await trx
      .insertInto('commands')
      .values({
        depot_id: depotId,
        id,
        kind: body.command,
        payload,
        secret_sealed: secret === null || !sealer ? null : sealer.seal(secret, commandSecretPlace(depotId, id)),
        not_after_ms: notAfterMs,
        state: 'queued',
        created_at_ms: nowMs,
        created_by_user_id: options.userId ?? null,
      })
      .execute();
    return id;
  };
  // Joins a transaction the caller holds (the portal queues a PIN_ADD with its pins row and audit entry).
  const db = relayDb(store);
  // Its own transaction: run again if MariaDB picked it as a deadlock victim (nothing of it was stored).
  return db.isTransaction ? work(db) : retryLockConflicts(() => db.transaction().execute(work));
}

/** A command still to be carried to its depot (queued or sent, no result yet). */
export interface PendingCommand {
  readonly depotId: number;
  readonly id: number;
  state: 'queued' | 'sent';
  readonly notAfterMs: number;
  readonly body: CommandBody;
}

/** A pending command whose secret did not open (a wrong or missing data key): it is not carried. */
export interface UnreadableCommand {
  readonly depotId: number;
  readonly id: number;
  readonly error: Error;
}

/**
 * Every unfinished command, and each affected depot's last applied command id
 * (the base of previousId). `known` hands back the body of a command the caller
 * loaded before (a command never changes once queued): only new commands are
 * parsed and have their secret opened, so a poll every 250 ms costs no crypto
 * for commands still waiting.
 */
export async function loadPendingCommands(
  store: StoreDatabase,
  known: (depotId: number, id: number) => CommandBody | undefined = () => undefined,
): Promise<{ commands: PendingCommand[]; lastApplied: Map<number, number>; unreadable: UnreadableCommand[] }> {
  const rows = await relayDb(store)
    .selectFrom('commands as c')
    .innerJoin('depots as d', 'd.id', 'c.depot_id')
    .select([
      'c.depot_id',
      'c.id',
      'c.state',
      'c.not_after_ms',
      'c.payload',
      'c.secret_sealed',
      'd.last_applied_command_id',
    ])
    .where('c.state', 'in', ['queued', 'sent'])
    .where('d.revoked_at_ms', 'is', null)
    .orderBy('c.depot_id')
    .orderBy('c.id')
    .execute();
  const lastApplied = new Map<number, number>();
  const commands: PendingCommand[] = [];
  const unreadable: UnreadableCommand[] = [];
  for (const row of rows) {
    const depotId = num(row.depot_id);
    const id = num(row.id);
    lastApplied.set(depotId, num(row.last_applied_command_id));
    let body = known(depotId, id);
    if (body === undefined) {
      try {
        const sealed = row.secret_sealed === null ? null : bytes(row.secret_sealed);
        body = joinSecret(row.payload, sealed, store.sealer, commandSecretPlace(depotId, id));
      } catch (error) {
        unreadable.push({ depotId, id, error: error as Error });
        continue;
      }
    }
    commands.push({ depotId, id, state: row.state as 'queued' | 'sent', notAfterMs: num(row.not_after_ms), body });
  }
  return { commands, lastApplied, unreadable };
}

/**
 * Seals the secrets that unfinished commands of an older version still hold
 * in their payload (migration 010 cleared those of finished commands; it had
 * no data key for the rest). Run by the relay at start; returns how many.
 */
export async function sealClearCommandSecrets(store: StoreDatabase): Promise<number> {
  const { sealer } = store;
  if (!sealer) throw new MissingSealerError('seal command secrets');
  const db = relayDb(store);
  const rows = await db
    .selectFrom('commands')
    .select(['depot_id', 'id', 'payload'])
    .where('state', 'in', ['queued', 'sent'])
    .where('secret_sealed', 'is', null)
    .execute();
  let sealed = 0;
  for (const row of rows) {
    if (!payloadHoldsSecret(row.payload)) continue;
    const depotId = num(row.depot_id);
    const id = num(row.id);
    const { payload, secret } = splitSecret(JSON.parse(row.payload) as CommandBody);
    if (secret === null) continue;
    const result = await db
      .updateTable('commands')
      .set({ payload, secret_sealed: sealer.seal(secret, commandSecretPlace(depotId, id)) })
      .where('depot_id', '=', depotId)
      .where('id', '=', id)
      .where('payload', '=', row.payload)
      .executeTakeFirst();
    sealed += num(result.numUpdatedRows);
  }
  return sealed;
}

/** Marks commands as carried for the first time (queued → sent). */
export async function markCommandsSent(
  db: Kysely<RelaySchema>,
  depotId: number,
  ids: readonly number[],
  nowMs: number,
): Promise<void> {
  if (ids.length === 0) return;
  // One UPDATE per command, so each change gets exactly one audit entry (commands are few per reply).
  const work = async (trx: Kysely<RelaySchema>) => {
    for (const id of ids) {
      const sent = await trx
        .updateTable('commands')
        .set({ state: 'sent', sent_at_ms: nowMs })
        .where('depot_id', '=', depotId)
        .where('id', '=', id)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (num(sent.numUpdatedRows) === 1)
        await auditCommandState(trx, { depotId, id, to: 'sent', detail: null, nowMs });
    }
  };
  await (db.isTransaction ? work(db) : db.transaction().execute(work));
}

export const RESULT_STATE: Record<CommandStatus, CommandState> = {
  [CommandStatus.Applied]: 'applied',
  [CommandStatus.Failed]: 'failed',
  [CommandStatus.Expired]: 'expired',
  [CommandStatus.Rejected]: 'rejected',
};

/** Records a COMMAND_RESULT; a repeated result changes nothing. Returns the new state if this one recorded it. */
export async function recordCommandResult(
  db: Kysely<RelaySchema>,
  depotId: number,
  result: { id: number; status: CommandStatus; detail: string },
  nowMs: number,
): Promise<CommandState | undefined> {
  const state = RESULT_STATE[result.status];
  const updated = await db
    .updateTable('commands')
    .set({ state, finished_at_ms: nowMs, result_detail: result.detail })
    .where('depot_id', '=', depotId)
    .where('id', '=', result.id)
    .where('state', 'in', ['queued', 'sent'])
    .executeTakeFirst();
  if (num(updated.numUpdatedRows) !== 1) return undefined;
  await auditCommandState(db, { depotId, id: result.id, to: state, detail: result.detail, nowMs });
  return state;
}

/**
 * Raises each depot's last applied command id (never lowers it), for every
 * depot of an uplink batch in one statement (MySQL/MariaDB). Every STATUS names
 * the depot's last applied command, so one statement per depot was a round
 * trip per check-in for every depot that ever applied a command.
 */
export async function raiseLastAppliedMany(
  db: Kysely<RelaySchema>,
  dialect: Dialect,
  lastApplied: ReadonlyMap<number, number>,
): Promise<void> {
  const raised = [...lastApplied].filter(([, id]) => id > 0);
  for (let i = 0; i < raised.length; i += 1_000) {
    const chunk = raised.slice(i, i + 1_000);
    const newId = integerCase('id', chunk);
    await sql`UPDATE depots${byPrimaryKey(dialect)} SET last_applied_command_id = ${newId}
      WHERE id IN ${idsIn(
        dialect,
        chunk.map(([depotId]) => depotId),
      )} AND last_applied_command_id < ${newId}`.execute(db);
  }
}

/** Protocol §12 rule 1: queued commands past their not-after are expired, never sent. Returns how many. */
export async function expireQueuedCommands(store: StoreDatabase, nowMs: number): Promise<number> {
  const db = relayDb(store);
  const due = await db
    .selectFrom('commands')
    .select(['depot_id', 'id'])
    .where('state', '=', 'queued')
    .where('not_after_ms', '>', 0)
    .where('not_after_ms', '<=', nowMs)
    .execute();
  let expired = 0;
  // Each claimed by a conditional UPDATE (several relays poll), with its audit entry in the same transaction.
  for (const c of due) {
    expired += await db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('commands')
        .set({ state: 'expired', finished_at_ms: nowMs, result_detail: 'expired in the queue' })
        .where('depot_id', '=', c.depot_id)
        .where('id', '=', c.id)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (num(result.numUpdatedRows) !== 1) return 0;
      const detail = 'expired in the queue';
      await auditCommandState(trx, { depotId: num(c.depot_id), id: num(c.id), to: 'expired', detail, nowMs });
      return 1;
    });
  }
  return expired;
}
