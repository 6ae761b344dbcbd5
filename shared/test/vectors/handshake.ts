/** The handshake section: one Noise IK handshake over the fixed keys, through the public API and step by step. */
import {
  type CryptoBackend,
  createInitiation,
  equalBytes,
  HandshakeResponder,
  mac1Key,
  NOISE_PROLOGUE,
  NOISE_PROTOCOL_NAME,
  type TransportSession,
  toHex,
  utf8,
  viewOf,
} from '../../src/index.js';
import { IkInitiator } from '../../src/noise/handshake-ik.js';
import { hkdf2 } from '../../src/noise/symmetric-state.js';
import { assert } from './assert.js';
import { FIXED, fixedStampBytes, type VectorKeys } from './fixed-keys.js';
import type { TestVectors, TraceStep } from './types.js';

/** Walks the IK handshake step by step (initiator's view), recording h, ck and k. */
function traceIk(backend: CryptoBackend, keys: VectorKeys, stamp: Uint8Array) {
  const steps: TraceStep[] = [];
  let h: Uint8Array = new Uint8Array(64);
  h.set(utf8(NOISE_PROTOCOL_NAME));
  let ck: Uint8Array = h.slice();
  let k: Uint8Array = new Uint8Array(32);
  let n = 0;
  const mixHash = (step: string, data: Uint8Array) => {
    h = backend.blake2b(64, [h, data]);
    steps.push({ step, h: toHex(h) });
  };
  const mixKey = (step: string, secret: Uint8Array, pub: Uint8Array) => {
    const dh = backend.x25519(secret, pub);
    assert(dh !== null, 'low-order point');
    const [nextCk, tempK] = hkdf2(backend, ck, dh);
    ck = nextCk;
    k = tempK.slice(0, 32);
    n = 0;
    steps.push({ step, dh: toHex(dh), ck: toHex(ck), k: toHex(k) });
  };
  const encryptAndHash = (step: string, plaintext: Uint8Array) => {
    const ciphertext = new Uint8Array(plaintext.length + 16);
    const nonce = new Uint8Array(12);
    viewOf(nonce).setUint32(4, n++, true);
    backend.aeadSeal(ciphertext, plaintext, h, nonce, k);
    h = backend.blake2b(64, [h, ciphertext]);
    steps.push({ step, ciphertext: toHex(ciphertext), h: toHex(h) });
    return ciphertext;
  };
  steps.push({ step: `InitializeSymmetric("${NOISE_PROTOCOL_NAME}")`, ck: toHex(ck), h: toHex(h) });
  mixHash(`MixHash(prologue "${NOISE_PROLOGUE}")`, utf8(NOISE_PROLOGUE));
  mixHash('<- s: MixHash(relay static public)', keys.rs.publicKey);
  mixHash('-> e: MixHash(depot ephemeral public)', keys.de.publicKey);
  mixKey('-> es: MixKey(DH(depot ephemeral, relay static))', keys.de.secretKey, keys.rs.publicKey);
  const encryptedStatic = encryptAndHash('-> s: EncryptAndHash(depot static public)', keys.ds.publicKey);
  mixKey('-> ss: MixKey(DH(depot static, relay static))', keys.ds.secretKey, keys.rs.publicKey);
  const encryptedStamp = encryptAndHash('-> payload: EncryptAndHash(stamp)', stamp);
  mixHash('<- e: MixHash(relay ephemeral public)', keys.re.publicKey);
  mixKey('<- ee: MixKey(DH(depot ephemeral, relay ephemeral))', keys.de.secretKey, keys.re.publicKey);
  mixKey('<- se: MixKey(DH(depot static, relay ephemeral))', keys.ds.secretKey, keys.re.publicKey);
  const encryptedEmpty = encryptAndHash('<- payload: EncryptAndHash(empty)', new Uint8Array(0));
  const [k1, k2] = hkdf2(backend, ck, new Uint8Array(0)).map((key) => key.slice(0, 32));
  steps.push({ step: 'Split(): k1 = depot→relay, k2 = relay→depot', k1: toHex(k1), k2: toHex(k2) });
  return {
    steps,
    messageA: Buffer.concat([keys.de.publicKey, encryptedStatic, encryptedStamp]),
    messageB: Buffer.concat([keys.re.publicKey, encryptedEmpty]),
    k1,
    k2,
    h,
  };
}

