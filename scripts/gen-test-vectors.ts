/**
 * Writes docs/test-vectors.json: fixed keys in; every byte of one handshake, a
 * conversation of transport telegrams, offline PINs and hostile datagrams out.
 * Deterministic (no clock, no randomness), so the file can be committed and
 * checked by shared/test/test-vectors.test.ts. Run with `pnpm vectors`.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  CommandKind,
  CommandStatus,
  type CryptoBackend,
  classifyDatagram,
  createInitiation,
  type DropReason,
  decodeFrames,
  deriveOfflineKey,
  EventKind,
  encodeFrames,
  equalBytes,
  type Frame,
  FrameKind,
  falseAcceptRate,
  HandshakeResponder,
  type KeyPair,
  keyPairFromSecret,
  loadCryptoBackend,
  MAX_OPEN_VALIDITY_MS,
  mac1Key,
  NOISE_PROLOGUE,
  NOISE_PROTOCOL_NAME,
  OFFLINE_DURATION_HOURS,
  OFFLINE_PIN_DIGITS,
  OFFLINE_VARIANTS,
  OfflinePinMatcher,
  type OfflinePinSlot,
  offlinePin,
  offlineSlotMessage,
  PinKind,
  PROTOCOL_VERSION,
  type ProtocolErrorCode,
  REJECT_AFTER_MESSAGES,
  REJECT_AFTER_MS,
  receiveTransport,
  SLOTS_PER_HOUR_PER_COMPARTMENT_VARIANT,
  slotValidity,
  TelegramType,
  type TransportSession,
  toHex,
  truncateToDigits,
  utf8,
  viewOf,
  writeU64Number,
} from '../shared/src/index.js';
import { IkInitiator } from '../shared/src/noise/handshake-ik.js';

export interface TraceStep {
  readonly step: string;
  readonly dh?: string;
  readonly ciphertext?: string;
  readonly ck?: string;
  readonly k?: string;
  readonly k1?: string;
  readonly k2?: string;
  readonly h?: string;
}

export interface TelegramVector {
  readonly note: string;
  readonly sender: 'depot' | 'relay';
  /** 'session': TransportSession.seal in file order; 'hand': header and AEAD built directly at a high counter. */
  readonly sealedBy: 'session' | 'hand';
  readonly counter: number;
  readonly frames: Frame[];
  readonly plaintext: string;
  readonly datagram: string;
}

export interface OfflineSlotVector extends OfflinePinSlot {
  readonly message: string;
  readonly hmac: string;
  readonly offset: number;
  readonly binary: number;
  readonly pin: string;
  readonly validFromMs: number;
  readonly validUntilMs: number;
}

export interface DropVector {
  readonly note: string;
  readonly receiver: 'depot' | 'relay';
  readonly datagram: string;
  readonly nowMs: number;
  /** The relay's rate limiter refuses this source (initiations only). */
  readonly admit?: boolean;
  /** Highest stamp the relay has stored for this depot (initiations only). */
  readonly storedStamp?: number;
  readonly reason: DropReason;
  /** For reason 'frames': the ProtocolError code of decodeFrames. */
  readonly frameError?: ProtocolErrorCode;
}

export interface TestVectors {
  readonly description: string;
  readonly protocol: { noiseProtocolName: string; prologue: string; prologueHex: string; version: number };
  readonly handshake: {
    description: string;
    depotStaticSecret: string;
    depotStaticPublic: string;
    relayStaticSecret: string;
    relayStaticPublic: string;
    depotEphemeralSecret: string;
    depotEphemeralPublic: string;
    relayEphemeralSecret: string;
    relayEphemeralPublic: string;
    depotSessionId: number;
    relaySessionId: number;
    stamp: number;
    stampHex: string;
    establishedAtMs: number;
    mac1KeyRelay: string;
    mac1KeyDepot: string;
    initiation: string;
    response: string;
    handshakeHash: string;
    depotToRelayKey: string;
    relayToDepotKey: string;
    trace: TraceStep[];
  };
  readonly transport: { description: string; telegrams: TelegramVector[] };
  readonly offlinePins: {
    description: string;
    masterKey: string;
    depotId: number;
    derivationId: number;
    offlineKey: string;
    digits: number;
    variants: number;
    durationHours: number[];
    slots: OfflineSlotVector[];
    matches: Array<{ note: string; compartments: number; pin: string; nowMs: number; slots: OfflinePinSlot[] }>;
    falseAcceptRates: Array<{ compartments: number; candidates: number; perGuess: number; perDayAt24Guesses: number }>;
  };
  readonly drops: { description: string; cases: DropVector[] };
}

