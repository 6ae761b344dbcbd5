import {
  type CommandResultFrame,
  CommandStatus,
  type EventFrame,
  type EventKind,
  FrameKind,
  type StatusFrame,
} from '@keydepot/shared';
import type { StoreDatabase } from '../../src/store/database.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { storeUplinks } from '../../src/store/relay/uplinks.js';

/**
 * What a depot reports, stored through the relay's own uplink batch
 * (storeUplinks), the code path a real depot's telegram takes after the relay
 * opened it: command results, events, STATUS. One session per depot, counters
 * and event sequences counting up.
 */
export class DepotReports {
  private counter = 0;
  private sequence = 0;
  private sessionId = 0;

  constructor(
    private readonly store: StoreDatabase,
    private readonly depotId: number,
  ) {}

  private async session(): Promise<number> {
    if (this.sessionId === 0) {
      this.sessionId = 1_000 + this.depotId;
      await relayDb(this.store)
        .insertInto('depot_sessions')
        .values({
          session_id: this.sessionId,
          depot_id: this.depotId,
          // Never opened here: these rows are not handshakes, so there are no keys to seal.
          keys_sealed: new Uint8Array(0),
          remote_id: 1,
          created_at_ms: 1,
          stamp: 1,
        })
        .execute();
    }
    return this.sessionId;
  }

  async send(
    nowMs: number,
    frames: { results?: CommandResultFrame[]; events?: EventFrame[]; status?: StatusFrame },
  ): Promise<void> {
    this.counter += 1;
    await storeUplinks(
      this.store,
      [
        {
          depotId: this.depotId,
          sessionId: await this.session(),
          sessionStamp: 1,
          counter: this.counter,
          endpoint: '192.0.2.99:4000',
          confirms: false,
          events: frames.events ?? [],
          status: frames.status,
          results: frames.results ?? [],
        },
      ],
      nowMs,
    );
  }

  result(nowMs: number, id: number, status: CommandStatus = CommandStatus.Applied, detail = '') {
    return this.send(nowMs, { results: [{ kind: FrameKind.CommandResult, id, status, detail }] });
  }

  event(nowMs: number, event: EventKind, compartment: number, subject: string) {
    this.sequence += 1;
    return this.send(nowMs, {
      events: [
        {
          kind: FrameKind.Event,
          epoch: '00112233445566ff',
          sequence: this.sequence,
          timeMs: nowMs,
          event,
          compartment,
          subject,
        },
      ],
    });
  }

  status(nowMs: number, lockout: { untilMs: number; failedAttempts: number }) {
    return this.send(nowMs, {
      status: {
        kind: FrameKind.Status,
        uptimeSeconds: 100,
        lastCommandId: 0,
        outboxSize: 0,
        lockoutUntilMs: lockout.untilMs,
        failedAttempts: lockout.failedAttempts,
        clockKnown: true,
        firmwareVersion: 'test-1',
        compartments: [],
      },
    });
  }
}
