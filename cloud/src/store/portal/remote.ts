import { type CommandBody, CommandKind, MAX_OPEN_VALIDITY_MS } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit.js';
import type { StoreDatabase } from '../database.js';
import { inTransaction } from '../depots.js';
import { queueCommand } from '../relay/commands.js';
import type { RelaySchema } from '../relay/relay-schema.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { CommandState, Schema } from '../schema.js';
import { commandSummary } from './depot-page.js';
import type { PinActor } from './pins-write.js';

/** What the portal shows of one command: never its payload (a PIN_ADD carries digits). */
export interface CommandDetail {
  readonly id: number;
  readonly kind: number;
  /** The stored state, except a queued command past its not-after shows as expired (the relay's sweep may lag). */
  readonly state: CommandState;
  readonly compartment: number;
  readonly pinId: number | null;
  readonly notAfterMs: number;
  readonly createdAtMs: number;
  readonly sentAtMs: number | null;
  readonly finishedAtMs: number | null;
  readonly detail: string | null;
  readonly createdBy: string | null;
}

/** Still on its way: the page refreshes itself while this is true. */
export function isPending(state: CommandState): boolean {
  return state === 'queued' || state === 'sent';
}

/** One command of this depot; null for another depot's command id (the caller answers 404). */
export async function findCommand(
  db: Kysely<Schema>,
  depotId: number,
  commandId: number,
  nowMs: number,
): Promise<CommandDetail | null> {
  const row = await db
    .selectFrom('commands as c')
    .leftJoin('users as u', 'u.id', 'c.created_by_user_id')
    .select([
      'c.id',
      'c.kind',
      'c.state',
      'c.payload',
      'c.not_after_ms',
      'c.created_at_ms',
      'c.sent_at_ms',
      'c.finished_at_ms',
      'c.result_detail',
      'u.username',
    ])
    .where('c.depot_id', '=', depotId)
    .where('c.id', '=', commandId)
    .executeTakeFirst();
  if (!row) return null;
  const body = commandSummary(row.payload);
  const notAfterMs = toNumber(row.not_after_ms);
  const lapsed = row.state === 'queued' && notAfterMs !== 0 && nowMs > notAfterMs;
  return {
    id: toNumber(row.id),
    kind: toNumber(row.kind),
    state: lapsed ? 'expired' : row.state,
    compartment: body.compartment ?? 0,
    pinId: body.pinId ?? null,
    notAfterMs,
    createdAtMs: toNumber(row.created_at_ms),
    sentAtMs: toNumberOrNull(row.sent_at_ms),
    finishedAtMs: toNumberOrNull(row.finished_at_ms),
    detail: row.result_detail,
    createdBy: row.username ?? null,
  };
}

/** The keypad lockout as the depot's last STATUS reported it; null before the first STATUS. */
export async function lockoutStatus(
  db: Kysely<Schema>,
  depotId: number,
): Promise<{ untilMs: number; failedAttempts: number; reportedAtMs: number } | null> {
  const row = await (db as unknown as Kysely<RelaySchema>)
    .selectFrom('depot_status')
    .select(['lockout_until_ms', 'failed_attempts', 'received_at_ms'])
    .where('depot_id', '=', depotId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    untilMs: toNumber(row.lockout_until_ms),
    failedAttempts: toNumber(row.failed_attempts),
    reportedAtMs: toNumber(row.received_at_ms),
  };
}

/** Queues a command a user asked for and its audit entry in one transaction; returns the command id. */
async function queueAudited(
  store: StoreDatabase,
  actor: PinActor & { readonly depotName: string },
  action: string,
  body: CommandBody,
  notAfterMs: number,
): Promise<number> {
  return inTransaction(store.db, async (trx) => {
    const commandId = await queueCommand({ ...store, db: trx }, actor.depotId, body, {
      notAfterMs,
      userId: actor.userId,
      nowMs: actor.nowMs,
    });
    await appendAudit(trx, {
      atMs: actor.nowMs,
      actor: 'user',
      actorUserId: actor.userId,
      action,
      organisationId: actor.organisationId,
      depotId: actor.depotId,
      subject: actor.depotName,
      after: { ...body, commandId },
      address: actor.address,
    });
    return commandId;
  });
}

/** A remote OPEN, valid for the protocol's maximum of a minute: a stale open must never fire. */
export function queueRemoteOpen(
  store: StoreDatabase,
  actor: PinActor & { readonly depotName: string },
  compartment: number,
): Promise<number> {
  return queueAudited(
    store,
    actor,
    'depot.open',
    { command: CommandKind.Open, compartment },
    actor.nowMs + MAX_OPEN_VALIDITY_MS,
  );
}

/** Resets the keypad lockout; no time limit (it is harmless whenever it arrives). */
export function queueLockoutReset(store: StoreDatabase, actor: PinActor & { readonly depotName: string }) {
  return queueAudited(store, actor, 'depot.lockout-reset', { command: CommandKind.LockoutReset }, 0);
}