/** 2025-11-28T00:00:00Z: the clock of the whole conversation. */
const T = 1_764_288_000_000;
const HOUR_MS = 3_600_000;
const pattern = (first: number) => Uint8Array.from({ length: 32 }, (_, i) => first + i);

/** The fixed inputs. Secrets are byte patterns so that nobody mistakes them for real keys. */
export const FIXED = {
  depotStaticSecret: pattern(0x00),
  relayStaticSecret: pattern(0x20),
  depotEphemeralSecret: pattern(0x40),
  relayEphemeralSecret: pattern(0x60),
  offlineMasterKey: pattern(0x80),
  depotSessionId: 0x1234_5678,
  relaySessionId: 0x9abc_def0,
  stamp: T,
  establishedAtMs: T,
  depotId: 4711,
  derivationId: 1,
  journalEpoch: '7c1e9a4b3f5d2e80',
} as const;

function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`test vector generation: ${what}`);
}

/** HMAC-BLAKE2b and HKDF exactly as Noise §4.3 defines them, written out again for the trace. */
function hmac(backend: CryptoBackend, key: Uint8Array, data: Uint8Array[]): Uint8Array {
  const block = new Uint8Array(128);
  block.set(key);
  const inner = block.map((b) => b ^ 0x36);
  const outer = block.map((b) => b ^ 0x5c);
  return backend.blake2b(64, [outer, backend.blake2b(64, [inner, ...data])]);
}

function hkdf(backend: CryptoBackend, ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const temp = hmac(backend, ck, [ikm]);
  const out1 = hmac(backend, temp, [Uint8Array.of(1)]);
  return [out1, hmac(backend, temp, [out1, Uint8Array.of(2)])];
}

