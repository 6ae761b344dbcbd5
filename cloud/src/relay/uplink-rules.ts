import { type Frame, FrameKind } from '@keydepot/shared';

// Protocol §8.10: what an authenticated depot may say, checked against what the
// cloud knows of it. A frame that breaks a rule is a protocol violation: it is
// dropped (an EVENT excepted, see below), counted and alerted, and the rest of
// its telegram is handled and answered as usual.

/** What a depot's frames are checked against: its provisioning and the commands issued to it. */
export interface DepotLimits {
  /** Provisioned compartments (depots.compartment_count). */
  readonly compartments: number;
  /** The highest command id ever issued to the depot (depots.last_command_id); ids only grow. */
  readonly lastIssuedCommand: number;
}

export const VIOLATION_REASONS = [
  'wrong-direction',
  'unknown-command',
  'last-applied',
  'compartment-count',
  'event-compartment',
] as const;

/**
 * - wrong-direction: a frame kind only the relay sends (EVENT_ACK, COMMAND, TIME);
 * - unknown-command: a COMMAND_RESULT for id 0 or an id above the last issued;
 * - last-applied: a STATUS whose last applied command is above the last issued;
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
 * Whether the cached limits may be too low to judge these frames: the issued
 * commands only grow (a claim above the cached value is read again before it
 * counts as a violation); the compartment count never changes, so only an
 * unknown depot needs a read.
 */
export function needsFreshLimits(frames: readonly Frame[], cached: DepotLimits | undefined): boolean {
  if (!cached) return frames.some((f) => f.kind !== FrameKind.Keepalive);
  for (const f of frames) {
    if (f.kind === FrameKind.CommandResult && f.id > cached.lastIssuedCommand) return true;
    if (f.kind === FrameKind.Status && f.lastCommandId > cached.lastIssuedCommand) return true;
  }
  return false;
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
      if (f.kind === FrameKind.CommandResult && (f.id === 0 || f.id > limits.lastIssuedCommand)) {
        violation('unknown-command', f.id, limits.lastIssuedCommand);
        continue;
      }
      if (f.kind === FrameKind.Status) {
        if (f.compartments.length !== limits.compartments) {
          violation('compartment-count', f.compartments.length, limits.compartments);
          continue;
        }
        if (f.lastCommandId > limits.lastIssuedCommand) {
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
