import { randomInt } from 'node:crypto';
import { CommandKind, offlinePin, PinKind, type ScheduleEntry, slotValidity } from '@keydepot/shared';
import type { Insertable, Kysely } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import { appendAudit } from '../audit.js';
import type { StoreDatabase } from '../database.js';
import { inTransaction } from '../depots.js';
import { queueCommand } from '../relay/commands.js';
import { insertedId, toNumber } from '../row-values.js';
import type { PinsTable, Schema } from '../schema.js';
import { digitsPlace, findPin, isRevocable, ONLINE_PIN_DIGITS, type PinKindName } from './pins.js';
import { firstFreeOfflineSlot } from './pins-offline.js';

const WIRE_KIND: Record<Exclude<PinKindName, 'offline'>, PinKind> = {
  'one-time': PinKind.OneTime,
  'time-window': PinKind.TimeWindow,
  weekly: PinKind.RecurringWeekly,
  permanent: PinKind.Permanent,
};

/** Who asks, for the audit entry. */
export interface PinActor {
  readonly depotId: number;
  readonly organisationId: number;
  readonly userId: number;
  readonly nowMs: number;
  readonly address: string;
}

export interface OnlinePinRequest extends PinActor {
  readonly kind: Exclude<PinKindName, 'offline'>;
  readonly compartment: number;
  readonly label: string;
  /** 0 = unbounded. */
  readonly validFromMs: number;
  readonly validUntilMs: number;
  readonly schedule: readonly ScheduleEntry[];
}

export interface OfflinePinRequest extends PinActor {
  readonly compartment: number;
  readonly label: string;
  readonly startHour: number;
  readonly durationCode: number;
}

export interface CreatedPin {
  readonly pinId: number;
  readonly digits: string;
}

/** Every offline slot of the depot has all its variants issued, or each free one collides. */
export class NoFreeOfflinePinError extends Error {
  override name = 'NoFreeOfflinePinError';
}

/** The digits of the depot's PINs that may still open something, opened from their seals. */
async function liveDigits(db: Kysely<Schema>, sealer: DataSealer, depotId: number, nowMs: number) {
  const rows = await db
    .selectFrom('pins')
    .select(['id', 'digits_sealed'])
    .where('depot_id', '=', depotId)
    .where('revoked_at_ms', 'is', null)
    .where((eb) => eb.or([eb('valid_until_ms', '=', 0), eb('valid_until_ms', '>', nowMs)]))
    .execute();
  const digits = new Set<string>();
  for (const row of rows) {
    if (row.digits_sealed) digits.add(sealer.open(new Uint8Array(row.digits_sealed), digitsPlace(toNumber(row.id))));
  }
  return digits;
}

/**
 * Random digits that no live PIN of the depot has: two PINs with the same
 * digits for different compartments would be refused as ambiguous. (Two
 * creations at the same moment could still draw the same 8 digits: 1 in 10^8.)
 */
function freshDigits(taken: ReadonlySet<string>): string {
  for (;;) {
    const digits = String(randomInt(0, 10 ** ONLINE_PIN_DIGITS)).padStart(ONLINE_PIN_DIGITS, '0');
    if (!taken.has(digits)) return digits;
  }
}

/** Inserts the pins row, seals its digits under its own id, and writes the audit entry. */
async function insertPin(
  trx: Kysely<Schema>,
  sealer: DataSealer,
  actor: PinActor,
  values: Omit<Insertable<PinsTable>, 'depot_id' | 'state' | 'created_by_user_id' | 'created_at_ms'> & {
    kind: PinKindName;
  },
  digits: string,
): Promise<number> {
  const result = await trx
    .insertInto('pins')
    .values({
      ...values,
      depot_id: actor.depotId,
      state: 'queued',
      created_by_user_id: actor.userId,
      created_at_ms: actor.nowMs,
    })
    .executeTakeFirstOrThrow();
  const pinId = insertedId(result);
  await trx
    .updateTable('pins')
    .set({ digits_sealed: sealer.seal(digits, digitsPlace(pinId)) })
    .where('id', '=', pinId)
    .execute();
  return pinId;
}

function audit(trx: Kysely<Schema>, actor: PinActor, action: string, pinId: number, before?: unknown, after?: unknown) {
  return appendAudit(trx, {
    atMs: actor.nowMs,
    actor: 'user',
    actorUserId: actor.userId,
    action,
    organisationId: actor.organisationId,
    depotId: actor.depotId,
    subject: `pin ${pinId}`,
    before,
    after,
    address: actor.address,
  });
}

/**
 * Creates an online PIN and queues its PIN_ADD in one transaction: the row,
 * the sealed digits, the command (carrying the row id as PIN id) and the
 * audit entry (without the digits) commit together. The PIN_ADD is not sent
 * after the PIN's end: a late one would only be refused.
 */
