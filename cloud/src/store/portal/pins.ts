import { EventKind, type OfflinePinSlot, type ScheduleEntry, slotValidity } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { CommandState, Schema } from '../schema.js';

/*
 * PINs as the portal shows them. The state is worked out when read, from the
 * pins row, its PIN_ADD command and the depot's events, not stored by the
 * relay: the relay's uplink batch (two engine-specific hot paths) stays as it
 * is, and a state can never go stale because a hook was missed.
 *   revoked  - revoked in the portal (pins.revoked_at_ms);
 *   used     - a one-time PIN the depot reported spent (PIN_SPENT `pin:<id>`);
 *   expired  - past valid_until, or its PIN_ADD expired before it arrived;
 *   failed   - the depot refused its PIN_ADD (result detail says why);
 *   queued   - its PIN_ADD is not applied yet;
 *   on-depot - applied (an offline PIN is on the depot from the start: the
 *              depot computes it).
 */

export type PinKindName = 'one-time' | 'time-window' | 'weekly' | 'permanent' | 'offline';
export const PIN_KIND_NAMES: readonly PinKindName[] = ['one-time', 'time-window', 'weekly', 'permanent', 'offline'];
export type PinDisplayState = 'queued' | 'on-depot' | 'used' | 'expired' | 'failed' | 'revoked';

/** Online PINs: 8 digits, outside the 9-digit offline-PIN space (shared/offline-pin.ts), so the two never meet. */
export const ONLINE_PIN_DIGITS = 8;

/** Where a PIN's sealed digits live: the associated data of the seal, so a value copied to another row does not open. */
export const digitsPlace = (pinId: number) => `pins.digits_sealed:${pinId}`;

/** The event subject a depot reports for a PIN (firmware/src/depot/pin-verdict.ts). */
function pinSubject(pin: { id: number; offlineSlot: OfflinePinSlot | null }): string {
  const s = pin.offlineSlot;
  return s ? `offline:${s.compartment}/${s.startHour}/${s.durationCode}/${s.variant}` : `pin:${pin.id}`;
}

export interface PinView {
  readonly id: number;
  readonly depotId: number;
  readonly compartment: number;
  readonly kind: PinKindName;
  readonly label: string;
  /** 0 = unbounded. */
  readonly validFromMs: number;
  readonly validUntilMs: number;
  readonly schedule: readonly ScheduleEntry[];
  readonly offlineSlot: OfflinePinSlot | null;
  readonly state: PinDisplayState;
  readonly createdAtMs: number;
  readonly createdBy: string | null;
  /** When a one-time PIN was spent. */
  readonly usedAtMs: number | null;
  readonly revokedAtMs: number | null;
  readonly commandId: number | null;
  readonly commandState: CommandState | null;
  readonly commandDetail: string | null;
  readonly revokeCommandId: number | null;
  readonly revokeCommandState: CommandState | null;
}

/** The facts the state is computed from. */
export interface PinFacts {
  readonly kind: PinKindName;
  readonly validUntilMs: number;
  readonly revokedAtMs: number | null;
  readonly spent: boolean;
  readonly commandState: CommandState | null;
  /** pins.state as stored: what a row without a PIN_ADD (made by a script or a fixture) falls back to. */
  readonly storedState?: string;
}

/** A PIN's state at `nowMs` (see the top of this file). */
export function pinState(pin: PinFacts, nowMs: number): PinDisplayState {
  if (pin.revokedAtMs !== null) return 'revoked';
  if (pin.spent) return 'used';
  if (pin.validUntilMs !== 0 && nowMs >= pin.validUntilMs) return 'expired';
  if (pin.kind === 'offline') return 'on-depot';
  switch (pin.commandState) {
    case 'applied':
      return 'on-depot';
    case 'expired':
      return 'expired';
    case 'failed':
    case 'rejected':
      return 'failed';
    case 'queued':
    case 'sent':
      return 'queued';
    default:
      return pin.storedState === 'on-depot' ? 'on-depot' : 'queued';
  }
}

/** A PIN can still be taken back while it may open something. */
export function isRevocable(state: PinDisplayState): boolean {
  return state === 'queued' || state === 'on-depot';
}

function baseQuery(db: Kysely<Schema>, depotId: number) {
  return db
    .selectFrom('pins as p')
    .leftJoin('commands as c', (join) => join.onRef('c.depot_id', '=', 'p.depot_id').onRef('c.id', '=', 'p.command_id'))
    .leftJoin('commands as r', (join) =>
      join.onRef('r.depot_id', '=', 'p.depot_id').onRef('r.id', '=', 'p.revoke_command_id'),
    )
    .leftJoin('users as u', 'u.id', 'p.created_by_user_id')
    .select([
      'p.id',
      'p.depot_id',
      'p.compartment',
      'p.kind',
      'p.label',
      'p.valid_from_ms',
      'p.valid_until_ms',
      'p.schedule',
      'p.offline_start_hour',
      'p.offline_duration_code',
      'p.offline_variant',
      'p.created_at_ms',
      'p.revoked_at_ms',
      'p.state',
      'p.command_id',
      'p.revoke_command_id',
      'c.state as command_state',
      'c.result_detail as command_detail',
      'r.state as revoke_command_state',
      'u.username',
    ])
    .where('p.depot_id', '=', depotId);
}

type PinRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['execute']>>[number];

