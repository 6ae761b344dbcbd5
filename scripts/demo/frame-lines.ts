/** Frames as the demo prints them: one line each, with the wire's SCREAMING_CASE names. */
import {
  type CommandBody,
  CommandKind,
  CommandStatus,
  EventKind,
  type Frame,
  FrameKind,
  PinKind,
} from '../../shared/src/index.js';
import { say, time, yellow } from './presentation.js';

function screaming(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}
function namesOf(table: Readonly<Record<string, number>>): Map<number, string> {
  return new Map(Object.entries(table).map(([name, value]) => [value, screaming(name)]));
}
const FRAME_NAMES = namesOf(FrameKind);
const EVENT_NAMES = namesOf(EventKind);
export const COMMAND_NAMES = namesOf(CommandKind);
const PIN_KIND_NAMES = namesOf(PinKind);
const STATUS_NAMES = namesOf(CommandStatus);

function describeCommand(body: CommandBody): string {
  switch (body.command) {
    case CommandKind.PinAdd:
      return (
        `PIN_ADD pin ${body.pinId} (${PIN_KIND_NAMES.get(body.pinKind)}) compartment ${body.compartment} ` +
        `digits ${'•'.repeat(body.digits.length)} valid ${time(body.validFromMs)} … ${time(body.validUntilMs)}`
      );
    case CommandKind.PinRevoke:
      return `PIN_REVOKE pin ${body.pinId}`;
    case CommandKind.Open:
      return `OPEN compartment ${body.compartment}`;
    case CommandKind.LockoutReset:
      return 'LOCKOUT_RESET';
    case CommandKind.Config:
      return `CONFIG ${JSON.stringify(body.settings)}`;
  }
}

function describeFrame(frame: Frame): string {
  const name = yellow((FRAME_NAMES.get(frame.kind) ?? `kind ${frame.kind}`).padEnd(14));
  switch (frame.kind) {
    case FrameKind.Status: {
      const compartments = frame.compartments
        .map(
          (c, i) =>
            `${i + 1}:${c.locked ? 'locked' : 'unlocked'}${c.doorOpen ? '/open' : ''}` +
            `${c.keySensor ? (c.keyPresent ? '/key' : '/empty') : ''}`,
        )
        .join(' ');
      return (
        `${name} uptime ${frame.uptimeSeconds} s · last command ${frame.lastCommandId} · outbox ${frame.outboxSize} · ` +
        `firmware ${frame.firmwareVersion} · clock ${frame.clockKnown ? 'known' : 'unknown'} · ${compartments}`
      );
    }
    case FrameKind.Event:
      return (
        `${name} #${frame.sequence} ${EVENT_NAMES.get(frame.event)} compartment ${frame.compartment}` +
        `${frame.subject ? ` subject '${frame.subject}'` : ''} at ${time(frame.timeMs)}`
      );
    case FrameKind.EventAck:
      return `${name} everything up to #${frame.sequence} of journal ${frame.epoch}`;
    case FrameKind.Time:
      return `${name} ${time(frame.nowMs)}`;
    case FrameKind.Command:
      return `${name} #${frame.id} ${describeCommand(frame.body)}`;
    case FrameKind.CommandResult:
      return `${name} #${frame.id} ${STATUS_NAMES.get(frame.status)} '${frame.detail}'`;
    case FrameKind.Keepalive:
      return `${name} (NAT stays open; the relay may push now)`;
  }
}

export function frameLines(frames: readonly Frame[]): void {
  for (const frame of frames) say(`        ${describeFrame(frame)}`);
}
