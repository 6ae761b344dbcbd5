import { type Frame, FrameKind } from '@keydepot/shared';

// Protocol §8.10: what an authenticated depot may say, checked against what the
// cloud knows of it. A frame that breaks a rule is a protocol violation: it is
// dropped (an EVENT excepted, see below), counted and alerted, and the rest of
// its telegram is handled and answered as usual.

/** What a depot's frames are checked against: its provisioning and the commands issued to it. */
export interface DepotLimits {
  /** Provisioned compartments (depots.compartment_count). */
  readonly compartments: number;
  /** The highest command id issued to the depot (depots.last_command_id), for the alert's text. */
  readonly lastIssuedCommand: number;
}

/** Whether the command `id` of this depot was ever sent to it (commands.sent_at_ms is set). */
export type SentCheck = (id: number) => boolean;

export const VIOLATION_REASONS = [
  'wrong-direction',
  'unknown-command',
  'last-applied',
  'compartment-count',
  'event-compartment',
] as const;

/**
 * - wrong-direction: a frame kind only the relay sends (EVENT_ACK, COMMAND, TIME);
 * - unknown-command: a COMMAND_RESULT for a command never sent to this depot
 *   (id 0, an id above the last issued, one still queued or expired unsent);
 * - last-applied: a STATUS whose last applied command was never sent to this depot;
 * - compartment-count: a STATUS whose compartment count is not the provisioned one;
 * - event-compartment: an EVENT naming a compartment above the provisioned count.
 */
export type ViolationReason = (typeof VIOLATION_REASONS)[number];

export interface Violation {
  readonly depotId: number;
  readonly reason: ViolationReason;
  /** What the depot sent: the frame kind, command id, count or compartment. */
  readonly value: number;
  /** What it is checked against (0 for wrong-direction). */
  readonly limit: number;
}

const RELAY_ONLY = new Set<number>([FrameKind.EventAck, FrameKind.Command, FrameKind.Time]);

/**
 * The command ids these frames claim the depot has handled (results, and a
 * STATUS's last applied id unless it is `known`, already found sent): each must
 * name a command sent to the depot. A depot's last applied id is always the id
 * of a command it handled, and it can only handle what it received.
 */
export function claimedCommands(frames: readonly Frame[], known: number | undefined): number[] {
  const ids: number[] = [];
  for (const f of frames) {
    if (f.kind === FrameKind.CommandResult && f.id > 0) ids.push(f.id);
    if (f.kind === FrameKind.Status && f.lastCommandId > 0 && f.lastCommandId !== known) ids.push(f.lastCommandId);
  }
  return ids;
}

/**
 * The frames of one depot telegram to act on, and the violations among them.
 * A violating frame is left out, except an EVENT naming an unprovisioned
 * compartment: the journal is the depot's record of what happened and the
 * cumulative ack needs every sequence stored, so it is stored as sent (and
 * alerted). Without limits (the depot row is gone) the frames pass unchecked.
 */
export function screenFrames(
  depotId: number,
  frames: readonly Frame[],
  limits: DepotLimits | undefined,
  sent: SentCheck,
): { frames: Frame[]; violations: Violation[] } {
  const kept: Frame[] = [];
  const violations: Violation[] = [];
  const violation = (reason: ViolationReason, value: number, limit: number) =>
    violations.push({ depotId, reason, value, limit });
  for (const f of frames) {
    if (RELAY_ONLY.has(f.kind)) {
      violation('wrong-direction', f.kind, 0);
      continue;
    }
    if (limits) {
      if (f.kind === FrameKind.CommandResult && (f.id === 0 || !sent(f.id))) {
        violation('unknown-command', f.id, limits.lastIssuedCommand);
        continue;
      }
      if (f.kind === FrameKind.Status) {
        if (f.compartments.length !== limits.compartments) {
          violation('compartment-count', f.compartments.length, limits.compartments);
          continue;
        }
        if (f.lastCommandId > 0 && !sent(f.lastCommandId)) {
          violation('last-applied', f.lastCommandId, limits.lastIssuedCommand);
          continue;
        }
      }
      if (f.kind === FrameKind.Event && f.compartment > limits.compartments) {
        violation('event-compartment', f.compartment, limits.compartments);
      }
    }
    kept.push(f);
  }
  return { frames: kept, violations };
}
