/** The drops section: hostile datagrams and the reason each one is dropped. */
import {
  type CryptoBackend,
  classifyDatagram,
  type DropReason,
  encodeFrames,
  FrameKind,
  mac1Key,
  type ProtocolErrorCode,
  REJECT_AFTER_MESSAGES,
  REJECT_AFTER_MS,
  receiveTransport,
  TelegramType,
  toHex,
} from '../../src/index.js';
import { sealAtCounter } from '../sessions.js';
import { assert } from './assert.js';
import { cookieReplyOf } from './cookie.js';
import { FIXED, type VectorKeys } from './fixed-keys.js';
import type { HandshakeRun } from './handshake.js';
import type { DropVector, TelegramVector, TestVectors } from './types.js';

/** The drop rules of docs/protocol.md, in order: handshakes here, transport telegrams by receiveTransport. Null = accepted. */
function receive(
  at: HandshakeRun,
  drop: Omit<DropVector, 'reason' | 'note' | 'datagram'>,
  datagram: Uint8Array,
): [DropReason, ProtocolErrorCode?] | null {
  const shape = classifyDatagram(datagram);
  if (!shape.ok) return [shape.reason];
  if (shape.type === TelegramType.HandshakeInitiation && drop.receiver === 'relay') {
    const opened = at.responder.openInitiation(datagram, () => drop.admit ?? true);
    if (!opened.ok) return [opened.reason];
    return opened.stamp <= (drop.storedStamp ?? -1) ? ['stale-stamp'] : null;
  }
  if (shape.type === TelegramType.HandshakeResponse && drop.receiver === 'depot') {
    const consumed = at.newPending().consumeResponse(datagram, drop.nowMs);
    return consumed.ok ? null : [consumed.reason];
  }
  if (shape.type === TelegramType.CookieReply && drop.receiver === 'depot') {
    const consumed = at.newPending().consumeCookieReply(datagram);
    return consumed.ok ? null : [consumed.reason];
  }
  const session = at.sessions[drop.receiver];
  const received = receiveTransport(datagram, (id) => (id === session.localId ? session : undefined), drop.nowMs);
  return received.ok ? null : [received.reason, received.code];
}

