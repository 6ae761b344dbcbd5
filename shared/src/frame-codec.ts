import { fromHex, fromUtf8, toHex, utf8 } from './bytes.js';
import {
  FRAME_HEADER_BYTES,
  MAX_COMPARTMENTS,
  MAX_DETAIL_BYTES,
  MAX_FIRMWARE_VERSION_BYTES,
  MAX_FRAMES_PER_TELEGRAM,
  MAX_PIN_DIGITS,
  MAX_PLAINTEXT_BYTES,
  MAX_SCHEDULE_ENTRIES,
  MAX_SUBJECT_BYTES,
  MIN_PIN_DIGITS,
} from './constants.js';
import { ProtocolError } from './errors.js';
import {
  type CommandBody,
  CommandKind,
  CommandStatus,
  type CompartmentStatus,
  EventKind,
  type Frame,
  FrameKind,
  PinKind,
  type ScheduleEntry,
} from './frames.js';
import { OFFLINE_DURATION_HOURS, OFFLINE_VARIANTS } from './offline-pin.js';

/*
 * Frame = kind (u8) · body length (u16 LE) · body. All integers little-endian.
 * The decoder checks every length against what is left of the datagram and
 * every value against its range, and throws nothing but ProtocolError.
 */

const EVENT_KINDS = new Set<number>(Object.values(EventKind));
const COMMAND_KINDS = new Set<number>(Object.values(CommandKind));
const PIN_KINDS = new Set<number>(Object.values(PinKind));
const COMMAND_STATUSES = new Set<number>(Object.values(CommandStatus));
const MINUTES_PER_DAY = 1440;
const EPOCH_BYTES = 8;

function fail(code: ProtocolError['code'], message: string): never {
  throw new ProtocolError(code, message);
}

/** Bounds-checked little-endian reader over one frame body. */
class BodyReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.bytes.length) fail('bad-length', `${this.what} body too short`);
    this.offset = at + n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  /** A u64 that must fit a JavaScript number exactly. */
  u64(field: string): number {
    const at = this.need(8);
    const high = this.view.getUint32(at + 4, true);
    if (high >= 0x200000) fail('bad-value', `${this.what}.${field} exceeds 2^53`);
    return high * 0x1_0000_0000 + this.view.getUint32(at, true);
  }
  raw(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  rest(): Uint8Array {
    return this.raw(this.bytes.length - this.offset);
  }
  text(bytes: Uint8Array, field: string, max: number): string {
    if (bytes.length > max) fail('bad-value', `${this.what}.${field} longer than ${max} bytes`);
    try {
      return fromUtf8(bytes);
    } catch {
      return fail('bad-value', `${this.what}.${field} is not valid UTF-8`);
    }
  }
  end(): void {
    if (this.offset !== this.bytes.length) fail('bad-length', `${this.what} body has trailing bytes`);
  }
}

/** Growable little-endian writer. */
class Writer {
  private bytes = new Uint8Array(2048);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  private room(n: number): number {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // room() may replace bytes and view, so it must run before they are read.
  u8(v: number): void {
    const at = this.room(1);
    this.view.setUint8(at, v);
  }
  u16(v: number): void {
    const at = this.room(2);
    this.view.setUint16(at, v, true);
  }
  u32(v: number): void {
    const at = this.room(4);
    this.view.setUint32(at, v, true);
  }
  u64(v: number): void {
    const at = this.room(8);
    this.view.setUint32(at, v % 0x1_0000_0000, true);
    this.view.setUint32(at + 4, Math.floor(v / 0x1_0000_0000), true);
  }
  raw(b: Uint8Array): void {
    const at = this.room(b.length);
    this.bytes.set(b, at);
  }
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) fail('bad-value', message);
}
const isU8 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xff;
const isU16 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffff;
const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
const isTime = (v: number) => Number.isSafeInteger(v) && v >= 0;
const isOfflineSlot = (startHour: number, durationCode: number, variant: number) =>
  isU32(startHour) &&
  Number.isInteger(durationCode) &&
  durationCode >= 0 &&
  durationCode < OFFLINE_DURATION_HOURS.length &&
  Number.isInteger(variant) &&
  variant >= 0 &&
  variant < OFFLINE_VARIANTS;