/** Walks the IK handshake step by step (initiator's view), recording h, ck and k. */
function traceIk(backend: CryptoBackend, keys: Record<'ds' | 'rs' | 'de' | 're', KeyPair>, stamp: Uint8Array) {
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
    const [nextCk, tempK] = hkdf(backend, ck, dh);
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
  const [k1, k2] = hkdf(backend, ck, new Uint8Array(0)).map((key) => key.slice(0, 32));
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

/** A transport telegram built from the spec alone: header as AD, nonce = 4 zero bytes ‖ counter. */
function sealAtCounter(
  backend: CryptoBackend,
  key: Uint8Array,
  receiverId: number,
  counter: number,
  plaintext: Uint8Array,
): Uint8Array {
  const datagram = new Uint8Array(16 + plaintext.length + 16);
  const view = viewOf(datagram);
  datagram.set([TelegramType.Transport, PROTOCOL_VERSION, 0, 0]);
  view.setUint32(4, receiverId, true);
  writeU64Number(view, 8, counter);
  const nonce = new Uint8Array(12);
  nonce.set(datagram.subarray(8, 16), 4);
  backend.aeadSeal(datagram.subarray(16), plaintext, datagram.subarray(0, 16), nonce, key);
  return datagram;
}

function conversation(): Array<{ note: string; sender: 'depot' | 'relay'; counter?: number; frames: Frame[] }> {
  const epoch = FIXED.journalEpoch;
  const event = (sequence: number, timeMs: number, kind: EventKind, compartment: number, subject = ''): Frame => ({
    kind: FrameKind.Event,
    epoch,
    sequence,
    timeMs,
    event: kind,
    compartment,
    subject,
  });
  const ack = (sequence: number): Frame => ({ kind: FrameKind.EventAck, epoch, sequence });
  const time = (nowMs: number): Frame => ({ kind: FrameKind.Time, nowMs });
  const result = (id: number, status: CommandStatus, detail = ''): Frame => ({
    kind: FrameKind.CommandResult,
    id,
    status,
    detail,
  });
  const closed = { doorOpen: false, keyPresent: true, keySensor: true, locked: true };
  const pinAdd = (id: number, pinId: number, pinKind: PinKind, compartment: number, digits: string, from = 0) => ({
    kind: FrameKind.Command,
    id,
    notAfterMs: 0,
    body: {
      command: CommandKind.PinAdd,
      pinId,
      pinKind,
      compartment,
      digits,
      validFromMs: from,
      validUntilMs: from === 0 ? 0 : from + 72 * HOUR_MS,
      schedule:
        pinKind === PinKind.RecurringWeekly
          ? [
              { days: 0b0011111, startMinute: 7 * 60, endMinute: 19 * 60 },
              { days: 0b0100000, startMinute: 8 * 60, endMinute: 12 * 60 },
            ]
          : [],
    },
  });
  return [
    {
      note: 'check-in after boot, clock unknown: STATUS and two journaled events',
      sender: 'depot',
      frames: [
        {
          kind: FrameKind.Status,
          uptimeSeconds: 42,
          lastCommandId: 0,
          outboxSize: 2,
          lockoutUntilMs: 0,
          failedAttempts: 0,
          clockKnown: false,
          firmwareVersion: '0.1.0',
          compartments: [
            closed,
            { doorOpen: false, keyPresent: false, keySensor: true, locked: true },
            { doorOpen: true, keyPresent: false, keySensor: false, locked: false },
            { doorOpen: false, keyPresent: false, keySensor: false, locked: true },
          ],
        },
        event(1, 0, EventKind.Boot, 0),
        event(2, 0, EventKind.DoorClosed, 3),
      ],
    },
    {
      note: 'reply: TIME, cumulative EVENT_ACK, four PIN_ADD commands (one of each PIN kind)',
      sender: 'relay',
      frames: [
        time(T + 120),
        ack(2),
        pinAdd(1, 1001, PinKind.TimeWindow, 2, '48201937', T),
        pinAdd(2, 1002, PinKind.RecurringWeekly, 1, '615204'),
        pinAdd(3, 1003, PinKind.OneTime, 4, '90817263', T),
        pinAdd(4, 1004, PinKind.Permanent, 1, '246813579024'),
      ],
    },
    {
      note: 'results of commands 1-4 and two events (clock set, command applied)',
      sender: 'depot',
      frames: [
        result(1, CommandStatus.Applied),
        result(2, CommandStatus.Applied),
        result(3, CommandStatus.Applied),
        result(4, CommandStatus.Applied),
        event(3, T + 150, EventKind.ClockSet, 0, 'relay'),
        event(4, T + 151, EventKind.CommandApplied, 0, 'command:4'),
      ],
    },
    {
      note: 'reply: TIME, EVENT_ACK, PIN_REVOKE without and with offline slot, LOCKOUT_RESET, CONFIG',
      sender: 'relay',
      frames: [
        time(T + 1_000),
        ack(4),
        { kind: FrameKind.Command, id: 5, notAfterMs: 0, body: { command: CommandKind.PinRevoke, pinId: 1003 } },
        {
          kind: FrameKind.Command,
          id: 6,
          notAfterMs: 0,
          body: {
            command: CommandKind.PinRevoke,
            pinId: 2001,
            offline: { compartment: 2, startHour: T / HOUR_MS, durationCode: 4, variant: 1 },
          },
        },
        { kind: FrameKind.Command, id: 7, notAfterMs: 0, body: { command: CommandKind.LockoutReset } },
        {
          kind: FrameKind.Command,
          id: 8,
          notAfterMs: 0,
          body: { command: CommandKind.Config, settings: { language: 'de', doorOpenAlertSeconds: 120, beep: true } },
        },
      ],
    },
    {
      note: 'keepalive 22 s later (NAT mapping, ready for pushes)',
      sender: 'depot',
      frames: [{ kind: FrameKind.Keepalive }],
    },
    {
      note: 'push: TIME and a remote OPEN valid for 60 s',
      sender: 'relay',
      frames: [
        time(T + 23_000),
        {
          kind: FrameKind.Command,
          id: 9,
          notAfterMs: T + 23_000 + MAX_OPEN_VALIDITY_MS,
          body: { command: CommandKind.Open, compartment: 2 },
        },
      ],
    },
    {
      note: 'results of commands 5-9 and the events of the remote open (UTF-8 subject)',
      sender: 'depot',
      frames: [
        result(5, CommandStatus.Applied),
        result(6, CommandStatus.Applied),
        result(7, CommandStatus.Applied),
        result(8, CommandStatus.Rejected, 'unknown setting: beep'),
        result(9, CommandStatus.Applied, 'opened'),
        event(5, T + 23_210, EventKind.Unlocked, 2, 'command:9'),
        event(6, T + 24_020, EventKind.DoorOpened, 2),
        event(7, T + 26_500, EventKind.KeyRemoved, 2, 'Schlüssel Nr. 2'),
      ],
    },
    { note: 'reply: TIME, EVENT_ACK', sender: 'relay', frames: [time(T + 26_800), ack(7)] },
    {
      note: 'as from a session that has sent 2^32 telegrams: counter low word 0, high word 1',
      sender: 'depot',
      counter: 2 ** 32,
      frames: [
        result(10, CommandStatus.Expired, 'not-after passed'),
        result(11, CommandStatus.Failed, 'lock did not confirm'),
        event(8, T + 30_000, EventKind.PinRejected, 0),
        event(9, T + 30_500, EventKind.LockoutStarted, 0),
        {
          kind: FrameKind.Status,
          uptimeSeconds: 4_000_000_000,
          lastCommandId: 11,
          outboxSize: 2,
          lockoutUntilMs: T + 60_000,
          failedAttempts: 5,
          clockKnown: true,
          firmwareVersion: '0.1.0',
          compartments: [closed, closed, closed, closed],
        },
      ],
    },
    {
      note: 'as from a session that has sent 2^32 + 1 telegrams',
      sender: 'relay',
      counter: 2 ** 32 + 1,
      frames: [time(T + 31_000), ack(9)],
    },
  ];
}

interface Receivers {
  readonly responder: HandshakeResponder;
  readonly newPending: () => ReturnType<typeof createInitiation>;
  readonly sessions: Record<'depot' | 'relay', TransportSession>;
}

/** The drop rules of docs/protocol.md, in order: handshakes here, transport telegrams by receiveTransport. Null = accepted. */
function receive(
  at: Receivers,
  drop: Omit<DropVector, 'reason' | 'note' | 'datagram'>,
  datagram: Uint8Array,
): [DropReason, ProtocolErrorCode?] | null {
  const shape = classifyDatagram(datagram);
  if (!shape.ok) return [shape.reason];
  if (shape.type === TelegramType.HandshakeInitiation && drop.receiver === 'relay') {
    const opened = at.responder.openInitiation(datagram, () => drop.admit ?? true);
    if (!opened.ok) return [opened.reason];
    return opened.stamp <= (drop.storedStamp ?? -1) ? ['handshake'] : null;
  }
  if (shape.type === TelegramType.HandshakeResponse && drop.receiver === 'depot') {
    const consumed = at.newPending().consumeResponse(datagram, drop.nowMs);
    return consumed.ok ? null : [consumed.reason];
  }
  const session = at.sessions[drop.receiver];
  const received = receiveTransport(datagram, (id) => (id === session.localId ? session : undefined), drop.nowMs);
  return received.ok ? null : [received.reason, received.code];
}

export async function buildTestVectors(backend?: CryptoBackend): Promise<TestVectors> {
  const b = backend ?? (await loadCryptoBackend('libsodium-wrappers'));
  const keys = {
    ds: keyPairFromSecret(b, FIXED.depotStaticSecret),
    rs: keyPairFromSecret(b, FIXED.relayStaticSecret),
    de: keyPairFromSecret(b, FIXED.depotEphemeralSecret),
    re: keyPairFromSecret(b, FIXED.relayEphemeralSecret),
  };
  const stampBytes = new Uint8Array(8);
  writeU64Number(viewOf(stampBytes), 0, FIXED.stamp);

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

  const telegrams: TelegramVector[] = [];
  for (const { note, sender, counter, frames } of conversation()) {
    const receiver = sender === 'depot' ? 'relay' : 'depot';
    const plaintext = encodeFrames(frames);
    const datagram =
      counter === undefined
        ? sessions[sender].seal(plaintext)
        : sealAtCounter(b, directionKey[sender], sessions[receiver].localId, counter, plaintext);
    const read = sessions[receiver].open(datagram);
    assert(read.ok && isDeepStrictEqual(decodeFrames(read.plaintext), frames), `${note}: did not open`);
    if (counter === undefined) {
      const again = sealAtCounter(b, directionKey[sender], sessions[receiver].localId, read.counter, plaintext);
      assert(equalBytes(again, datagram), `${note}: transport keys disagree with the session`);
    }
    telegrams.push({
      note,
      sender,
      sealedBy: counter === undefined ? 'session' : 'hand',
      counter: read.counter,
      frames,
      plaintext: toHex(plaintext),
      datagram: toHex(datagram),
    });
  }

  const drops = buildDrops(b, keys, telegrams, { responder, newPending, sessions }, directionKey);

  return {
    description:
      'Test vectors of the keydepot wire protocol (docs/protocol.md), generated by scripts/gen-test-vectors.ts. ' +
      'Bytes are lower-case hex; integers are JSON numbers (all below 2^53); the secrets are fixed byte patterns.',
    protocol: {
      noiseProtocolName: NOISE_PROTOCOL_NAME,
      prologue: NOISE_PROLOGUE,
      prologueHex: toHex(utf8(NOISE_PROLOGUE)),
      version: PROTOCOL_VERSION,
    },
    handshake: {
      description:
        'One Noise IK handshake with fixed static and ephemeral keys. initiation = depot → relay (128 B), ' +
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
    },
    transport: {
      description:
        'A conversation over the session above, in order. Each receiver opens the telegrams in file order. ' +
        'sealedBy "session": TransportSession.seal of the sender (counters 0, 1, 2, …); "hand": built from the ' +
        'spec at a high counter (a session cannot be made to count to 2^32 in a test).',
      telegrams,
    },
    offlinePins: buildOfflinePins(),
    drops: {
      description:
        'Hostile datagrams and the reason they are dropped (silently). Each case is received, in file order, by ' +
        'the side named, whose session state is the one left after the transport section. Response cases ' +
        'are given to a fresh pending initiation of the handshake above.',
      cases: drops,
    },
  };
}

function buildDrops(
  b: CryptoBackend,
  keys: Record<'ds' | 'rs' | 'de' | 're', KeyPair>,
  telegrams: TelegramVector[],
  receivers: Receivers,
  directionKey: Record<'depot' | 'relay', Uint8Array>,
): DropVector[] {
  const initiation = Buffer.from(receivers.newPending().datagram);
  const opened = receivers.responder.openInitiation(initiation, () => true, keys.re);
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
  const remac = (bytes: Buffer, receiverPublic: Uint8Array) => {
    bytes.set(b.blake2b(16, [bytes.subarray(0, bytes.length - 16)], mac1Key(b, receiverPublic)), bytes.length - 16);
    return bytes;
  };
  const now = FIXED.establishedAtMs + 1_000;
  const toRelay = (counter: number, plaintext: Uint8Array) =>
    sealAtCounter(b, directionKey.depot, FIXED.relaySessionId, counter, plaintext);
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
      note: 'transport telegram arriving when the session is older than REJECT_AFTER_MS',
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
    { note: 'exact copy of relay telegram at counter 0', receiver: 'depot', nowMs: now, bytes: fromRelay[0] },
    {
      note: 'relay telegram with a ciphertext bit flipped',
      receiver: 'depot',
      nowMs: now,
      bytes: edit(fromRelay[3], 30, (v) => v ^ 1),
    },
  ];
  return plan.map(({ bytes, ...drop }) => {
    const verdict = receive(receivers, drop, bytes);
    assert(verdict !== null, `${drop.note}: was accepted`);
    const [reason, frameError] = verdict;
    return { ...drop, datagram: toHex(bytes), reason, ...(frameError ? { frameError } : {}) };
  });
}

