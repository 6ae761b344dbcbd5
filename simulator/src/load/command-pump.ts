import { randomInt } from 'node:crypto';
import { queueCommand, type StoreDatabase } from '@keydepot/cloud/store';
import { CommandKind, PinKind } from '@keydepot/shared';
import type { ExpectedPin } from './depot-activity.js';

export interface PumpOptions {
  readonly store: StoreDatabase;
  readonly depotIds: readonly number[];
  readonly compartments: number;
  /** Pickups per depot per simulated hour. */
  readonly perDepotPerHour: number;
  readonly speedup: number;
  /** Tells the depot's host which PIN to type once its command is applied. */
  readonly announce: (depotId: number, pin: ExpectedPin) => void;
}

const TICK_MS = 100;

/**
 * Queues the cloud's side of each pickup the way the portal does: a one-time
 * PIN as a PIN_ADD command (queueCommand), for a random depot and compartment,
 * at a fleet-wide rate of depots × perDepotPerHour × speed-up per real hour.
 * The relay picks queued commands up on its poll and pushes them.
 */
export class CommandPump {
  queued = 0;
  failed = 0;
  private timer: NodeJS.Timeout | null = null;
  private owed = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: PumpOptions) {}

  start(): void {
    const { depotIds, perDepotPerHour, speedup } = this.options;
    const perTick = (depotIds.length * perDepotPerHour * speedup * TICK_MS) / 3_600_000;
    this.timer = setInterval(() => {
      this.owed += perTick;
      // One batch at a time: a slow store makes the pump fall behind, never pile up writers.
      this.running = this.running.then(() => this.pump());
    }, TICK_MS);
  }

  /** Stops queueing; resolves when the last batch is stored. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async pump(): Promise<void> {
    const { store, depotIds, compartments, announce } = this.options;
    while (this.owed >= 1 && this.timer !== null) {
      this.owed--;
      const depotId = depotIds[randomInt(depotIds.length)];
      // Eight digits: stored PINs stay out of the nine-digit offline-PIN space.
      const digits = String(randomInt(10_000_000, 100_000_000));
      const compartment = 1 + randomInt(compartments);
      try {
        const commandId = await queueCommand(store, depotId, {
          command: CommandKind.PinAdd,
          pinId: randomInt(1, 2 ** 31),
          pinKind: PinKind.OneTime,
          compartment,
          digits,
          validFromMs: 0,
          validUntilMs: 0,
          schedule: [],
        });
        this.queued++;
        announce(depotId, { commandId, digits, compartment });
      } catch {
        this.failed++;
      }
    }
  }
}
