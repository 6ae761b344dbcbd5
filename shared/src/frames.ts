/**
 * The frames carried inside a transport telegram: one typed map from frame
 * kind to payload. Byte layouts are in frame-codec.ts and docs/protocol.md.
 */

export const FrameKind = {
  Event: 0x01,
  EventAck: 0x02,
  Command: 0x03,
  CommandResult: 0x04,
  Status: 0x05,
  Time: 0x06,
  Keepalive: 0x07,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** What happened at the depot. Values are wire codes: never renumber. */
export const EventKind = {
  Boot: 1,
  PinAccepted: 2,
  PinRejected: 3,
  Unlocked: 4,
  DoorOpened: 5,
  DoorClosed: 6,
  KeyRemoved: 7,
  KeyReturned: 8,
  /** A door opened without an unlock. */
  Tamper: 9,
  DoorLeftOpen: 10,
  LockoutStarted: 11,
  LockoutEnded: 12,
  ClockSet: 13,
  PinSpent: 14,
  CommandApplied: 15,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

export const CommandKind = {
  PinAdd: 1,
  PinRevoke: 2,
  Open: 3,
  LockoutReset: 4,
  Config: 5,
} as const;
export type CommandKind = (typeof CommandKind)[keyof typeof CommandKind];

export const PinKind = {
  OneTime: 1,
  TimeWindow: 2,
  RecurringWeekly: 3,
  Permanent: 4,
} as const;
export type PinKind = (typeof PinKind)[keyof typeof PinKind];

export const CommandStatus = {
  Applied: 0,
  Failed: 1,
  /** Arrived after its not-after time; not applied. */
  Expired: 2,
  /** Malformed or not allowed on this depot; not applied. */
  Rejected: 3,
} as const;
export type CommandStatus = (typeof CommandStatus)[keyof typeof CommandStatus];

/** A journal position: the journal's random 64-bit epoch (16 hex digits) and a sequence in it. */
export interface JournalPosition {
  readonly epoch: string;
  readonly sequence: number;
}

export interface EventFrame extends JournalPosition {
  readonly kind: typeof FrameKind.Event;
  /** Depot clock, ms since the Unix epoch; 0 while the depot's clock is unknown. */
  readonly timeMs: number;
  readonly event: EventKind;
  /** 1-based compartment, 0 for the depot as a whole. */
  readonly compartment: number;
  /** What the event is about (PIN id, command id, …), UTF-8, ≤ 64 bytes. */
  readonly subject: string;
}

/** Acknowledges every event of the epoch up to and including `sequence`. */
export interface EventAckFrame extends JournalPosition {
  readonly kind: typeof FrameKind.EventAck;
}

/** One entry of a weekly schedule: on the days in `days` (bit 0 = Monday), from start to end minute. */
export interface ScheduleEntry {
  readonly days: number;
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface PinAddBody {
  readonly command: typeof CommandKind.PinAdd;
  readonly pinId: number;
  readonly pinKind: PinKind;
  /** 1-based compartment the PIN opens. */
  readonly compartment: number;
  /** The PIN digits; the depot keeps only a keyed MAC of them. */
  readonly digits: string;
  /** Validity in ms since the Unix epoch; 0 = unbounded. */
  readonly validFromMs: number;
  readonly validUntilMs: number;
  readonly schedule: readonly ScheduleEntry[];
}

/** The slot an offline PIN was made for: enough for the depot to refuse it (protocol §14). */
export interface OfflinePinSlot {
  readonly compartment: number;
  readonly startHour: number;
  readonly durationCode: number;
  readonly variant: number;
}

export interface PinRevokeBody {
  readonly command: typeof CommandKind.PinRevoke;
  readonly pinId: number;
  /** Present when the revoked PIN is an offline PIN. */
  readonly offline?: OfflinePinSlot;
}

export interface OpenBody {
  readonly command: typeof CommandKind.Open;
  readonly compartment: number;
}

export interface LockoutResetBody {
  readonly command: typeof CommandKind.LockoutReset;
}

/** Depot settings as a flat JSON object (display language, door-open alert time, …). */
export interface ConfigBody {
  readonly command: typeof CommandKind.Config;
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

export type CommandBody = PinAddBody | PinRevokeBody | OpenBody | LockoutResetBody | ConfigBody;

export interface CommandFrame {
  readonly kind: typeof FrameKind.Command;
  /** Per-depot increasing id; the depot applies commands strictly in id order. */
  readonly id: number;
  /**
   * The id of the command this one follows: the depot's latest command
   * before it that was or will be sent (one that expired in the queue unsent
   * is skipped), or 0 when there is none. The depot applies this command only
   * once it has handled that one (previousId ≤ last applied id < id), so no
   * command overtakes an earlier one, while expired ones leave no gap.
   */
  readonly previousId: number;
  /** Not to be applied after this time (ms since the Unix epoch); 0 = no limit. */
  readonly notAfterMs: number;
  readonly body: CommandBody;
}

export interface CommandResultFrame {
  readonly kind: typeof FrameKind.CommandResult;
  readonly id: number;
  readonly status: CommandStatus;
  /** Short reason for the operator, UTF-8, ≤ 64 bytes. */
  readonly detail: string;
}

export interface CompartmentStatus {
  readonly doorOpen: boolean;
  readonly keyPresent: boolean;
  /** False when the compartment has no key-presence sensor (keyPresent is then meaningless). */
  readonly keySensor: boolean;
  readonly locked: boolean;
}

export interface StatusFrame {
  readonly kind: typeof FrameKind.Status;
  readonly uptimeSeconds: number;
  /** Highest command id the depot has applied (0 = none). */
  readonly lastCommandId: number;
  /** Events journaled and not yet acknowledged. */
  readonly outboxSize: number;
  /** Keypad locked out until this time (ms since the Unix epoch); 0 = not locked out. */
  readonly lockoutUntilMs: number;
  readonly failedAttempts: number;
  readonly clockKnown: boolean;
  /** The depot's disk is full: it holds its decisions in memory (absent = false; protocol §8.6). */
  readonly diskFull?: boolean;
  /** The keypad board stopped answering pings (absent = false). */
  readonly keypadDead?: boolean;
  readonly firmwareVersion: string;
  readonly compartments: readonly CompartmentStatus[];
}

/** The relay's clock, ms since the Unix epoch. Every relay reply carries one. */
export interface TimeFrame {
  readonly kind: typeof FrameKind.Time;
  readonly nowMs: number;
}

/** Keeps the NAT mapping open and tells the relay the depot can take pushes now. */
export interface KeepaliveFrame {
  readonly kind: typeof FrameKind.Keepalive;
}

export type Frame =
  | EventFrame
  | EventAckFrame
  | CommandFrame
  | CommandResultFrame
  | StatusFrame
  | TimeFrame
  | KeepaliveFrame;
