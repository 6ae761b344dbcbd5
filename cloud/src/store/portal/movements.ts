import type { Kysely } from 'kysely';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { inChunks } from './id-chunks.js';

/** One event a depot reported, as the portal lists it. */
export interface Movement {
  readonly id: number;
  readonly depotId: number;
  readonly kind: number;
  /** 1-based, 0 for the depot as a whole. */
  readonly compartment: number;
  readonly subject: string;
  /** Depot clock; 0 when the depot's clock was unknown (the portal then shows the arrival time). */
  readonly depotTimeMs: number;
  readonly receivedAtMs: number;
  /** The PIN or command the subject names, looked up in this depot's rows; null when it names none. */
  readonly about: MovementAbout | null;
}

/** A PIN a movement or command is about, with what the owner wrote for it. */
export interface PinRef {
  readonly id: number;
  readonly label: string;
  readonly kind: string;
}

/** What a movement's subject refers to, resolved so the page can name it in words. */
export type MovementAbout =
  | { readonly type: 'pin'; readonly pin: PinRef; readonly reason: string }
  | {
      readonly type: 'command';
      readonly id: number;
      readonly kind: number;
      readonly by: string | null;
      readonly pin: PinRef | null;
    };

export interface MovementFilter {
  readonly compartment?: number;
  readonly kind?: number;
  /** Depot time, inclusive lower and exclusive upper bound (ms). */
  readonly fromMs?: number;
  readonly untilMs?: number;
}

/** A position in the list (newest first by depot time, then id): the row a page ends or starts at. */
export interface MovementCursor {
  readonly timeMs: number;
  readonly id: number;
}

export interface MovementPage {
  readonly rows: Movement[];
  /** Cursors for the links; null where there is nothing more that way. */
  readonly older: MovementCursor | null;
  readonly newer: MovementCursor | null;
}

const COLUMNS = ['id', 'depot_id', 'kind', 'compartment', 'subject', 'depot_time_ms', 'received_at_ms'] as const;

/**
 * One page of a depot's movements, newest first. Keyset paging on the index
 * (depot_id, depot_time_ms): a deep page costs what the first one does, where
 * OFFSET would read every row before it. `before` pages towards older rows,
 * `after` towards newer ones (read ascending, then turned round).
 */
export async function listMovements(
  db: Kysely<Schema>,
  depotId: number,
  filter: MovementFilter,
  page: { before?: MovementCursor; after?: MovementCursor; limit: number },
): Promise<MovementPage> {
  const ascending = page.after !== undefined && page.before === undefined;
  let query = db.selectFrom('events').select(COLUMNS).where('depot_id', '=', depotId);
  if (filter.compartment !== undefined) query = query.where('compartment', '=', filter.compartment);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.fromMs !== undefined) query = query.where('depot_time_ms', '>=', filter.fromMs);
  if (filter.untilMs !== undefined) query = query.where('depot_time_ms', '<', filter.untilMs);
  // The first condition alone is an index range; the second only trims the boundary time.
  if (ascending && page.after) {
    const { timeMs, id } = page.after;
    query = query
      .where('depot_time_ms', '>=', timeMs)
      .where((eb) => eb.or([eb('depot_time_ms', '>', timeMs), eb('id', '>', id)]));
  } else if (page.before) {
    const { timeMs, id } = page.before;
    query = query
      .where('depot_time_ms', '<=', timeMs)
      .where((eb) => eb.or([eb('depot_time_ms', '<', timeMs), eb('id', '<', id)]));
  }
  const direction = ascending ? 'asc' : 'desc';
  const fetched = (
    await query
      .orderBy('depot_time_ms', direction)
      .orderBy('id', direction)
      .limit(page.limit + 1)
      .execute()
  ).map(fromRow);
  await resolveSubjects(db, fetched);
  const more = fetched.length > page.limit;
  const rows = fetched.slice(0, page.limit);
  if (ascending) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  const cursor = (m: Movement | undefined) => (m ? { timeMs: m.depotTimeMs, id: m.id } : null);
  return {
    rows,
    older: (ascending ? true : more) ? cursor(last) : null,
    newer: (ascending ? more : page.before !== undefined) ? cursor(first) : null,
  };
}

