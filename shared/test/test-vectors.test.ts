import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CookieChecker,
  type CryptoBackend,
  classifyDatagram,
  createInitiation,
  decodeFrames,
  deriveOfflineKey,
  encodeFrames,
  falseAcceptRate,
  fromHex,
  HandshakeResponder,
  keyPairFromSecret,
  MAX_DATAGRAM_BYTES,
  mac1Key,
  NOISE_PROLOGUE,
  NOISE_PROTOCOL_NAME,
  OFFLINE_DURATION_HOURS,
  OFFLINE_PIN_DIGITS,
  OFFLINE_VARIANTS,
  OfflinePinMatcher,
  offlinePin,
  offlineSlotMessage,
  PROTOCOL_VERSION,
  receiveTransport,
  slotValidity,
  TelegramType,
  type TransportSession,
  toHex,
  utf8,
} from '../src/index.js';
import { IkInitiator, IkResponder } from '../src/noise/handshake-ik.js';
import { backends } from './backends.js';
import { NoiseState } from './noise-handshake.js';
import { buildTestVectors, formatTestVectors } from './vectors/build.js';
import type { DropVector, TelegramVector, TestVectors } from './vectors/types.js';

/*
 * docs/test-vectors.json is the contract an implementation outside this repo
 * is checked against. Every entry is recomputed here with both backends, and
 * the generator must reproduce the committed file byte for byte.
 */

const FILE = new URL('../../docs/test-vectors.json', import.meta.url);
const committed = readFileSync(FILE, 'utf8');
const vectors = JSON.parse(committed) as TestVectors;
const hs = vectors.handshake;
const hex = fromHex;

function u32(bytes: Uint8Array, at: number): number {
  return Buffer.from(bytes).readUInt32LE(at);
}

function u64(bytes: Uint8Array, at: number): number {
  return Number(Buffer.from(bytes).readBigUInt64LE(at));
}

/** Seals a transport telegram from the spec alone: header = AD, nonce = 0⁴ ‖ counter (u64 LE). */
function sealFromSpec(
  backend: CryptoBackend,
  key: Uint8Array,
  receiverId: number,
  counter: number,
  plaintext: Uint8Array,
): Uint8Array {
  const header = Buffer.alloc(16);
  header.writeUInt8(TelegramType.Transport, 0);
  header.writeUInt8(PROTOCOL_VERSION, 1);
  header.writeUInt32LE(receiverId, 4);
  header.writeBigUInt64LE(BigInt(counter), 8);
  const nonce = new Uint8Array(12);
  nonce.set(header.subarray(8, 16), 4);
  const sealed = new Uint8Array(plaintext.length + 16);
  backend.aeadSeal(sealed, plaintext, header, nonce, key);
  return Buffer.concat([header, sealed]);
}

function keysOf(backend: CryptoBackend) {
  return {
    depotStatic: keyPairFromSecret(backend, hex(hs.depotStaticSecret)),
    relayStatic: keyPairFromSecret(backend, hex(hs.relayStaticSecret)),
    depotEphemeral: keyPairFromSecret(backend, hex(hs.depotEphemeralSecret)),
    relayEphemeral: keyPairFromSecret(backend, hex(hs.relayEphemeralSecret)),
  };
}

/** Runs the vector handshake through the public API; returns both sessions and the pieces to redo parts of it. */
function handshake(backend: CryptoBackend) {
  const keys = keysOf(backend);
  const newPending = () =>
    createInitiation({
      backend,
      staticKeys: keys.depotStatic,
      relayPublicKey: keys.relayStatic.publicKey,
      localId: hs.depotSessionId,
      stamp: hs.stamp,
      ephemeralKeys: keys.depotEphemeral,
    });
  const pending = newPending();
  const responder = new HandshakeResponder(backend, keys.relayStatic);
  const opened = responder.openInitiation(pending.datagram, () => true, keys.relayEphemeral);
  if (!opened.ok) throw new Error(`initiation dropped: ${opened.reason}`);
  const replied = opened.respond(hs.relaySessionId, hs.establishedAtMs);
  if (!replied.ok) throw new Error(`response failed: ${replied.reason}`);
  const consumed = pending.consumeResponse(replied.datagram, hs.establishedAtMs);
  if (!consumed.ok) throw new Error(`response dropped: ${consumed.reason}`);
  return {
    keys,
    pending,
    opened,
    replied,
    responder,
    newPending,
    sessions: { depot: consumed.session, relay: replied.session } as Record<'depot' | 'relay', TransportSession>,
  };
}

