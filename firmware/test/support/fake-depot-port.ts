/**
 * A hand-written DepotPort over plain arrays, for the link's unit tests: a
 * journal with an epoch, the command order rule of protocol §12, results that
 * stay pending until confirmed. The real one is the depot core over SQLite.
 */
import {
  type CommandFrame,
  type CommandResultFrame,
  CommandStatus,
  commandOrder,
  type EventFrame,
  EventKind,
  FrameKind,
  type StatusFrame,
} from '@keydepot/shared';
import type { DepotPort } from '../../src/link/depot-port.js';

export class FakeDepotPort implements DepotPort {
  readonly epoch: string;
  readonly journal: EventFrame[] = [];
  ackedUpTo = 0;
  lastAppliedId = 0;
  readonly applied: CommandFrame[] = [];
  readonly results = new Map<number, CommandResultFrame>();
  readonly unconfirmed = new Set<number>();
  readonly times: number[] = [];
  /** The depot's clock: the last TIME, as the core's trusted clock would have it. */
  clockMs = 0;

  constructor(epoch = '00112233445566ff') {
    this.epoch = epoch;
  }

  /** Journals an event (as the core would after a PIN or a door). */
  journalEvent(event: EventKind = EventKind.DoorOpened, subject = ''): EventFrame {
    const frame: EventFrame = {
      kind: FrameKind.Event,
      epoch: this.epoch,
      sequence: this.journal.length + 1,
      timeMs: this.clockMs,
      event,
      compartment: 1,
      subject,
    };
    this.journal.push(frame);
    return frame;
  }

  pendingEvents(limit: number): EventFrame[] {
    return this.journal.slice(this.ackedUpTo, this.ackedUpTo + limit);
  }

  acknowledgeEvents(epoch: string, sequence: number): void {
    if (epoch === this.epoch) this.ackedUpTo = Math.max(this.ackedUpTo, Math.min(sequence, this.journal.length));
  }

  receiveCommand(command: CommandFrame): CommandResultFrame | undefined {
    const order = commandOrder(command, this.lastAppliedId);
    if (order === 'early') return undefined;
    if (order === 'repeat') return this.results.get(command.id);
    const expired = command.notAfterMs !== 0 && command.notAfterMs < this.clockMs;
    const result: CommandResultFrame = {
      kind: FrameKind.CommandResult,
      id: command.id,
      status: expired ? CommandStatus.Expired : CommandStatus.Applied,
      detail: '',
    };
    if (!expired) this.applied.push(command);
    this.lastAppliedId = command.id;
    this.results.set(command.id, result);
    this.unconfirmed.add(command.id);
    return result;
  }

  pendingResults(): CommandResultFrame[] {
    return [...this.unconfirmed].sort((a, b) => a - b).map((id) => this.results.get(id) as CommandResultFrame);
  }

  confirmResults(commandIds: readonly number[]): void {
    for (const id of commandIds) this.unconfirmed.delete(id);
  }

  status(): StatusFrame {
    return {
      kind: FrameKind.Status,
      uptimeSeconds: 1,
      lastCommandId: this.lastAppliedId,
      outboxSize: this.journal.length - this.ackedUpTo,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: this.times.length > 0,
      firmwareVersion: 'test',
      compartments: [{ doorOpen: false, keyPresent: true, keySensor: true, locked: true }],
    };
  }

  setTime(relayNowMs: number): void {
    this.times.push(relayNowMs);
    this.clockMs = relayNowMs;
  }
}
