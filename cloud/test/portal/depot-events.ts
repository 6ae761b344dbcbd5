import { randomBytes } from 'node:crypto';
import { type CompartmentStatus, type EventKind, FrameKind } from '@keydepot/shared';
import type { StoreDatabase } from '../../src/store/database.js';
import { insertEvents } from '../../src/store/relay/event-ingest.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { storeStatuses } from '../../src/store/relay/status.js';

/**
 * What a depot reports, stored through the relay's own store functions (the
 * same code a real telegram goes through): events with a journal epoch and
 * growing sequences, and STATUS frames in order.
 */
export class DepotReports {
  private readonly epoch = randomBytes(8).toString('hex');
  private sequence = 0;
  private counter = 0;

  constructor(
    private readonly store: StoreDatabase,
    readonly depotId: number,
  ) {}

  /** Stores events as arriving at `receivedMs`; each defaults to happening then. */
  async events(
    receivedMs: number,
    events: ReadonlyArray<{ kind: EventKind; compartment?: number; timeMs?: number; subject?: string }>,
  ): Promise<void> {
    await relayDb(this.store)
      .transaction()
      .execute((trx) =>
        insertEvents(
          trx,
          this.store.dialect,
          events.map((e) => ({
            depotId: this.depotId,
            frame: {
              kind: FrameKind.Event,
              epoch: this.epoch,
              sequence: ++this.sequence,
              timeMs: e.timeMs ?? receivedMs,
              event: e.kind,
              compartment: e.compartment ?? 0,
              subject: e.subject ?? '',
            },
          })),
          receivedMs,
        ),
      );
  }

  /** Stores a STATUS frame received at `receivedMs` (compartments all closed, keys in, locked unless given). */
  async status(
    receivedMs: number,
    input: { compartments: number; lockoutUntilMs?: number; changes?: Record<number, Partial<CompartmentStatus>> },
  ): Promise<void> {
    const compartments = Array.from({ length: input.compartments }, (_, i) => ({
      doorOpen: false,
      keyPresent: true,
      keySensor: true,
      locked: true,
      ...(input.changes?.[i + 1] ?? {}),
    }));
    await relayDb(this.store)
      .transaction()
      .execute((trx) =>
        storeStatuses(
          trx,
          this.store.dialect,
          [
            {
              depotId: this.depotId,
              sessionStamp: 1,
              counter: ++this.counter,
              frame: {
                kind: FrameKind.Status,
                uptimeSeconds: this.counter,
                lastCommandId: 0,
                outboxSize: 0,
                lockoutUntilMs: input.lockoutUntilMs ?? 0,
                failedAttempts: 0,
                clockKnown: true,
                firmwareVersion: '1.2.3',
                compartments,
              },
            },
          ],
          receivedMs,
        ),
      );
  }
}
