import type { Running } from '@keydepot/cloud';
import type { Fleet } from '../../src/fleet.js';

/** What still keeps one depot from being settled: the drain's instrumentation. */
export interface Unsettled {
  readonly depotId: number;
  /** Events journaled and not yet acknowledged. */
  readonly outbox: number;
  /** Command results the depot still has to deliver. */
  readonly unconfirmedResults: number;
  readonly lastCommandId: number;
  /** The cloud's commands of this depot still queued or sent, as `id:state`. */
  readonly openCommands: readonly string[];
  readonly session: string;
  readonly inFlight: string | null;
}

/** Every depot with events or results not delivered, or commands without a result; [] once the fleet settled. */
export async function unsettled(cloud: Running, fleet: Fleet): Promise<Unsettled[]> {
  const open = await cloud.store.db
    .selectFrom('commands')
    .select(['depot_id', 'id', 'state'])
    .where('state', 'in', ['queued', 'sent'])
    .execute();
  const found: Unsettled[] = [];
  for (const depot of fleet.depots) {
    const { store, link } = depot.daemon;
    const mine = open.filter((c) => c.depot_id === depot.depotId).map((c) => `${c.id}:${c.state}`);
    const outbox = store.outboxSize();
    const unconfirmedResults = store.unconfirmedResults().length;
    if (outbox === 0 && unconfirmedResults === 0 && mine.length === 0) continue;
    const snapshot = link.snapshot();
    found.push({
      depotId: depot.depotId,
      outbox,
      unconfirmedResults,
      lastCommandId: store.lastCommandId(),
      openCommands: mine,
      session: snapshot.session,
      inFlight: snapshot.inFlight,
    });
  }
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until nothing is left in flight, or `timeoutMs` real ms; returns what did not settle. */
export async function drain(cloud: Running, fleet: Fleet, timeoutMs: number): Promise<Unsettled[]> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const left = await unsettled(cloud, fleet);
    if (left.length === 0 || performance.now() > until) return left;
    await sleep(100);
  }
}