/** Replays the transport section: every telegram resealed by its sender and opened by its receiver, in order. */
function converse(
  backend: CryptoBackend,
  check: (telegram: TelegramVector, resealed: Uint8Array, frames: unknown) => void,
) {
  const state = handshake(backend);
  const keyOf = { depot: hex(hs.depotToRelayKey), relay: hex(hs.relayToDepotKey) };
  for (const telegram of vectors.transport.telegrams) {
    const sender = state.sessions[telegram.sender];
    const receiver = state.sessions[telegram.sender === 'depot' ? 'relay' : 'depot'];
    const plaintext = encodeFrames(telegram.frames);
    expect(toHex(plaintext)).toBe(telegram.plaintext);
    let resealed: Uint8Array;
    if (telegram.sealedBy === 'session') {
      expect(sender.sendCounter).toBe(telegram.counter);
      resealed = sender.seal(plaintext);
    } else {
      resealed = sealFromSpec(backend, keyOf[telegram.sender], receiver.localId, telegram.counter, plaintext);
    }
    const datagram = hex(telegram.datagram);
    const shape = classifyDatagram(datagram);
    expect(shape).toEqual({ ok: true, type: TelegramType.Transport, sessionId: receiver.localId });
    const opened = receiver.open(datagram);
    if (!opened.ok) throw new Error(`${telegram.note}: dropped (${opened.reason})`);
    expect(opened.counter).toBe(telegram.counter);
    expect(toHex(opened.plaintext)).toBe(telegram.plaintext);
    check(telegram, resealed, decodeFrames(opened.plaintext));
  }
  return state;
}

/** The drop rules of docs/protocol.md: handshakes through the handshake API, transport through receiveTransport. */
function receive(state: ReturnType<typeof handshake>, drop: DropVector): [string, string?] | null {
  const datagram = hex(drop.datagram);
  const shape = classifyDatagram(datagram);
  if (!shape.ok) return [shape.reason];
  if (drop.receiver === 'relay' && shape.type === TelegramType.HandshakeInitiation) {
    const opened = state.responder.openInitiation(datagram, () => drop.admit ?? true);
    if (!opened.ok) return [opened.reason];
    expect(toHex(opened.depotPublicKey)).toBe(hs.depotStaticPublic);
    return drop.storedStamp !== undefined && opened.stamp <= drop.storedStamp ? ['stale-stamp'] : null;
  }
  if (drop.receiver === 'depot' && shape.type === TelegramType.HandshakeResponse) {
    const consumed = state.newPending().consumeResponse(datagram, drop.nowMs);
    return consumed.ok ? null : [consumed.reason];
  }
  if (drop.receiver === 'depot' && shape.type === TelegramType.CookieReply) {
    const consumed = state.newPending().consumeCookieReply(datagram);
    return consumed.ok ? null : [consumed.reason];
  }
  const session = state.sessions[drop.receiver];
  const received = receiveTransport(datagram, (id) => (id === session.localId ? session : undefined), drop.nowMs);
  return received.ok ? null : received.code === undefined ? [received.reason] : [received.reason, received.code];
}