/** Each case is received, in order, by sessions in the state the transport section left them in. */
export function dropsSection(
  b: CryptoBackend,
  keys: VectorKeys,
  telegrams: readonly TelegramVector[],
  handshake: HandshakeRun,
  cookie: TestVectors['cookie'],
): TestVectors['drops'] {
  const { directionKey } = handshake;
  const initiation = Buffer.from(handshake.newPending().datagram);
  const opened = handshake.responder.openInitiation(initiation, () => true, keys.re);
  assert(opened.ok, 'initiation');
  const replied = opened.respond(FIXED.relaySessionId, FIXED.establishedAtMs);
  assert(replied.ok, 'response');
  const response = Buffer.from(replied.datagram);
  const fromDepot = telegrams.filter((t) => t.sender === 'depot').map((t) => Buffer.from(t.datagram, 'hex'));
  const fromRelay = telegrams.filter((t) => t.sender === 'relay').map((t) => Buffer.from(t.datagram, 'hex'));
  const edit = (bytes: Uint8Array, at: number, value: (old: number) => number) => {
    const copy = Buffer.from(bytes);
    copy[at] = value(copy[at]);
    return copy;
  };
  const cookieReply = cookieReplyOf(cookie);
  /** mac1 sits before mac2 in an initiation, last in a response. */
  const remac = (bytes: Buffer, receiverPublic: Uint8Array) => {
    const at = bytes[0] === TelegramType.HandshakeInitiation ? 112 : bytes.length - 16;
    bytes.set(b.blake2b(16, [bytes.subarray(0, at)], mac1Key(b, receiverPublic)), at);
    return bytes;
  };
  const now = FIXED.establishedAtMs + 1_000;
  const toRelay = (counter: number, plaintext: Uint8Array) =>
    sealAtCounter(b, directionKey.depot, FIXED.relaySessionId, BigInt(counter), plaintext);
  const plan: Array<Omit<DropVector, 'datagram' | 'reason'> & { bytes: Uint8Array }> = [
    { note: 'shorter than any telegram (31 B)', receiver: 'relay', nowMs: now, bytes: fromDepot[2].subarray(0, 31) },
    { note: 'initiation cut to 127 B', receiver: 'relay', nowMs: now, bytes: initiation.subarray(0, 127) },
    { note: 'unknown type 9', receiver: 'relay', nowMs: now, bytes: edit(fromDepot[0], 0, () => 9) },
    { note: 'version 2', receiver: 'relay', nowMs: now, bytes: edit(fromDepot[0], 1, () => 2) },
    { note: 'reserved byte 2 set', receiver: 'relay', nowMs: now, bytes: edit(fromDepot[0], 2, () => 1) },
    { note: 'initiation with mac1 altered', receiver: 'relay', nowMs: now, bytes: edit(initiation, 127, (v) => v ^ 1) },
    {
      note: 'valid initiation, source over its rate limit',
      receiver: 'relay',
      nowMs: now,
      admit: false,
      bytes: initiation,
    },
    {
      note: 'initiation with a bit of the encrypted static key flipped and mac1 recomputed',
      receiver: 'relay',
      nowMs: now,
      bytes: remac(
        edit(initiation, 40, (v) => v ^ 0x80),
        keys.rs.publicKey,
      ),
    },
    {
      note: 'replayed initiation: the relay already stored this stamp',
      receiver: 'relay',
      nowMs: now,
      storedStamp: FIXED.stamp,
      bytes: initiation,
    },
    {
      note: 'transport telegram for a session id the relay does not have',
      receiver: 'relay',
      nowMs: now,
      bytes: edit(fromDepot[1], 4, (v) => v ^ 1),
    },
    {
      note: 'transport telegram arriving when the session is exactly REJECT_AFTER_MS old (age ≥ REJECT_AFTER_MS is expired)',
      receiver: 'relay',
      nowMs: FIXED.establishedAtMs + REJECT_AFTER_MS,
      bytes: fromDepot[1],
    },
    { note: 'one ciphertext bit flipped', receiver: 'relay', nowMs: now, bytes: edit(fromDepot[1], 20, (v) => v ^ 4) },
    {
      note: 'counter byte altered (the header is AD)',
      receiver: 'relay',
      nowMs: now,
      bytes: edit(fromDepot[1], 8, (v) => v + 7),
    },
    {
      note: 'tag byte altered',
      receiver: 'relay',
      nowMs: now,
      bytes: edit(fromDepot[1], fromDepot[1].length - 1, (v) => v ^ 1),
    },
    { note: 'exact copy of the newest telegram (counter 2^32)', receiver: 'relay', nowMs: now, bytes: fromDepot[4] },
    { note: 'copy of counter 1, long behind the window', receiver: 'relay', nowMs: now, bytes: fromDepot[1] },
    {
      note: 'authentic telegram at counter 2^48',
      receiver: 'relay',
      nowMs: now,
      bytes: toRelay(REJECT_AFTER_MESSAGES, encodeFrames([{ kind: FrameKind.Keepalive }])),
    },
    {
      note: 'authentic telegram carrying an unknown frame kind 0x7f (its counter is recorded)',
      receiver: 'relay',
      nowMs: now,
      bytes: toRelay(2 ** 32 + 1, Uint8Array.of(0x7f, 0, 0)),
    },
    {
      note: 'authentic telegram with no frames',
      receiver: 'relay',
      nowMs: now,
      bytes: toRelay(2 ** 32 + 2, new Uint8Array(0)),
    },
    { note: 'response with mac1 altered', receiver: 'depot', nowMs: now, bytes: edit(response, 75, (v) => v ^ 1) },
    {
      note: 'response for another depot session id (mac1 recomputed)',
      receiver: 'depot',
      nowMs: now,
      bytes: remac(
        edit(response, 8, (v) => v ^ 1),
        keys.ds.publicKey,
      ),
    },
    {
      note: 'response with the encrypted empty payload altered (mac1 recomputed)',
      receiver: 'depot',
      nowMs: now,
      bytes: remac(
        edit(response, 50, (v) => v ^ 1),
        keys.ds.publicKey,
      ),
    },
    {
      note: 'cookie reply with a bit of the encrypted cookie flipped',
      receiver: 'depot',
      nowMs: now,
      bytes: edit(cookieReply, 40, (v) => v ^ 1),
    },
    {
      note: 'cookie reply for another depot session id',
      receiver: 'depot',
      nowMs: now,
      bytes: edit(cookieReply, 4, (v) => v ^ 1),
    },
    { note: 'cookie reply sent to the relay', receiver: 'relay', nowMs: now, bytes: cookieReply },
    { note: 'exact copy of relay telegram at counter 0', receiver: 'depot', nowMs: now, bytes: fromRelay[0] },
    {
      note: 'relay telegram with a ciphertext bit flipped',
      receiver: 'depot',
      nowMs: now,
      bytes: edit(fromRelay[3], 30, (v) => v ^ 1),
    },
  ];
  const cases = plan.map(({ bytes, ...drop }): DropVector => {
    const verdict = receive(handshake, drop, bytes);
    assert(verdict !== null, `${drop.note}: was accepted`);
    const [reason, frameError] = verdict;
    return { ...drop, datagram: toHex(bytes), reason, ...(frameError ? { frameError } : {}) };
  });
  return {
    description:
      'Hostile datagrams and the reason they are dropped (silently). Each case is received, in file order, by ' +
      'the side named, whose session state is the one left after the transport section. Response cases ' +
      'are given to a fresh pending initiation of the handshake above.',
    cases,
  };
}