/** What the transport and drop sections go on with after the handshake. */
export interface HandshakeRun {
  readonly responder: HandshakeResponder;
  /** A fresh pending initiation of the same handshake (same keys, ids and stamp). */
  readonly newPending: () => ReturnType<typeof createInitiation>;
  readonly sessions: Record<'depot' | 'relay', TransportSession>;
  /** The transport keys by sender, from the trace: for telegrams sealed by hand. */
  readonly directionKey: Record<'depot' | 'relay', Uint8Array>;
  readonly section: TestVectors['handshake'];
}

export function runHandshake(b: CryptoBackend, keys: VectorKeys): HandshakeRun {
  const stampBytes = fixedStampBytes();

  // The handshake through the public API, as a depot and a relay would run it.
  const newPending = () =>
    createInitiation({
      backend: b,
      staticKeys: keys.ds,
      relayPublicKey: keys.rs.publicKey,
      localId: FIXED.depotSessionId,
      stamp: FIXED.stamp,
      ephemeralKeys: keys.de,
    });
  const pending = newPending();
  const responder = new HandshakeResponder(b, keys.rs);
  const opened = responder.openInitiation(pending.datagram, () => true, keys.re);
  assert(opened.ok && opened.stamp === FIXED.stamp, 'relay refused the initiation');
  const replied = opened.respond(FIXED.relaySessionId, FIXED.establishedAtMs);
  assert(replied.ok, 'relay could not respond');
  const consumed = pending.consumeResponse(replied.datagram, FIXED.establishedAtMs);
  assert(consumed.ok, 'depot refused the response');
  const sessions = { depot: consumed.session, relay: replied.session };

  // The transport keys, twice: from the lower-level IkInitiator and from the step-by-step trace.
  const trace = traceIk(b, keys, stampBytes);
  const ik = new IkInitiator(b, {
    prologue: utf8(NOISE_PROLOGUE),
    staticKeys: keys.ds,
    remoteStatic: keys.rs.publicKey,
    ephemeralKeys: keys.de,
  });
  assert(equalBytes(ik.writeMessageA(stampBytes) ?? new Uint8Array(), pending.datagram.subarray(8, 112)), 'message A');
  const done = ik.readMessageB(replied.datagram.subarray(12, 60));
  assert(done !== null, 'IkInitiator refused message B');
  assert(equalBytes(trace.messageA, pending.datagram.subarray(8, 112)), 'trace message A');
  assert(equalBytes(trace.messageB, replied.datagram.subarray(12, 60)), 'trace message B');
  assert(equalBytes(trace.k1, done.keys.sendKey) && equalBytes(trace.k2, done.keys.receiveKey), 'trace keys');
  assert(equalBytes(trace.h, done.keys.handshakeHash), 'trace handshake hash');
  const directionKey = { depot: trace.k1, relay: trace.k2 };

  const section: TestVectors['handshake'] = {
    description:
      'One Noise IK handshake with fixed static and ephemeral keys. initiation = depot → relay (144 B, mac2 zero: no cookie), ' +
      'response = relay → depot (76 B). trace lists h, ck and k after every Noise step, from the depot’s view.',
    depotStaticSecret: toHex(keys.ds.secretKey),
    depotStaticPublic: toHex(keys.ds.publicKey),
    relayStaticSecret: toHex(keys.rs.secretKey),
    relayStaticPublic: toHex(keys.rs.publicKey),
    depotEphemeralSecret: toHex(keys.de.secretKey),
    depotEphemeralPublic: toHex(keys.de.publicKey),
    relayEphemeralSecret: toHex(keys.re.secretKey),
    relayEphemeralPublic: toHex(keys.re.publicKey),
    depotSessionId: FIXED.depotSessionId,
    relaySessionId: FIXED.relaySessionId,
    stamp: FIXED.stamp,
    stampHex: toHex(stampBytes),
    establishedAtMs: FIXED.establishedAtMs,
    mac1KeyRelay: toHex(mac1Key(b, keys.rs.publicKey)),
    mac1KeyDepot: toHex(mac1Key(b, keys.ds.publicKey)),
    initiation: toHex(pending.datagram),
    response: toHex(replied.datagram),
    handshakeHash: toHex(done.keys.handshakeHash),
    depotToRelayKey: toHex(done.keys.sendKey),
    relayToDepotKey: toHex(done.keys.receiveKey),
    trace: trace.steps,
  };
  return { responder, newPending, sessions, directionKey, section };
}
