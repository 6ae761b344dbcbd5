/** Waits for queued commands to settle and reads when the relay sent and finished each. */
import type { StoreDatabase } from '../../cloud/src/store/database.js';
import type { CommandKindName, QueuedCommand } from './portal-commands.js';

/** One applied command's times, ms from the queue call's return. */
export interface CommandTiming {
  readonly kind: CommandKindName;
  /** To the relay marking it sent (the store poll or poke, the reply that carries it). */
  readonly sentMs: number;
  /** To its COMMAND_APPLIED stored (the push to the depot, applying it, the result back, the batch commit). */
  readonly appliedMs: number;
}

export interface Settled {
  readonly states: Record<string, number>;
  readonly timings: CommandTiming[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const key = (depotId: number, commandId: number) => `${depotId}/${commandId}`;

/** Polls the commands table until none of `queued` is queued or sent any more, or `timeoutMs` passes. */
export async function settledCommands(
  store: StoreDatabase,
  queued: readonly QueuedCommand[],
  timeoutMs: number,
  progress: (settled: number) => void = () => {},
): Promise<Settled> {
  const byKey = new Map(queued.map((q) => [key(q.depotId, q.commandId), q]));
  const depotIds = [...new Set(queued.map((q) => q.depotId))];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const rows = [];
    // Chunks of 500: MariaDB turns a longer IN list into a join.
    for (let i = 0; i < depotIds.length; i += 500) {
      rows.push(
        ...(await store.db
          .selectFrom('commands')
          .select(['depot_id', 'id', 'state', 'sent_at_ms', 'finished_at_ms'])
          .where('depot_id', 'in', depotIds.slice(i, i + 500))
          .execute()),
      );
    }
    const mine = rows.filter((r) => byKey.has(key(Number(r.depot_id), Number(r.id))));
    const open = mine.filter((r) => r.state === 'queued' || r.state === 'sent').length;
    progress(mine.length - open);
    if (open === 0 || performance.now() > deadline) {
      const states: Record<string, number> = {};
      const timings: CommandTiming[] = [];
      for (const row of mine) {
        states[row.state] = (states[row.state] ?? 0) + 1;
        const q = byKey.get(key(Number(row.depot_id), Number(row.id)));
        if (row.state !== 'applied' || !q) continue;
        timings.push({
          kind: q.kind,
          sentMs: Number(row.sent_at_ms) - q.returnedAtMs,
          appliedMs: Number(row.finished_at_ms) - q.returnedAtMs,
        });
      }
      return { states, timings };
    }
    await sleep(250);
  }
}