/** When the depot reported each of these one-time PINs spent (by PIN id). */
async function spentTimes(db: Kysely<Schema>, depotId: number, rows: readonly PinRow[]): Promise<Map<number, number>> {
  const subjects = rows.filter((r) => r.kind === 'one-time').map((r) => `pin:${toNumber(r.id)}`);
  const spent = new Map<number, number>();
  if (subjects.length === 0) return spent;
  // The (depot, kind, …) index finds the depot's PIN_SPENT events; there is one per spent PIN.
  const events = await db
    .selectFrom('events')
    .select(['subject', 'depot_time_ms', 'received_at_ms'])
    .where('depot_id', '=', depotId)
    .where('kind', '=', EventKind.PinSpent)
    .where('subject', 'in', subjects)
    .execute();
  for (const e of events) {
    const id = Number(e.subject.slice('pin:'.length));
    const at = toNumber(e.depot_time_ms) || toNumber(e.received_at_ms);
    spent.set(id, Math.min(spent.get(id) ?? at, at));
  }
  return spent;
}

function toView(row: PinRow, spentAtMs: number | undefined, nowMs: number): PinView {
  const kind = (PIN_KIND_NAMES as readonly string[]).includes(row.kind) ? (row.kind as PinKindName) : 'one-time';
  const offlineSlot =
    row.offline_start_hour === null || row.offline_duration_code === null || row.offline_variant === null
      ? null
      : {
          compartment: toNumber(row.compartment),
          startHour: toNumber(row.offline_start_hour),
          durationCode: toNumber(row.offline_duration_code),
          variant: toNumber(row.offline_variant),
        };
  const validUntilMs = offlineSlot ? slotValidity(offlineSlot).untilMs : toNumber(row.valid_until_ms);
  const revokedAtMs = toNumberOrNull(row.revoked_at_ms);
  const commandState = row.command_state ?? null;
  return {
    id: toNumber(row.id),
    depotId: toNumber(row.depot_id),
    compartment: toNumber(row.compartment),
    kind,
    label: row.label,
    validFromMs: offlineSlot ? slotValidity(offlineSlot).fromMs : toNumber(row.valid_from_ms),
    validUntilMs,
    schedule: row.schedule ? (JSON.parse(row.schedule) as ScheduleEntry[]) : [],
    offlineSlot,
    state: pinState(
      { kind, validUntilMs, revokedAtMs, spent: spentAtMs !== undefined, commandState, storedState: row.state },
      nowMs,
    ),
    createdAtMs: toNumber(row.created_at_ms),
    createdBy: row.username ?? null,
    usedAtMs: spentAtMs ?? null,
    revokedAtMs,
    commandId: toNumberOrNull(row.command_id),
    commandState,
    commandDetail: row.command_detail ?? null,
    revokeCommandId: toNumberOrNull(row.revoke_command_id),
    revokeCommandState: row.revoke_command_state ?? null,
  };
}

/** A depot's PINs, newest first, one page of them. */
export async function listPins(
  db: Kysely<Schema>,
  depotId: number,
  options: { nowMs: number; limit: number; offset?: number },
): Promise<PinView[]> {
  const rows = await baseQuery(db, depotId)
    .orderBy('p.id', 'desc')
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  const spent = await spentTimes(db, depotId, rows);
  return rows.map((row) => toView(row, spent.get(toNumber(row.id)), options.nowMs));
}

/**
 * Every PIN of a depot, oldest first, in keyset pages by id (an export):
 * the list's own view of each, so never the digits.
 */
export async function* pinPages(
  db: Kysely<Schema>,
  depotId: number,
  options: { nowMs: number; pageRows: number },
): AsyncGenerator<PinView[]> {
  let afterId = 0;
  for (;;) {
    const rows = await baseQuery(db, depotId)
      .where('p.id', '>', afterId)
      .orderBy('p.id', 'asc')
      .limit(options.pageRows)
      .execute();
    if (rows.length === 0) return;
    const spent = await spentTimes(db, depotId, rows);
    yield rows.map((row) => toView(row, spent.get(toNumber(row.id)), options.nowMs));
    if (rows.length < options.pageRows) return;
    afterId = toNumber((rows[rows.length - 1] as PinRow).id);
  }
}

/** One PIN of this depot; null for an id of another depot's PIN (the caller answers 404). */
export async function findPin(db: Kysely<Schema>, depotId: number, pinId: number, nowMs: number) {
  const row = await baseQuery(db, depotId).where('p.id', '=', pinId).executeTakeFirst();
  if (!row) return null;
  const spent = await spentTimes(db, depotId, [row]);
  return toView(row, spent.get(pinId), nowMs);
}

/** The latest times the depot accepted this PIN (newest first), from its PIN_ACCEPTED events. */
export async function pinUses(db: Kysely<Schema>, pin: PinView, limit = 10): Promise<number[]> {
  const rows = await db
    .selectFrom('events')
    .select(['depot_time_ms', 'received_at_ms'])
    .where('depot_id', '=', pin.depotId)
    .where('kind', '=', EventKind.PinAccepted)
    .where('subject', '=', pinSubject(pin))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((e) => toNumber(e.depot_time_ms) || toNumber(e.received_at_ms));
}

/** The digits of a PIN of this depot, opened from their seal; null when there is no such PIN. */
export async function revealDigits(
  db: Kysely<Schema>,
  sealer: DataSealer,
  depotId: number,
  pinId: number,
): Promise<string | null> {
  const row = await db
    .selectFrom('pins')
    .select('digits_sealed')
    .where('depot_id', '=', depotId)
    .where('id', '=', pinId)
    .executeTakeFirst();
  if (!row?.digits_sealed) return null;
  return sealer.open(new Uint8Array(row.digits_sealed), digitsPlace(pinId));
}