const isCompartment = (v: number, allowDepot: boolean) =>
  Number.isInteger(v) && v >= (allowDepot ? 0 : 1) && v <= MAX_COMPARTMENTS;

function epochBytes(epoch: string): Uint8Array {
  check(/^[0-9a-f]{16}$/.test(epoch), `journal epoch must be 16 lower-case hex digits, got '${epoch}'`);
  return fromHex(epoch);
}

function boundedText(text: string, max: number, field: string): Uint8Array {
  const bytes = utf8(text);
  check(bytes.length <= max, `${field} longer than ${max} bytes`);
  return bytes;
}

/** A schedule belongs to a recurring PIN and a recurring PIN needs one; a window must not end before it starts. */
function checkPinShape(pinKind: number, validFromMs: number, validUntilMs: number, scheduleLength: number): void {
  check(
    (pinKind === PinKind.RecurringWeekly) === scheduleLength > 0,
    'a recurring PIN needs a schedule, and only a recurring PIN has one',
  );
  check(validUntilMs === 0 || validFromMs <= validUntilMs, 'PIN valid-until lies before valid-from');
}

function checkDigits(digits: string): void {
  check(
    digits.length >= MIN_PIN_DIGITS && digits.length <= MAX_PIN_DIGITS && /^[0-9]+$/.test(digits),
    `PIN must be ${MIN_PIN_DIGITS}-${MAX_PIN_DIGITS} digits`,
  );
}

function checkSchedule(entry: ScheduleEntry): void {
  check(
    isU8(entry.days) &&
      entry.days > 0 &&
      entry.days < 0x80 &&
      isU16(entry.startMinute) &&
      isU16(entry.endMinute) &&
      entry.startMinute < entry.endMinute &&
      entry.endMinute <= MINUTES_PER_DAY,
    'schedule entry out of range',
  );
}

