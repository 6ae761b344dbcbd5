import type { StoreDatabase } from '@keydepot/cloud';
import { EventKind } from '@keydepot/shared';
import type { SentPin } from './world.js';

/**
 * What the cloud's store says, read the way the portal reads it: events,
 * command states, presence, and a PIN's state derived from those.
 */

/** 'key-removed' for EventKind.KeyRemoved: the wire names, as scenarios spell them. */
export const EVENT_NAMES: ReadonlyMap<string, EventKind> = new Map(
  Object.entries(EventKind).map(([key, kind]) => [
    key.replace(/[A-Z]/g, (c, at) => (at ? '-' : '') + c.toLowerCase()),
    kind,
  ]),
);

export function eventName(kind: number): string {
  for (const [name, value] of EVENT_NAMES) if (value === kind) return name;
  return `event-${kind}`;
}

export interface EventFilter {
  readonly depotId: number;
  readonly kind: EventKind;
  readonly compartment?: number;
  /** The subject's first word (e.g. `pin:1001` matches `pin:1001` and `pin:1001 outside-schedule`). */
  readonly subject?: string;
}

/** How many stored events match. */
export async function countEvents(store: StoreDatabase, filter: EventFilter): Promise<number> {
  let query = store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('depot_id', '=', filter.depotId)
    .where('kind', '=', filter.kind);
  if (filter.compartment !== undefined) query = query.where('compartment', '=', filter.compartment);
  const { subject } = filter;
  if (subject !== undefined) {
    query = query.where((eb) => eb.or([eb('subject', '=', subject), eb('subject', 'like', `${subject} %`)]));
  }
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The last few stored events of a depot as "door-opened@3 key-removed@3", for failure messages. */
export async function recentEvents(store: StoreDatabase, depotId: number, limit = 8): Promise<string> {
  const rows = await store.db
    .selectFrom('events')
    .select(['kind', 'compartment'])
    .where('depot_id', '=', depotId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  if (rows.length === 0) return 'none';
  return rows
    .reverse()
    .map((r) => `${eventName(r.kind)}${r.compartment === 0 ? '' : `@${r.compartment}`}`)
    .join(' ');
}

/** A command's state in the store ('queued', 'sent', 'applied', 'rejected', …). */
export async function commandState(store: StoreDatabase, depotId: number, id: number): Promise<string> {
  const row = await store.db
    .selectFrom('commands')
    .select('state')
    .where('depot_id', '=', depotId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.state ?? 'missing';
}

export async function isOnline(store: StoreDatabase, depotId: number): Promise<boolean> {
  const row = await store.db.selectFrom('depots').select('online').where('id', '=', depotId).executeTakeFirst();
  return row?.online === 1;
}

export const PIN_STATES = ['queued', 'on-depot', 'used', 'expired', 'revoked', 'refused'] as const;
export type SentPinState = (typeof PIN_STATES)[number];

/**
 * A PIN's state as the cloud knows it: 'queued' until the depot applied its
 * PIN_ADD, 'refused' if the depot did not, 'revoked' once a revoke is applied,
 * 'used' once a PIN_SPENT came back for it, 'expired' past its end, else 'on-depot'.
 */
export async function pinState(store: StoreDatabase, pin: SentPin, nowMs: number): Promise<SentPinState> {
  if (pin.revokeCommandId !== undefined) {
    if ((await commandState(store, pin.depotId, pin.revokeCommandId)) === 'applied') return 'revoked';
  }
  const added = await commandState(store, pin.depotId, pin.addCommandId);
  if (added === 'queued' || added === 'sent') return 'queued';
  if (added !== 'applied') return 'refused';
  const spent = { depotId: pin.depotId, kind: EventKind.PinSpent, subject: `pin:${pin.pinId}` };
  if ((await countEvents(store, spent)) > 0) return 'used';
  if (pin.validUntilMs !== 0 && nowMs >= pin.validUntilMs) return 'expired';
  return 'on-depot';
}
