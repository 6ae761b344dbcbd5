import { type CommandState, type PinDisplayState, pinState, type StoreDatabase } from '@keydepot/cloud/store';
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

export const PIN_STATES: readonly PinDisplayState[] = ['queued', 'on-depot', 'used', 'expired', 'failed', 'revoked'];

/**
 * A PIN's state as the portal shows it (cloud/src/store/portal/pins.ts
 * pinState), from the same facts: its PIN_ADD's state, a PIN_SPENT for it,
 * its end, and whether it was revoked.
 */
export async function sentPinState(store: StoreDatabase, pin: SentPin, nowMs: number): Promise<PinDisplayState> {
  const spent = { depotId: pin.depotId, kind: EventKind.PinSpent, subject: `pin:${pin.pinId}` };
  return pinState(
    {
      kind: pin.kind,
      validUntilMs: pin.validUntilMs,
      revokedAtMs: pin.revokedAtMs ?? null,
      spent: (await countEvents(store, spent)) > 0,
      commandState: (await commandState(store, pin.depotId, pin.addCommandId)) as CommandState,
    },
    nowMs,
  );
}