export async function createOnlinePin(
  store: StoreDatabase,
  sealer: DataSealer,
  request: OnlinePinRequest,
): Promise<CreatedPin> {
  const digits = freshDigits(await liveDigits(store.db, sealer, request.depotId, request.nowMs));
  const pinId = await inTransaction(store.db, async (trx) => {
    const pinId = await insertPin(
      trx,
      sealer,
      request,
      {
        kind: request.kind,
        compartment: request.compartment,
        label: request.label,
        valid_from_ms: request.validFromMs,
        valid_until_ms: request.validUntilMs,
        schedule: request.schedule.length > 0 ? JSON.stringify(request.schedule) : null,
      },
      digits,
    );
    // The PIN_ADD carries the digits: sealed beside the command with the same data key (command-secrets.ts).
    const commandId = await queueCommand(
      { ...store, db: trx, sealer },
      request.depotId,
      {
        command: CommandKind.PinAdd,
        pinId,
        pinKind: WIRE_KIND[request.kind],
        compartment: request.compartment,
        digits,
        validFromMs: request.validFromMs,
        validUntilMs: request.validUntilMs,
        schedule: request.schedule,
      },
      { notAfterMs: request.validUntilMs, userId: request.userId, nowMs: request.nowMs },
    );
    await trx.updateTable('pins').set({ command_id: commandId }).where('id', '=', pinId).execute();
    await audit(trx, request, 'pin.create', pinId, undefined, {
      kind: request.kind,
      compartment: request.compartment,
      label: request.label,
      validFromMs: request.validFromMs,
      validUntilMs: request.validUntilMs,
      schedule: request.schedule,
      commandId,
    });
    return pinId;
  });
  return { pinId, digits };
}

/**
 * Issues an offline PIN: the first variant of the slot that is not issued yet
 * and whose PIN no other slot of the depot's table shares during its
 * validity (pins-offline.ts), so the depot never finds it ambiguous.
 */
export async function createOfflinePin(
  store: StoreDatabase,
  sealer: DataSealer,
  offlineKey: Uint8Array,
  compartments: number,
  request: OfflinePinRequest,
): Promise<CreatedPin> {
  const issued = await store.db
    .selectFrom('pins')
    .select('offline_variant')
    .where('depot_id', '=', request.depotId)
    .where('compartment', '=', request.compartment)
    .where('offline_start_hour', '=', request.startHour)
    .where('offline_duration_code', '=', request.durationCode)
    .execute();
  const taken = new Set(issued.map((r) => (r.offline_variant === null ? -1 : toNumber(r.offline_variant))));
  const { compartment, startHour, durationCode } = request;
  const chosen = await firstFreeOfflineSlot(
    { offlineKey, depotId: request.depotId, compartments },
    { compartment, startHour, durationCode },
    taken,
  );
  if (!chosen) throw new NoFreeOfflinePinError('no free offline PIN for this slot');
  const digits = offlinePin(offlineKey, request.depotId, chosen);
  const { fromMs, untilMs } = slotValidity(chosen);
  const pinId = await inTransaction(store.db, async (trx) => {
    const pinId = await insertPin(
      trx,
      sealer,
      request,
      {
        kind: 'offline',
        compartment: chosen.compartment,
        label: request.label,
        valid_from_ms: fromMs,
        valid_until_ms: untilMs,
        schedule: null,
        offline_start_hour: chosen.startHour,
        offline_duration_code: chosen.durationCode,
        offline_variant: chosen.variant,
      },
      digits,
    );
    await audit(trx, request, 'pin.create', pinId, undefined, {
      kind: 'offline',
      compartment: chosen.compartment,
      label: request.label,
      validFromMs: fromMs,
      validUntilMs: untilMs,
      slot: chosen,
    });
    return pinId;
  });
  return { pinId, digits };
}

/**
 * Revokes a PIN that may still open something and queues its PIN_REVOKE
 * (with the slot for an offline PIN), in one transaction with the audit
 * entry. False when the PIN is not revocable (used, expired, revoked).
 */
export async function revokePin(store: StoreDatabase, actor: PinActor & { readonly pinId: number }): Promise<boolean> {
  return inTransaction(store.db, async (trx) => {
    const pin = await findPin(trx, actor.depotId, actor.pinId, actor.nowMs);
    if (!pin || !isRevocable(pin.state)) return false;
    const updated = await trx
      .updateTable('pins')
      .set({ state: 'revoked', revoked_at_ms: actor.nowMs })
      .where('id', '=', pin.id)
      .where('revoked_at_ms', 'is', null)
      .executeTakeFirst();
    // A second revoke racing this one changed the row first: it queues the command.
    if (Number(updated.numUpdatedRows) !== 1) return false;
    const commandId = await queueCommand(
      { ...store, db: trx },
      actor.depotId,
      { command: CommandKind.PinRevoke, pinId: pin.id, ...(pin.offlineSlot ? { offline: pin.offlineSlot } : {}) },
      { userId: actor.userId, nowMs: actor.nowMs },
    );
    await trx.updateTable('pins').set({ revoke_command_id: commandId }).where('id', '=', pin.id).execute();
    await audit(trx, actor, 'pin.revoke', pin.id, { state: pin.state }, { state: 'revoked', commandId });
    return true;
  });
}
