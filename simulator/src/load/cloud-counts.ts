import type { StoreDatabase } from '@keydepot/cloud/store';

/** What the cloud's store holds for the run's depots (ids first..last). */
export interface CloudCounts {
  readonly eventsStored: number;
  /** Commands by state: queued, sent, applied, failed, expired, rejected. */
  readonly commands: Readonly<Record<string, number>>;
  readonly depotsOnline: number;
}

export async function cloudCounts(store: StoreDatabase, first: number, last: number): Promise<CloudCounts> {
  const { db } = store;
  const events = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('depot_id', '>=', first)
    .where('depot_id', '<=', last)
    .executeTakeFirstOrThrow();
  const states = await db
    .selectFrom('commands')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('depot_id', '>=', first)
    .where('depot_id', '<=', last)
    .groupBy('state')
    .execute();
  const online = await db
    .selectFrom('depots')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>=', first)
    .where('id', '<=', last)
    .where('online', '=', 1)
    .executeTakeFirstOrThrow();
  return {
    eventsStored: Number(events.n),
    commands: Object.fromEntries(states.map((row) => [row.state, Number(row.n)])),
    depotsOnline: Number(online.n),
  };
}
