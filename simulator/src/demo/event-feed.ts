import type { StoreDatabase } from '@keydepot/cloud/store';
import { EventKind } from '@keydepot/shared';

const EVENT_NAMES: Record<number, string> = {
  [EventKind.Boot]: 'depot started',
  [EventKind.PinAccepted]: 'PIN accepted',
  [EventKind.PinRejected]: 'wrong PIN',
  [EventKind.Unlocked]: 'unlocked',
  [EventKind.DoorOpened]: 'door opened',
  [EventKind.DoorClosed]: 'door closed',
  [EventKind.KeyRemoved]: 'key taken',
  [EventKind.KeyReturned]: 'key returned',
  [EventKind.Tamper]: 'ALERT: door opened without unlock',
  [EventKind.DoorLeftOpen]: 'ALERT: door left open',
  [EventKind.LockoutStarted]: 'ALERT: keypad locked after wrong PINs',
  [EventKind.LockoutEnded]: 'keypad lockout over',
  [EventKind.ClockSet]: 'clock set from the relay',
  [EventKind.PinSpent]: 'one-time PIN used up',
  [EventKind.CommandApplied]: 'command applied',
};

/**
 * Prints every event as it lands in the cloud's store, read back from the
 * database (not from the depots), so the demo shows what the portal will see.
 */
export function followEvents(
  store: StoreDatabase,
  depotNames: ReadonlyMap<number, string>,
  print: (line: string) => void,
  intervalMs = 300,
): { stop(): Promise<void> } {
  let lastId = 0;
  let running = true;
  const poll = async () => {
    const rows = await store.db
      .selectFrom('events')
      .select(['id', 'depot_id', 'kind', 'compartment', 'subject', 'received_at_ms'])
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(500)
      .execute();
    for (const row of rows) {
      lastId = Math.max(lastId, Number(row.id));
      const time = new Date(Number(row.received_at_ms)).toLocaleTimeString('de-DE');
      const where = row.compartment === 0 ? '' : `  compartment ${row.compartment}`;
      const subject = row.subject ? `  (${row.subject})` : '';
      const name = EVENT_NAMES[row.kind] ?? `event ${row.kind}`;
      print(`  ${time}  ${depotNames.get(row.depot_id) ?? `depot ${row.depot_id}`}${where}: ${name}${subject}`);
    }
  };
  const loop = (async () => {
    while (running) {
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    await poll().catch(() => undefined);
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
