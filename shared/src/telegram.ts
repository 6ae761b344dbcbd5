import {
  COOKIE_REPLY_BYTES,
  HANDSHAKE_INITIATION_BYTES,
  HANDSHAKE_RESPONSE_BYTES,
  MAX_DATAGRAM_BYTES,
  MIN_TRANSPORT_BYTES,
  PROTOCOL_VERSION,
  TelegramType,
} from './constants.js';
import type { DropReason } from './errors.js';

/**
 * The outer shape of every datagram: type (1 B) · version (1 B) · reserved (2 B),
 * then a 4-byte session id. Classifying a datagram is the first, cheapest
 * drop rule: wrong size, type, version or reserved bits are dropped before any
 * lookup or cryptography.
 */
export type Classified =
  | { readonly ok: true; readonly type: TelegramType; readonly sessionId: number }
  | { readonly ok: false; readonly reason: DropReason };

const EXPECTED_SIZE: Record<number, (length: number) => boolean> = {
  [TelegramType.HandshakeInitiation]: (n) => n === HANDSHAKE_INITIATION_BYTES,
  [TelegramType.HandshakeResponse]: (n) => n === HANDSHAKE_RESPONSE_BYTES,
  [TelegramType.Transport]: (n) => n >= MIN_TRANSPORT_BYTES && n <= MAX_DATAGRAM_BYTES,
  [TelegramType.CookieReply]: (n) => n === COOKIE_REPLY_BYTES,
};

/**
 * Checks the outer shape. `sessionId` is the sender's id in a handshake
 * initiation and the receiver's id in a response, cookie reply or transport telegram.
 */
export function classifyDatagram(datagram: Uint8Array): Classified {
  if (datagram.length < MIN_TRANSPORT_BYTES || datagram.length > MAX_DATAGRAM_BYTES) {
    return { ok: false, reason: 'size' };
  }
  const type = datagram[0];
  const sizeFits = EXPECTED_SIZE[type];
  if (sizeFits === undefined) return { ok: false, reason: 'type' };
  if (datagram[1] !== PROTOCOL_VERSION) return { ok: false, reason: 'version' };
  if (datagram[2] !== 0 || datagram[3] !== 0) return { ok: false, reason: 'reserved' };
  if (!sizeFits(datagram.length)) return { ok: false, reason: 'size' };
  const sessionId = type === TelegramType.HandshakeResponse ? readU32(datagram, 8) : readU32(datagram, 4);
  return { ok: true, type: type as TelegramType, sessionId };
}

/** Writes type, version and zero reserved bytes. */
export function writePreamble(datagram: Uint8Array, type: TelegramType): void {
  datagram[0] = type;
  datagram[1] = PROTOCOL_VERSION;
  datagram[2] = 0;
  datagram[3] = 0;
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}