function buildOfflinePins(): TestVectors['offlinePins'] {
  const offlineKey = deriveOfflineKey(FIXED.offlineMasterKey, FIXED.depotId, FIXED.derivationId);
  const startHour = FIXED.stamp / HOUR_MS;
  const slots: OfflinePinSlot[] = [];
  for (let durationCode = 0; durationCode < OFFLINE_DURATION_HOURS.length; durationCode++) {
    for (let variant = 0; variant < OFFLINE_VARIANTS; variant++)
      slots.push({ compartment: 1, startHour, durationCode, variant });
  }
  slots.push(
    { compartment: 2, startHour: startHour + 1, durationCode: 4, variant: 1 },
    { compartment: 6, startHour: startHour + 24, durationCode: 6, variant: 2 },
    { compartment: 12, startHour: startHour + 7 * 24, durationCode: 5, variant: 0 },
    { compartment: 64, startHour: 0, durationCode: 7, variant: 3 },
    { compartment: 3, startHour: 2_000_000, durationCode: 0, variant: 0 },
  );
  const rows = slots.map((slot): OfflineSlotVector => {
    const message = offlineSlotMessage(FIXED.depotId, slot);
    const mac = createHmac('sha256', offlineKey).update(message).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
    const pin = offlinePin(offlineKey, FIXED.depotId, slot);
    assert(pin === truncateToDigits(mac, OFFLINE_PIN_DIGITS), 'truncation');
    assert(pin === String(binary % 10 ** OFFLINE_PIN_DIGITS).padStart(OFFLINE_PIN_DIGITS, '0'), 'binary');
    const { fromMs, untilMs } = slotValidity(slot);
    return {
      ...slot,
      message: toHex(message),
      hmac: toHex(mac),
      offset,
      binary,
      pin,
      validFromMs: fromMs,
      validUntilMs: untilMs,
    };
  });
  const slotOnly = ({ compartment, startHour: start, durationCode, variant }: OfflinePinSlot) => ({
    compartment,
    startHour: start,
    durationCode,
    variant,
  });
  const matchAt = (note: string, pin: string, nowMs: number) => {
    const matcher = new OfflinePinMatcher({ offlineKey, depotId: FIXED.depotId, compartments: 6 });
    return { note, compartments: 6, pin, nowMs, slots: matcher.match(pin, nowMs).map(slotOnly) };
  };
  const oneHour = rows[0];
  const oneWeek = rows[31];
  const matches = [
    matchAt('1-hour slot, half an hour in', oneHour.pin, oneHour.validFromMs + 30 * 60_000),
    matchAt('1-hour slot, first millisecond', oneHour.pin, oneHour.validFromMs),
    matchAt('1-hour slot, 1 ms before it starts', oneHour.pin, oneHour.validFromMs - 1),
    matchAt('1-hour slot, at its end (exclusive)', oneHour.pin, oneHour.validUntilMs),
    matchAt('168-hour slot, last millisecond', oneWeek.pin, oneWeek.validUntilMs - 1),
    matchAt('a PIN that is no slot’s', '000000000', oneHour.validFromMs),
  ];
  assert(matches[0].slots.length === 1 && matches[4].slots.length === 1 && matches[5].slots.length === 0, 'matcher');
  return {
    description:
      'Offline PINs: K_offline = HKDF-SHA256(master key, salt "keydepot offline-pin key v1", info depot id ‖ ' +
      'derivation id), PIN = RFC 4226 truncation of HMAC-SHA256(K_offline, slot message) to 9 digits. matches: ' +
      'what a depot with 6 compartments accepts for a typed PIN at nowMs.',
    masterKey: toHex(FIXED.offlineMasterKey),
    depotId: FIXED.depotId,
    derivationId: FIXED.derivationId,
    offlineKey: toHex(offlineKey),
    digits: OFFLINE_PIN_DIGITS,
    variants: OFFLINE_VARIANTS,
    durationHours: [...OFFLINE_DURATION_HOURS],
    slots: rows,
    matches,
    falseAcceptRates: [1, 6, 12, 64].map((compartments) => {
      const perGuess = falseAcceptRate(compartments);
      return {
        compartments,
        candidates: SLOTS_PER_HOUR_PER_COMPARTMENT_VARIANT * compartments * OFFLINE_VARIANTS,
        perGuess,
        perDayAt24Guesses: -Math.expm1(24 * Math.log1p(-perGuess)),
      };
    }),
  };
}

export function formatTestVectors(vectors: TestVectors): string {
  return `${JSON.stringify(vectors, null, 2)}\n`;
}

export const TEST_VECTORS_URL = new URL('../docs/test-vectors.json', import.meta.url);

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const text = formatTestVectors(await buildTestVectors());
  writeFileSync(TEST_VECTORS_URL, text);
  console.log(`wrote ${fileURLToPath(TEST_VECTORS_URL)} (${Buffer.byteLength(text)} bytes)`);
}