/**
 * The newest movements to arrive across several depots (a user's dashboard),
 * newest arrival first. The depots come with their newest arrival (the depot
 * row's last_event_ms); the `limit`-th newest of those is a time at or before
 * which every wanted row lies, so the query reads only the rows after it, of
 * only the depots that have any.
 */
export async function recentMovements(
  db: Kysely<Schema>,
  depots: ReadonlyArray<{ readonly id: number; readonly lastEventMs: number | null }>,
  limit: number,
): Promise<Movement[]> {
  if (depots.length === 0 || limit <= 0) return [];
  // Each depot's newest arrival is on its row (migration 008): the `limit`-th newest of them bounds
  // the list from below, and only depots with an arrival since then can hold one of its rows.
  const newest = depots
    .map((d) => d.lastEventMs)
    .filter((t): t is number => t !== null)
    .sort((a, b) => b - a);
  if (newest.length === 0) return [];
  const since = newest[Math.min(limit, newest.length) - 1] as number;
  const candidates = depots.filter((d) => d.lastEventMs !== null && d.lastEventMs >= since).map((d) => d.id);
  const rows = (
    await inChunks(candidates, (chunk) =>
      db
        .selectFrom('events')
        .select(COLUMNS)
        .where('depot_id', 'in', chunk)
        .where('received_at_ms', '>=', since)
        .orderBy('received_at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    )
  )
    .map(fromRow)
    .sort((a, b) => b.receivedAtMs - a.receivedAtMs || b.id - a.id)
    .slice(0, limit);
  await resolveSubjects(db, rows);
  return rows;
}

export function fromRow(row: {
  id: number | bigint | string;
  depot_id: number | bigint | string;
  kind: number | bigint | string;
  compartment: number | bigint | string;
  subject: string;
  depot_time_ms: number | bigint | string;
  received_at_ms: number | bigint | string;
}): Movement {
  return {
    id: toNumber(row.id),
    depotId: toNumber(row.depot_id),
    kind: toNumber(row.kind),
    compartment: toNumber(row.compartment),
    subject: row.subject,
    depotTimeMs: toNumber(row.depot_time_ms),
    receivedAtMs: toNumber(row.received_at_ms),
    about: null,
  };
}

const PIN_SUBJECT = /^pin:(\d{1,15})(?: (.*))?$/;
const OFFLINE_SUBJECT = /^offline:(\d{1,2})\/(\d{1,2})\/(\d{1,3})\/(\d{1,3})(?: (.*))?$/;
const COMMAND_SUBJECT = /^cmd:(\d{1,15})$/;

/**
 * Fills in `about` for subjects that name a PIN (`pin:<id>`, `offline:<slot>`)
 * or a command (`cmd:<id>`), as the firmware writes them: the owner wants to
 * read "Herr Müller – Auftrag 4711", not an internal id. Every lookup is bound
 * to the movement's own depot, so a depot that reports another depot's PIN id
 * gets nothing named.
 */
async function resolveSubjects(db: Kysely<Schema>, rows: Movement[]): Promise<void> {
  const pinIds = new Map<number, number[]>();
  const commandIds = new Map<number, number[]>();
  const offline = new Map<number, Array<{ c: number; h: number; d: number; v: number }>>();
  const push = <T>(map: Map<number, T[]>, depot: number, value: T) => {
    const list = map.get(depot) ?? [];
    list.push(value);
    map.set(depot, list);
  };
  for (const m of rows) {
    const pin = PIN_SUBJECT.exec(m.subject);
    if (pin) push(pinIds, m.depotId, Number(pin[1]));
    const command = COMMAND_SUBJECT.exec(m.subject);
    if (command) push(commandIds, m.depotId, Number(command[1]));
    const slot = OFFLINE_SUBJECT.exec(m.subject);
    if (slot)
      push(offline, m.depotId, { c: Number(slot[1]), h: Number(slot[2]), d: Number(slot[3]), v: Number(slot[4]) });
  }
  if (pinIds.size + commandIds.size + offline.size === 0) return;
  const commands = new Map<string, { kind: number; by: string | null; pinId: number | null }>();
  for (const [depotId, ids] of commandIds) {
    const found = await inChunks([...new Set(ids)], (chunk) =>
      db
        .selectFrom('commands as c')
        .leftJoin('users as u', 'u.id', 'c.created_by_user_id')
        .select(['c.id', 'c.kind', 'c.payload', 'u.username'])
        .where('c.depot_id', '=', depotId)
        .where('c.id', 'in', chunk)
        .execute(),
    );
    for (const row of found) {
      const pinId = payloadPinId(row.payload);
      commands.set(`${depotId}:${toNumber(row.id)}`, { kind: toNumber(row.kind), by: row.username ?? null, pinId });
      if (pinId !== null) push(pinIds, depotId, pinId);
    }
  }
  const pins = new Map<string, PinRef>();
  for (const [depotId, ids] of pinIds) {
    const found = await inChunks([...new Set(ids)], (chunk) =>
      db
        .selectFrom('pins')
        .select(['id', 'label', 'kind'])
        .where('depot_id', '=', depotId)
        .where('id', 'in', chunk)
        .execute(),
    );
    for (const row of found) {
      pins.set(`${depotId}:${toNumber(row.id)}`, { id: toNumber(row.id), label: row.label, kind: row.kind });
    }
  }
  const slots = new Map<string, PinRef>();
  for (const [depotId, wanted] of offline) {
    const found = await db
      .selectFrom('pins')
      .select(['id', 'label', 'kind', 'compartment', 'offline_start_hour', 'offline_duration_code', 'offline_variant'])
      .where('depot_id', '=', depotId)
      .where('kind', '=', 'offline')
      .where('compartment', 'in', [...new Set(wanted.map((w) => w.c))])
      .orderBy('id', 'asc')
      .execute();
    // The newest PIN issued for a slot is the one its digits belong to.
    for (const row of found) {
      const key = `${depotId}:${toNumber(row.compartment)}/${row.offline_start_hour}/${row.offline_duration_code}/${row.offline_variant}`;
      slots.set(key, { id: toNumber(row.id), label: row.label, kind: row.kind });
    }
  }
  rows.forEach((m, i) => {
    const pin = PIN_SUBJECT.exec(m.subject);
    const slot = OFFLINE_SUBJECT.exec(m.subject);
    const command = COMMAND_SUBJECT.exec(m.subject);
    let about: MovementAbout | null = null;
    if (pin) {
      const ref = pins.get(`${m.depotId}:${Number(pin[1])}`);
      if (ref) about = { type: 'pin', pin: ref, reason: pin[2] ?? '' };
    } else if (slot) {
      const ref = slots.get(`${m.depotId}:${Number(slot[1])}/${Number(slot[2])}/${Number(slot[3])}/${Number(slot[4])}`);
      if (ref) about = { type: 'pin', pin: ref, reason: slot[5] ?? '' };
    } else if (command) {
      const id = Number(command[1]);
      const found = commands.get(`${m.depotId}:${id}`);
      if (found) {
        const ref = found.pinId === null ? null : (pins.get(`${m.depotId}:${found.pinId}`) ?? null);
        about = { type: 'command', id, kind: found.kind, by: found.by, pin: ref };
      }
    }
    if (about) rows[i] = { ...m, about };
  });
}

/** Only the PIN id is read from a command's JSON (a PIN_ADD's digits are never in it, and never leave here). */
function payloadPinId(payload: string): number | null {
  try {
    const body = JSON.parse(payload) as Record<string, unknown>;
    return typeof body.pinId === 'number' && Number.isSafeInteger(body.pinId) ? body.pinId : null;
  } catch {
    return null;
  }
}
