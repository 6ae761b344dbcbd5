import {
  type CommandBody,
  type CommandFrame,
  CommandKind,
  type CommandResultFrame,
  CommandStatus,
  commandOrder,
  EventKind,
  FrameKind,
  isOfflineSlot,
  MAX_DETAIL_BYTES,
  MAX_OPEN_VALIDITY_MS,
  MAX_PIN_DIGITS,
  MIN_PIN_DIGITS,
} from '@keydepot/shared';
import { clipUtf8, type DepotStore } from '../store/depot-store.js';
import type { NewEvent } from '../store/records.js';
import { isLockedOut, NO_LOCKOUT } from './lockout.js';
import { pinMac } from './pin-verdict.js';
import { checkSettings, SettingError } from './settings.js';

/** What the depot does after a command's transaction committed. */
export type CommandEffect =
  | { readonly kind: 'unlock'; readonly compartment: number }
  | { readonly kind: 'lockout-reset' }
  | { readonly kind: 'config-changed' };

export interface CommandContext {
  readonly store: DepotStore;
  readonly pinMacKey: Uint8Array;
  readonly compartments: number;
  /** Trusted time; undefined while the clock is unknown. */
  readonly nowMs: number | undefined;
  /** Lower bound of the time, for lockout state (see TrustedClock.estimateMs). */
  readonly estimateMs: number;
  /** Journals inside the caller's transaction. */
  readonly journal: (event: NewEvent) => void;
}

export interface CommandOutcome {
  /** Undefined for an early command (dropped, protocol §12) or a repeat whose result is gone. */
  readonly result?: CommandResultFrame;
  readonly effects: readonly CommandEffect[];
}

/** The relay's and the depot's clocks differ a little; an OPEN valid for much longer than 60 s is refused. */
const OPEN_SKEW_MS = 10_000;

interface Applied {
  readonly status: CommandStatus;
  readonly detail: string;
  readonly effects?: readonly CommandEffect[];
}

const applied = (detail = '', effects: readonly CommandEffect[] = []): Applied => ({
  status: CommandStatus.Applied,
  detail,
  effects,
});
const rejected = (detail: string): Applied => ({ status: CommandStatus.Rejected, detail });

/**
 * Handles one COMMAND (protocol §12) in one transaction: the order check, the
 * not-after check, the change itself, its events, the new last applied id and
 * the result all commit together, so a power cut never half-applies one.
 */
export function handleCommand(context: CommandContext, command: CommandFrame): CommandOutcome {
  const { store } = context;
  return store.transaction(() => {
    const order = commandOrder(command, store.lastCommandId());
    if (order === 'early') return { effects: [] };
    if (order === 'repeat') return { result: store.commandResult(command.id), effects: [] };
    const outcome = decide(context, command);
    const detail = clipUtf8(outcome.detail, MAX_DETAIL_BYTES);
    store.recordCommand({ id: command.id, status: outcome.status, detail });
    if (outcome.status === CommandStatus.Applied) {
      const compartment = command.body.command === CommandKind.Open ? command.body.compartment : 0;
      context.journal({
        timeMs: context.nowMs ?? 0,
        event: EventKind.CommandApplied,
        compartment,
        subject: `cmd:${command.id}`,
      });
    }
    return {
      result: { kind: FrameKind.CommandResult, id: command.id, status: outcome.status, detail },
      effects: outcome.effects ?? [],
    };
  });
}

function decide(context: CommandContext, command: CommandFrame): Applied {
  const { nowMs } = context;
  const isOpen = command.body.command === CommandKind.Open;
  if (isOpen && command.notAfterMs === 0) return rejected('OPEN needs a not-after');
  if (command.notAfterMs !== 0) {
    // Fail closed: a deadline cannot be checked without a trusted clock (protocol §13).
    if (nowMs === undefined) return rejected('clock unknown');
    if (nowMs > command.notAfterMs) return { status: CommandStatus.Expired, detail: 'not-after passed' };
    if (isOpen && command.notAfterMs > nowMs + MAX_OPEN_VALIDITY_MS + OPEN_SKEW_MS) {
      return rejected('OPEN not-after too far ahead');
    }
  }
  return apply(context, command.id, command.body);
}

function apply(context: CommandContext, id: number, body: CommandBody): Applied {
  const { store } = context;
  switch (body.command) {
    case CommandKind.PinAdd: {
      if (body.compartment < 1 || body.compartment > context.compartments) return rejected('no such compartment');
      if (!/^[0-9]+$/.test(body.digits) || body.digits.length < MIN_PIN_DIGITS || body.digits.length > MAX_PIN_DIGITS) {
        return rejected('bad digits');
      }
      if (store.pin(body.pinId)?.revoked) return rejected(`pin ${body.pinId} was revoked`);
      store.putPin({
        id: body.pinId,
        kind: body.pinKind,
        compartment: body.compartment,
        validFromMs: body.validFromMs,
        validUntilMs: body.validUntilMs,
        schedule: body.schedule,
        mac: pinMac(context.pinMacKey, body.digits),
      });
      return applied();
    }
    case CommandKind.PinRevoke: {
      if (body.offline !== undefined) {
        if (!isOfflineSlot(body.offline)) return rejected('bad offline slot');
        store.revokeSlot(body.offline);
        return applied('offline slot revoked');
      }
      // Idempotent: an unknown id is recorded, so the PIN can never be added later.
      const known = store.pin(body.pinId) !== undefined;
      store.revokePin(body.pinId);
      return applied(known ? '' : 'unknown pin id');
    }
    case CommandKind.Open: {
      if (body.compartment < 1 || body.compartment > context.compartments) return rejected('no such compartment');
      context.journal({
        timeMs: context.nowMs ?? 0,
        event: EventKind.Unlocked,
        compartment: body.compartment,
        subject: `cmd:${id}`,
      });
      return applied('', [{ kind: 'unlock', compartment: body.compartment }]);
    }
    case CommandKind.LockoutReset: {
      const state = store.lockout();
      if (isLockedOut(state, context.estimateMs) || state.untilMs !== 0) {
        context.journal({
          timeMs: context.nowMs ?? 0,
          event: EventKind.LockoutEnded,
          compartment: 0,
          subject: 'reset',
        });
      }
      store.setLockout(NO_LOCKOUT);
      return applied('', [{ kind: 'lockout-reset' }]);
    }
    case CommandKind.Config: {
      try {
        store.setConfig(checkSettings(body.settings) as Record<string, string | number | boolean>);
      } catch (error) {
        if (error instanceof SettingError) return rejected(error.message);
        throw error;
      }
      return applied('', [{ kind: 'config-changed' }]);
    }
  }
}
