import { TelegramType } from './constants.js';
import type { DropReason } from './errors.js';
import { isProtocolError, type ProtocolErrorCode } from './errors.js';
import { decodeFrames } from './frame-codec.js';
import type { Frame } from './frames.js';
import type { TransportSession } from './session.js';
import { classifyDatagram } from './telegram.js';

export type Received =
  | { readonly ok: true; readonly session: TransportSession; readonly counter: number; readonly frames: Frame[] }
  | { readonly ok: false; readonly reason: DropReason; readonly code?: ProtocolErrorCode };

/**
 * The receive path of a transport telegram, the same on both sides, with the
 * drop rules in their order: shape (size, type, version, reserved bits),
 * session id, session age, tag, counter limit, replay window, then frames.
 * Only a result with ok = true may change anything (e.g. the peer's address).
 */
export function receiveTransport(
  datagram: Uint8Array,
  findSession: (sessionId: number) => TransportSession | undefined,
  nowMs: number,
): Received {
  const shape = classifyDatagram(datagram);
  if (!shape.ok) return shape;
  if (shape.type !== TelegramType.Transport) return { ok: false, reason: 'type' };
  const session = findSession(shape.sessionId);
  if (session === undefined) return { ok: false, reason: 'unknown-session' };
  if (session.isExpired(nowMs)) return { ok: false, reason: 'expired-session' };
  const opened = session.open(datagram);
  if (!opened.ok) return opened;
  try {
    return { ok: true, session, counter: opened.counter, frames: decodeFrames(opened.plaintext) };
  } catch (error) {
    if (isProtocolError(error)) return { ok: false, reason: 'frames', code: error.code };
    throw error;
  }
}
