import { type CommandBody, CommandKind, MAX_OPEN_VALIDITY_MS } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit.js';
import type { StoreDatabase } from '../database.js';
import { inTransaction } from '../depots.js';
import { queueCommand } from '../relay/commands.js';
import type { RelaySchema } from '../relay/relay-schema.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import type { PinActor } from './pins-write.js';

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