function writeCommandBody(w: Writer, body: CommandBody): void {
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
        check(isCompartment(slot.compartment, false), 'compartment out of range');
        check(isOfflineSlot(slot.startHour, slot.durationCode, slot.variant), 'offline slot out of range');
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

function readCommandBody(r: BodyReader): CommandBody {
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
      if (!isCompartment(compartment, false)) fail('bad-value', 'compartment out of range');
      const offline = { compartment, startHour: r.u32(), durationCode: r.u8(), variant: r.u8() };
      if (!isOfflineSlot(offline.startHour, offline.durationCode, offline.variant)) {
        fail('bad-value', 'offline slot out of range');
      }
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

function compartmentByte(c: CompartmentStatus): number {
  return (c.doorOpen ? 1 : 0) | (c.keyPresent ? 2 : 0) | (c.keySensor ? 4 : 0) | (c.locked ? 8 : 0);
}

function writeBody(w: Writer, frame: Frame): void {
  switch (frame.kind) {
    case FrameKind.Event:
      check(isU32(frame.sequence) && isTime(frame.timeMs), 'event sequence or time out of range');
      check(EVENT_KINDS.has(frame.event), `unknown event kind ${frame.event}`);
      check(isCompartment(frame.compartment, true), 'compartment out of range');
      w.raw(epochBytes(frame.epoch));
      w.u32(frame.sequence);
      w.u64(frame.timeMs);
      w.u8(frame.event);
      w.u8(frame.compartment);
      w.raw(boundedText(frame.subject, MAX_SUBJECT_BYTES, 'subject'));
      return;
    case FrameKind.EventAck:
      check(isU32(frame.sequence), 'ack sequence out of range');
      w.raw(epochBytes(frame.epoch));
      w.u32(frame.sequence);
      return;
    case FrameKind.Command:
      check(isU32(frame.id) && isTime(frame.notAfterMs), 'command id or not-after out of range');
      w.u32(frame.id);
      w.u64(frame.notAfterMs);
      writeCommandBody(w, frame.body);
      return;
    case FrameKind.CommandResult:
      check(isU32(frame.id) && COMMAND_STATUSES.has(frame.status), 'command result out of range');
      w.u32(frame.id);
      w.u8(frame.status);
      w.raw(boundedText(frame.detail, MAX_DETAIL_BYTES, 'detail'));
      return;
    case FrameKind.Status: {
      check(
        isU32(frame.uptimeSeconds) &&
          isU32(frame.lastCommandId) &&
          isU32(frame.outboxSize) &&
          isTime(frame.lockoutUntilMs) &&
          isU8(frame.failedAttempts),
        'status field out of range',
      );
      check(frame.compartments.length <= MAX_COMPARTMENTS, 'too many compartments');
      const version = boundedText(frame.firmwareVersion, MAX_FIRMWARE_VERSION_BYTES, 'firmwareVersion');
      w.u32(frame.uptimeSeconds);
      w.u32(frame.lastCommandId);
      w.u32(frame.outboxSize);
      w.u64(frame.lockoutUntilMs);
      w.u8(frame.failedAttempts);
      w.u8(frame.clockKnown ? 1 : 0);
      w.u8(version.length);
      w.raw(version);
      w.u8(frame.compartments.length);
      for (const c of frame.compartments) w.u8(compartmentByte(c));
      return;
    }
    case FrameKind.Time:
      check(isTime(frame.nowMs), 'time out of range');
      w.u64(frame.nowMs);
      return;
    case FrameKind.Keepalive:
      return;
    default:
      fail('unknown-kind', `unknown frame kind ${(frame as { kind: number }).kind}`);
  }
}

function readBody(kind: number, body: Uint8Array): Frame {
  const r = new BodyReader(body, `frame ${kind}`);
  switch (kind) {
    case FrameKind.Event: {
      const epoch = toHex(r.raw(EPOCH_BYTES));
      const sequence = r.u32();
      const timeMs = r.u64('time');
      const event = r.u8();
      if (!EVENT_KINDS.has(event)) fail('bad-value', `unknown event kind ${event}`);
      const compartment = r.u8();
      if (!isCompartment(compartment, true)) fail('bad-value', 'compartment out of range');
      const subject = r.text(r.rest(), 'subject', MAX_SUBJECT_BYTES);
      return { kind, epoch, sequence, timeMs, event: event as EventKind, compartment, subject };
    }
    case FrameKind.EventAck: {
      const epoch = toHex(r.raw(EPOCH_BYTES));
      const sequence = r.u32();
      r.end();
      return { kind, epoch, sequence };
    }
    case FrameKind.Command: {
      const id = r.u32();
      const notAfterMs = r.u64('notAfter');
      return { kind, id, notAfterMs, body: readCommandBody(r) };
    }
    case FrameKind.CommandResult: {
      const id = r.u32();
      const status = r.u8();
      if (!COMMAND_STATUSES.has(status)) fail('bad-value', `unknown command status ${status}`);
      const detail = r.text(r.rest(), 'detail', MAX_DETAIL_BYTES);
      return { kind, id, status: status as CommandStatus, detail };
    }
    case FrameKind.Status: {
      const uptimeSeconds = r.u32();
      const lastCommandId = r.u32();
      const outboxSize = r.u32();
      const lockoutUntilMs = r.u64('lockoutUntil');
      const failedAttempts = r.u8();
      const flags = r.u8();
      if (flags > 1) fail('bad-value', 'unknown status flags');
      const firmwareVersion = r.text(r.raw(r.u8()), 'firmwareVersion', MAX_FIRMWARE_VERSION_BYTES);
      const count = r.u8();
      if (count > MAX_COMPARTMENTS) fail('bad-value', 'too many compartments');
      const compartments: CompartmentStatus[] = [];
      for (const byte of r.raw(count)) {
        if (byte > 0x0f) fail('bad-value', 'unknown compartment status bits');
        compartments.push({
          doorOpen: (byte & 1) !== 0,
          keyPresent: (byte & 2) !== 0,
          keySensor: (byte & 4) !== 0,
          locked: (byte & 8) !== 0,
        });
      }
      r.end();
      return {
        kind,
        uptimeSeconds,
        lastCommandId,
        outboxSize,
        lockoutUntilMs,
        failedAttempts,
        clockKnown: flags === 1,
        firmwareVersion,
        compartments,
      };
    }
    case FrameKind.Time: {
      const nowMs = r.u64('now');
      r.end();
      return { kind, nowMs };
    }
    case FrameKind.Keepalive:
      r.end();
      return { kind };
    default:
      return fail('unknown-kind', `unknown frame kind ${kind}`);
  }
}

/** One scratch writer for all encoding: encoding is synchronous, so it is never shared mid-frame. */
const scratch = new Writer();

/** Encodes one frame with its header. Throws ProtocolError for out-of-range values. */
export function encodeFrame(frame: Frame): Uint8Array {
  const w = scratch;
  w.reset();
  w.u8(frame.kind);
  w.u16(0);
  writeBody(w, frame);
  const bodyLength = w.length - FRAME_HEADER_BYTES;
  if (bodyLength > MAX_PLAINTEXT_BYTES - FRAME_HEADER_BYTES) {
    fail('frame-too-large', `frame of ${w.length} bytes cannot fit a telegram`);
  }
  w.patchU16(1, bodyLength);
  return w.finish();
}

/** Encodes a batch that must fit one telegram. */
export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  const packed = packFrames(frames);
  if (packed.length > 1) fail('frame-too-large', 'batch does not fit one telegram: use packFrames');
  return packed[0] ?? new Uint8Array(0);
}

/**
 * Splits frames, in order, into as few plaintexts as fit: each at most
 * maxBytes (the room in one ≤1200-byte telegram) and MAX_FRAMES_PER_TELEGRAM frames.
 */
export function packFrames(frames: readonly Frame[], maxBytes = MAX_PLAINTEXT_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (current.length === 0) return;
    const plaintext = new Uint8Array(size);
    let at = 0;
    for (const part of current) {
      plaintext.set(part, at);
      at += part.length;
    }
    out.push(plaintext);
    current = [];
    size = 0;
  };
  for (const frame of frames) {
    const encoded = encodeFrame(frame);
    if (encoded.length > maxBytes) fail('frame-too-large', `frame of ${encoded.length} bytes exceeds ${maxBytes}`);
    if (size + encoded.length > maxBytes || current.length === MAX_FRAMES_PER_TELEGRAM) flush();
    current.push(encoded);
    size += encoded.length;
  }
  flush();
  return out;
}

/**
 * Decodes the frames of one telegram's plaintext. Throws ProtocolError when
 * the plaintext is empty, a length runs past the end, a kind is unknown, a
 * value is out of range, or there are more than MAX_FRAMES_PER_TELEGRAM frames.
 */
export function decodeFrames(plaintext: Uint8Array): Frame[] {
  if (plaintext.length === 0) fail('empty', 'telegram carries no frames');
  const frames: Frame[] = [];
  let at = 0;
  while (at < plaintext.length) {
    if (frames.length === MAX_FRAMES_PER_TELEGRAM) {
      fail('too-many-frames', `more than ${MAX_FRAMES_PER_TELEGRAM} frames in one telegram`);
    }
    if (at + FRAME_HEADER_BYTES > plaintext.length) fail('truncated', 'frame header runs past the end');
    const kind = plaintext[at];
    const length = plaintext[at + 1] | (plaintext[at + 2] << 8);
    const start = at + FRAME_HEADER_BYTES;
    if (start + length > plaintext.length) fail('truncated', `frame length ${length} runs past the end`);
    frames.push(readBody(kind, plaintext.subarray(start, start + length)));
    at = start + length;
  }
  return frames;
}
