import type { CommandFrame, CommandResultFrame, EventFrame, StatusFrame } from '@keydepot/shared';

/**
 * What the link needs from the rest of the depot, and nothing more. The depot
 * core (journal, command applier, clock) implements it over its SQLite store;
 * tests can pass a hand-written fake. All methods are synchronous because the
 * store is better-sqlite3: a call returns only after its transaction committed.
 */
export interface DepotPort {
  /** Journaled events not yet covered by an ack, oldest first, at most `limit`. */
  pendingEvents(limit: number): EventFrame[];
  /**
   * EVENT_ACK: every event of `epoch` with sequence ≤ `sequence` is stored by the
   * cloud and may be marked sent. An ack for another epoch is ignored (protocol §11).
   */
  acknowledgeEvents(epoch: string, sequence: number): void;
  /**
   * One COMMAND, in the order it arrived. Applies it when it is next (protocol §12:
   * `commandOrder`), recording the new last applied id in the same transaction;
   * answers a repeat with its stored result; ignores an early one (undefined).
   */
  receiveCommand(command: CommandFrame): CommandResultFrame | undefined;
  /** Results of handled commands not yet carried by an answered telegram, oldest first. */
  pendingResults(): CommandResultFrame[];
  /**
   * These results reached the relay: a telegram carrying them was answered (the
   * relay stores what it receives before it answers). A repeated COMMAND still
   * gets its result again from `receiveCommand`.
   */
  confirmResults(commandIds: readonly number[]): void;
  /** A STATUS frame describing the depot right now (check-ins carry one). */
  status(): StatusFrame;
  /** TIME from an authenticated relay telegram: the depot's clock source (protocol §13). */
  setTime(relayNowMs: number): void;
}
