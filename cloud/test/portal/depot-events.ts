import { randomBytes } from 'node:crypto';
import { type CompartmentStatus, type EventFrame, type EventKind, FrameKind, type StatusFrame } from '@keydepot/shared';
import type { StoreDatabase } from '../../src/store/database.js';
import { LastSeenWrites } from '../../src/store/relay/presence.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { storeUplinks } from '../../src/store/relay/uplinks.js';

/** Sessions made so far: each DepotReports reports on a new one, newer (by stamp) than all before. */
let sessionsMade = 0;

/**
 * What a depot reports, stored through the relay's uplink batch (storeUplinks,
 * the code a real telegram goes through): events with a journal epoch and
 * growing sequences, and STATUS frames in order, each call one telegram on
 * a session of its own. Presence is left alone: the depot's last seen and
 * online state stay as the test set them.
 */
export class DepotReports {
  private readonly epoch = randomBytes(8).toString('hex');
  private sequence = 0;
  private counter = 0;
  private session: { id: number; stamp: number } | undefined;
  /** As if this process had just written the depot's last seen: no batch of these writes it. */
  private readonly lastSeen = new LastSeenWrites(Number.POSITIVE_INFINITY);

  constructor(
    private readonly store: StoreDatabase,
    readonly depotId: number,
  ) {
    this.lastSeen.written([depotId], 0);
  }

  private async send(receivedMs: number, frames: { events?: EventFrame[]; status?: StatusFrame }): Promise<void> {
    if (this.session === undefined) {
      sessionsMade += 1;
      this.session = { id: 2_000_000 + sessionsMade, stamp: sessionsMade };
      await relayDb(this.store)
        .insertInto('depot_sessions')
        .values({
          session_id: this.session.id,
          depot_id: this.depotId,
          // Never opened here: these rows are not handshakes, so there are no keys to seal.
          keys_sealed: new Uint8Array(0),
          remote_id: 1,
          created_at_ms: 1,
          stamp: this.session.stamp,
        })
        .execute();
    }
    await storeUplinks(
      this.store,
      [
        {
          depotId: this.depotId,
          sessionId: this.session.id,
          sessionStamp: this.session.stamp,
          counter: ++this.counter,
          endpoint: '192.0.2.98:4000',
          confirms: false,
          events: frames.events ?? [],
          status: frames.status,
          results: [],
        },
      ],
      receivedMs,
      { lastSeen: this.lastSeen },
    );
  }

  /** Stores events as arriving at `receivedMs`; each defaults to happening then. */
  async events(
    receivedMs: number,
    events: ReadonlyArray<{ kind: EventKind; compartment?: number; timeMs?: number; subject?: string }>,
  ): Promise<void> {
    await this.send(receivedMs, {
      events: events.map((e) => ({
        kind: FrameKind.Event,
        epoch: this.epoch,
        sequence: ++this.sequence,
        timeMs: e.timeMs ?? receivedMs,
        event: e.kind,
        compartment: e.compartment ?? 0,
        subject: e.subject ?? '',
      })),
    });
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
    await this.send(receivedMs, {
      status: {
        kind: FrameKind.Status,
        uptimeSeconds: this.counter + 1,
        lastCommandId: 0,
        outboxSize: 0,
        lockoutUntilMs: input.lockoutUntilMs ?? 0,
        failedAttempts: 0,
        clockKnown: true,
        firmwareVersion: '1.2.3',
        compartments,
      },
    });
  }
}