describe('test vectors: the file', () => {
  it('names this protocol', () => {
    expect(vectors.protocol).toEqual({
      noiseProtocolName: NOISE_PROTOCOL_NAME,
      prologue: NOISE_PROLOGUE,
      prologueHex: toHex(utf8(NOISE_PROLOGUE)),
      version: PROTOCOL_VERSION,
    });
  });

  it('covers every frame kind, every command kind and the PIN_REVOKE forms', () => {
    const frames = vectors.transport.telegrams.flatMap((t) => t.frames);
    expect(new Set(frames.map((f) => f.kind))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
    const commands = frames.flatMap((f) => (f.kind === 3 ? [f.body] : []));
    expect(new Set(commands.map((c) => c.command))).toEqual(new Set([1, 2, 3, 4, 5]));
    const revokes = commands.flatMap((c) => (c.command === 2 ? [c.offline !== undefined] : []));
    expect(new Set(revokes)).toEqual(new Set([true, false]));
    expect(new Set(vectors.transport.telegrams.map((t) => t.sender))).toEqual(new Set(['depot', 'relay']));
    expect(Math.max(...vectors.transport.telegrams.map((t) => t.counter))).toBeGreaterThan(2 ** 32);
    for (const t of vectors.transport.telegrams) expect(t.datagram.length / 2).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
  });

  it('is what docs/protocol.md quotes: every hex value of 16 bytes or more in it is in the vectors', () => {
    const spec = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const quoted = spec.match(/\b[0-9a-f]{32,}\b/g) ?? [];
    expect(quoted.length).toBeGreaterThan(40);
    for (const value of quoted) expect(committed, value).toContain(value);
  });

  it('agrees with noise-handshake, an independent implementation', () => {
    const initiation = hex(hs.initiation);
    const response = hex(hs.response);
    const pair = (secret: string, pub: string) => ({
      secretKey: Buffer.from(secret, 'hex'),
      publicKey: Buffer.from(pub, 'hex'),
    });
    const depot = new NoiseState('IK', true, pair(hs.depotStaticSecret, hs.depotStaticPublic));
    depot.initialise(utf8(NOISE_PROLOGUE), Buffer.from(hs.relayStaticPublic, 'hex'));
    depot.e = pair(hs.depotEphemeralSecret, hs.depotEphemeralPublic);
    expect(toHex(depot.send(hex(hs.stampHex)))).toBe(toHex(initiation.subarray(8, 112)));
    const relay = new NoiseState('IK', false, pair(hs.relayStaticSecret, hs.relayStaticPublic));
    relay.initialise(utf8(NOISE_PROLOGUE));
    relay.e = pair(hs.relayEphemeralSecret, hs.relayEphemeralPublic);
    expect(toHex(relay.recv(initiation.subarray(8, 112)))).toBe(hs.stampHex);
    expect(toHex(relay.send())).toBe(toHex(response.subarray(12, 60)));
    expect(depot.recv(response.subarray(12, 60))).toHaveLength(0);
    expect(toHex(depot.tx)).toBe(hs.depotToRelayKey);
    expect(toHex(depot.rx)).toBe(hs.relayToDepotKey);
    expect(toHex(relay.rx)).toBe(hs.depotToRelayKey);
    expect(toHex(depot.hash)).toBe(hs.handshakeHash);
  });
});

describe.each(backends)('test vectors on $name', (backend) => {
  it('the generator reproduces the committed file byte for byte', async () => {
    expect(formatTestVectors(await buildTestVectors(backend))).toBe(committed);
  });

  it('derives the public keys and both mac1 keys', () => {
    const keys = keysOf(backend);
    expect(toHex(keys.depotStatic.publicKey)).toBe(hs.depotStaticPublic);
    expect(toHex(keys.relayStatic.publicKey)).toBe(hs.relayStaticPublic);
    expect(toHex(keys.depotEphemeral.publicKey)).toBe(hs.depotEphemeralPublic);
    expect(toHex(keys.relayEphemeral.publicKey)).toBe(hs.relayEphemeralPublic);
    expect(toHex(mac1Key(backend, keys.relayStatic.publicKey))).toBe(hs.mac1KeyRelay);
    expect(toHex(mac1Key(backend, keys.depotStatic.publicKey))).toBe(hs.mac1KeyDepot);
    expect(toHex(backend.blake2b(32, [utf8('mac1----'), keys.relayStatic.publicKey]))).toBe(hs.mac1KeyRelay);
  });

  it('builds the initiation byte for byte, with every field where the spec puts it', () => {
    const { pending } = handshake(backend);
    expect(toHex(pending.datagram)).toBe(hs.initiation);
    const d = hex(hs.initiation);
    expect(d).toHaveLength(144);
    expect([...d.subarray(0, 4)]).toEqual([TelegramType.HandshakeInitiation, PROTOCOL_VERSION, 0, 0]);
    expect(u32(d, 4)).toBe(hs.depotSessionId);
    expect(toHex(d.subarray(8, 40))).toBe(hs.depotEphemeralPublic);
    expect(toHex(backend.blake2b(16, [d.subarray(0, 112)], hex(hs.mac1KeyRelay)))).toBe(toHex(d.subarray(112, 128)));
    // No cookie: mac2 is zero.
    expect(toHex(d.subarray(128))).toBe('00'.repeat(16));
    expect(u64(hex(hs.stampHex), 0)).toBe(hs.stamp);
  });

  it('builds the cookie reply and the initiation with mac2 from the spec, and both sides take them', () => {
    const c = vectors.cookie;
    const relayPublic = hex(hs.relayStaticPublic);
    const initiation = hex(hs.initiation);
    // From the spec alone: the key, the cookie, the sealed reply and mac2.
    const key = backend.blake2b(32, [utf8('cookie--'), relayPublic]);
    expect(toHex(key)).toBe(c.cookieKey);
    const cookie = backend.blake2b(16, [utf8(c.source)], hex(c.cookieSecret));
    expect(toHex(cookie)).toBe(c.cookie);
    const reply = new Uint8Array(64);
    reply.set([TelegramType.CookieReply, PROTOCOL_VERSION, 0, 0]);
    reply.set(initiation.subarray(4, 8), 4);
    reply.set(hex(c.nonce), 8);
    backend.xaeadSeal(reply.subarray(32), cookie, initiation.subarray(112, 128), hex(c.nonce), key);
    expect(toHex(reply)).toBe(c.cookieReply);
    const withCookie = initiation.slice();
    withCookie.set(backend.blake2b(16, [withCookie.subarray(0, 128)], cookie), 128);
    expect(toHex(withCookie)).toBe(c.initiationWithCookie);
    expect(toHex(withCookie.subarray(128))).toBe(c.mac2);
    // The depot opens the reply and echoes the cookie; a relay holding that secret admits the mac2.
    const { newPending } = handshake(backend);
    const pending = newPending();
    const opened = pending.consumeCookieReply(reply);
    expect(opened.ok && toHex(opened.cookie)).toBe(c.cookie);
    expect(toHex(pending.withCookie(cookie))).toBe(c.initiationWithCookie);
    const checker = new CookieChecker(backend, relayPublic, () => hex(c.cookieSecret));
    expect(checker.mac2Verifies(withCookie, c.source, hs.establishedAtMs)).toBe(true);
    expect(checker.mac2Verifies(initiation, c.source, hs.establishedAtMs)).toBe(false);
  });

  it('opens the initiation at the relay and builds the response byte for byte', () => {
    const { opened, replied } = handshake(backend);
    expect(toHex(opened.depotPublicKey)).toBe(hs.depotStaticPublic);
    expect(opened.stamp).toBe(hs.stamp);
    expect(opened.remoteId).toBe(hs.depotSessionId);
    expect(toHex(replied.datagram)).toBe(hs.response);
    const d = hex(hs.response);
    expect(d).toHaveLength(76);
    expect([...d.subarray(0, 4)]).toEqual([TelegramType.HandshakeResponse, PROTOCOL_VERSION, 0, 0]);
    expect(u32(d, 4)).toBe(hs.relaySessionId);
    expect(u32(d, 8)).toBe(hs.depotSessionId);
    expect(toHex(d.subarray(12, 44))).toBe(hs.relayEphemeralPublic);
    expect(toHex(backend.blake2b(16, [d.subarray(0, 60)], hex(hs.mac1KeyDepot)))).toBe(toHex(d.subarray(60)));
  });

  it('yields the vector transport keys and handshake hash on both sides', () => {
    const keys = keysOf(backend);
    const prologue = utf8(NOISE_PROLOGUE);
    const initiator = new IkInitiator(backend, {
      prologue,
      staticKeys: keys.depotStatic,
      remoteStatic: keys.relayStatic.publicKey,
      ephemeralKeys: keys.depotEphemeral,
    });
    const responder = new IkResponder(backend, {
      prologue,
      staticKeys: keys.relayStatic,
      ephemeralKeys: keys.relayEphemeral,
    });
    const messageA = initiator.writeMessageA(hex(hs.stampHex)) as Uint8Array;
    expect(toHex(responder.readMessageA(messageA) as Uint8Array)).toBe(hs.stampHex);
    const b = responder.writeMessageB(new Uint8Array(0));
    const a = initiator.readMessageB(b?.message as Uint8Array);
    expect(toHex(a?.keys.sendKey as Uint8Array)).toBe(hs.depotToRelayKey);
    expect(toHex(a?.keys.receiveKey as Uint8Array)).toBe(hs.relayToDepotKey);
    expect(toHex(b?.keys.sendKey as Uint8Array)).toBe(hs.relayToDepotKey);
    expect(toHex(b?.keys.receiveKey as Uint8Array)).toBe(hs.depotToRelayKey);
    expect(toHex(a?.keys.handshakeHash as Uint8Array)).toBe(hs.handshakeHash);
    expect(toHex(b?.keys.handshakeHash as Uint8Array)).toBe(hs.handshakeHash);
    const split = hs.trace[hs.trace.length - 1];
    expect([split.k1, split.k2]).toEqual([hs.depotToRelayKey, hs.relayToDepotKey]);
    expect(hs.trace.at(-2)?.h).toBe(hs.handshakeHash);
  });

  it('reseals every transport telegram byte for byte and opens it to the vector frames', () => {
    const keyOf = { depot: hex(hs.depotToRelayKey), relay: hex(hs.relayToDepotKey) };
    const seen: number[] = [];
    converse(backend, (telegram, resealed, frames) => {
      expect(toHex(resealed)).toBe(telegram.datagram);
      expect(frames).toEqual(telegram.frames);
      const datagram = hex(telegram.datagram);
      expect(u64(datagram, 8)).toBe(telegram.counter);
      const receiverId = telegram.sender === 'depot' ? hs.relaySessionId : hs.depotSessionId;
      expect(u32(datagram, 4)).toBe(receiverId);
      // The session's telegrams are exactly what the spec's sealing rule gives with the vector keys.
      const fromSpec = sealFromSpec(
        backend,
        keyOf[telegram.sender],
        receiverId,
        telegram.counter,
        encodeFrames(frames as never),
      );
      expect(toHex(fromSpec)).toBe(telegram.datagram);
      seen.push(telegram.counter);
    });
    expect(seen).toHaveLength(vectors.transport.telegrams.length);
  });

  it('drops every hostile datagram for the stated reason, in order', () => {
    const state = converse(backend, () => {});
    for (const drop of vectors.drops.cases) {
      const verdict = receive(state, drop);
      expect({ note: drop.note, verdict }).toEqual({
        note: drop.note,
        verdict: drop.frameError === undefined ? [drop.reason] : [drop.reason, drop.frameError],
      });
    }
  });
});

describe('test vectors: offline PINs', () => {
  const op = vectors.offlinePins;
  const offlineKey = hex(op.offlineKey);

  it('derives K_offline with HKDF-SHA256', () => {
    expect(toHex(deriveOfflineKey(hex(op.masterKey), op.depotId, op.derivationId))).toBe(op.offlineKey);
    const info = Buffer.alloc(8);
    info.writeUInt32LE(op.depotId, 0);
    info.writeUInt32LE(op.derivationId, 4);
    const independent = hkdfSync('sha256', hex(op.masterKey), utf8('keydepot offline-pin key v1'), info, 32);
    expect(Buffer.from(independent).toString('hex')).toBe(op.offlineKey);
  });

  it('uses the constants of the implementation', () => {
    expect(op.digits).toBe(OFFLINE_PIN_DIGITS);
    expect(op.variants).toBe(OFFLINE_VARIANTS);
    expect(op.durationHours).toEqual([...OFFLINE_DURATION_HOURS]);
  });

  it('computes every slot message, HMAC, truncation, PIN and validity', () => {
    for (const row of op.slots) {
      const slot = {
        compartment: row.compartment,
        startHour: row.startHour,
        durationCode: row.durationCode,
        variant: row.variant,
      };
      const message = offlineSlotMessage(op.depotId, slot);
      expect(toHex(message)).toBe(row.message);
      const mac = createHmac('sha256', offlineKey).update(message).digest();
      expect(mac.toString('hex')).toBe(row.hmac);
      expect(mac[31] & 0x0f).toBe(row.offset);
      expect(mac.readUInt32BE(row.offset) & 0x7fff_ffff).toBe(row.binary);
      expect(String(row.binary % 10 ** op.digits).padStart(op.digits, '0')).toBe(row.pin);
      expect(offlinePin(offlineKey, op.depotId, slot)).toBe(row.pin);
      expect(slotValidity(slot)).toEqual({ fromMs: row.validFromMs, untilMs: row.validUntilMs });
    }
  });

  it('lets the depot match exactly the listed slots', () => {
    for (const m of op.matches) {
      const matcher = new OfflinePinMatcher({ offlineKey, depotId: op.depotId, compartments: m.compartments });
      expect({ note: m.note, slots: matcher.match(m.pin, m.nowMs) }).toEqual({ note: m.note, slots: m.slots });
    }
  });

  it('states the false-accept rates of falseAcceptRate', () => {
    for (const rate of op.falseAcceptRates) {
      expect(falseAcceptRate(rate.compartments)).toBe(rate.perGuess);
      expect(rate.candidates).toBe(327 * rate.compartments * OFFLINE_VARIANTS);
      expect(rate.perDayAt24Guesses).toBeCloseTo(1 - (1 - rate.perGuess) ** 24, 12);
    }
  });
});
