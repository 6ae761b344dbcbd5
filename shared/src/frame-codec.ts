import { toHex } from './bytes.js';
import { BodyReader, fail, Writer } from './codec/body-io.js';
import { readCommandBody, writeCommandBody } from './codec/command-body.js';
import { boundedText, check, epochBytes, isCompartment, isTime, isU8, isU32 } from './codec/value-rules.js';
import {
  FRAME_HEADER_BYTES,
  MAX_COMPARTMENTS,
  MAX_DETAIL_BYTES,
  MAX_FIRMWARE_VERSION_BYTES,
  MAX_FRAMES_PER_TELEGRAM,
  MAX_PLAINTEXT_BYTES,
  MAX_SUBJECT_BYTES,
} from './constants.js';
import { CommandStatus, type CompartmentStatus, EventKind, type Frame, FrameKind } from './frames.js';

/*
 * Frame = kind (u8) · body length (u16 LE) · body. All integers little-endian.
 * The decoder checks every length against what is left of the datagram and
 * every value against its range, and throws nothing but ProtocolError.
 */

const EVENT_KINDS = new Set<number>(Object.values(EventKind));
const COMMAND_STATUSES = new Set<number>(Object.values(CommandStatus));
const EPOCH_BYTES = 8;

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
      check(isU32(frame.previousId) && frame.previousId < frame.id, 'previousId must be below the id');
      w.u32(frame.id);
      w.u32(frame.previousId);
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
      w.u8((frame.clockKnown ? 1 : 0) | (frame.diskFull ? 2 : 0) | (frame.keypadDead ? 4 : 0));
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
      const previousId = r.u32();
      if (previousId >= id) fail('bad-value', 'COMMAND previousId must be below its id');
      const notAfterMs = r.u64('notAfter');
      return { kind, id, previousId, notAfterMs, body: readCommandBody(r) };
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
      if (flags > 7) fail('bad-value', 'unknown status flags');
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
        clockKnown: (flags & 1) !== 0,
        // Only when set, so a healthy depot's STATUS decodes exactly as before these flags existed.
        ...((flags & 2) !== 0 ? { diskFull: true } : {}),
        ...((flags & 4) !== 0 ? { keypadDead: true } : {}),
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
