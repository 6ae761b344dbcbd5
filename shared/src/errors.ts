/** Why a frame batch or telegram body was refused. Stable strings: they label metrics. */
export type ProtocolErrorCode =
  | 'empty'
  | 'truncated'
  | 'unknown-kind'
  | 'bad-length'
  | 'bad-value'
  | 'too-many-frames'
  | 'frame-too-large'
  | 'bad-handshake';

/** The one error the codec throws. Anything else escaping it is a bug. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}

/**
 * Why a datagram was dropped without an answer (protocol §7; WireGuard: "silence is a
 * virtue"). Checked in this order; the relay counts drops by these labels.
 */
export type DropReason =
  | 'size'
  | 'type'
  | 'version'
  | 'reserved'
  | 'mac1'
  | 'rate-limit'
  | 'unknown-session'
  | 'expired-session'
  | 'tag'
  | 'counter-limit'
  | 'replay'
  | 'handshake'
  /** Cookie reply that does not open with the pending initiation's mac1, or came after its response. */
  | 'cookie'
  /** Initiation from a depot key the relay does not know, or one that was revoked. */
  | 'unknown-depot'
  /** Initiation whose stamp is not above the highest the relay accepted from that depot (a replay). */
  | 'stale-stamp'
  | 'frames';
