import { utf8 } from '../bytes.js';
import { MAX_PLAINTEXT_BYTES, MAX_SCHEDULE_ENTRIES } from '../constants.js';
import { type CommandBody, CommandKind, PinKind, type ScheduleEntry } from '../frames.js';
import { isOfflineSlot } from '../offline-pin.js';
import { type BodyReader, fail, type Writer } from './body-io.js';
import { check, checkDigits, checkPinShape, checkSchedule, isCompartment, isTime, isU32 } from './value-rules.js';

/** Bodies of COMMAND frames, one layout per command kind (docs/protocol.md §8.4). */

const COMMAND_KINDS = new Set<number>(Object.values(CommandKind));
const PIN_KINDS = new Set<number>(Object.values(PinKind));

export function writeCommandBody(w: Writer, body: CommandBody): void {
  w.u8(body.command);
  switch (body.command) {
    case CommandKind.PinAdd: {
      check(isU32(body.pinId), 'pinId must be a u32');
      check(PIN_KINDS.has(body.pinKind), `unknown PIN kind ${body.pinKind}`);
      check(isCompartment(body.compartment, false), 'compartment out of range');
      check(isTime(body.validFromMs) && isTime(body.validUntilMs), 'validity out of range');
      checkDigits(body.digits);
      check(body.schedule.length <= MAX_SCHEDULE_ENTRIES, 'too many schedule entries');
      checkPinShape(body.pinKind, body.validFromMs, body.validUntilMs, body.schedule.length);
      w.u32(body.pinId);
      w.u8(body.pinKind);
      w.u8(body.compartment);
      w.u64(body.validFromMs);
      w.u64(body.validUntilMs);
      w.u8(body.digits.length);
      w.raw(utf8(body.digits));
      w.u8(body.schedule.length);
      for (const entry of body.schedule) {
        checkSchedule(entry);
        w.u8(entry.days);
        w.u16(entry.startMinute);
        w.u16(entry.endMinute);
      }
      return;
    }
    case CommandKind.PinRevoke: {
      check(isU32(body.pinId), 'pinId must be a u32');
      w.u32(body.pinId);
      const slot = body.offline;
      w.u8(slot ? 1 : 0);
      if (slot) {
        check(isOfflineSlot(slot), 'offline slot out of range');
        w.u8(slot.compartment);
        w.u32(slot.startHour);
        w.u8(slot.durationCode);
        w.u8(slot.variant);
      }
      return;
    }
    case CommandKind.Open:
      check(isCompartment(body.compartment, false), 'compartment out of range');
      w.u8(body.compartment);
      return;
    case CommandKind.LockoutReset:
      return;
    case CommandKind.Config:
      check(
        Object.values(body.settings).every((v) => typeof v !== 'number' || Number.isFinite(v)),
        'CONFIG values must be finite numbers, strings or booleans',
      );
      w.raw(utf8(JSON.stringify(body.settings)));
      return;
    default:
      fail('bad-value', `unknown command kind ${(body as { command: number }).command}`);
  }
}

export function readCommandBody(r: BodyReader): CommandBody {
  const command = r.u8();
  if (!COMMAND_KINDS.has(command)) fail('bad-value', `unknown command kind ${command}`);
  switch (command) {
    case CommandKind.PinAdd: {
      const pinId = r.u32();
      const pinKind = r.u8();
      if (!PIN_KINDS.has(pinKind)) fail('bad-value', `unknown PIN kind ${pinKind}`);
      const compartment = r.u8();
      if (!isCompartment(compartment, false)) fail('bad-value', 'compartment out of range');
      const validFromMs = r.u64('validFrom');
      const validUntilMs = r.u64('validUntil');
      const digits = String.fromCharCode(...r.raw(r.u8()));
      checkDigits(digits);
      const count = r.u8();
      if (count > MAX_SCHEDULE_ENTRIES) fail('bad-value', 'too many schedule entries');
      const schedule: ScheduleEntry[] = [];
      for (let i = 0; i < count; i++) {
        const entry = { days: r.u8(), startMinute: r.u16(), endMinute: r.u16() };
        checkSchedule(entry);
        schedule.push(entry);
      }
      checkPinShape(pinKind, validFromMs, validUntilMs, schedule.length);
      r.end();
      return {
        command,
        pinId,
        pinKind: pinKind as PinKind,
        compartment,
        digits,
        validFromMs,
        validUntilMs,
        schedule,
      };
    }
    case CommandKind.PinRevoke: {
      const pinId = r.u32();
      const flags = r.u8();
      if (flags > 1) fail('bad-value', 'unknown PIN_REVOKE flags');
      if (flags === 0) {
        r.end();
        return { command, pinId };
      }
      const compartment = r.u8();
      const offline = { compartment, startHour: r.u32(), durationCode: r.u8(), variant: r.u8() };
      if (!isOfflineSlot(offline)) fail('bad-value', 'offline slot out of range');
      r.end();
      return { command, pinId, offline };
    }
    case CommandKind.Open: {
      const compartment = r.u8();
      if (!isCompartment(compartment, false)) fail('bad-value', 'compartment out of range');
      r.end();
      return { command, compartment };
    }
    case CommandKind.LockoutReset:
      r.end();
      return { command };
    default: {
      const text = r.text(r.rest(), 'settings', MAX_PLAINTEXT_BYTES);
      let settings: unknown;
      try {
        settings = JSON.parse(text);
      } catch {
        fail('bad-value', 'CONFIG body is not JSON');
      }
      const valid =
        typeof settings === 'object' &&
        settings !== null &&
        !Array.isArray(settings) &&
        Object.values(settings).every((v) => ['string', 'number', 'boolean'].includes(typeof v));
      if (!valid) fail('bad-value', 'CONFIG body must be a flat JSON object');
      return { command: CommandKind.Config, settings: settings as Record<string, string | number | boolean> };
    }
  }
}
