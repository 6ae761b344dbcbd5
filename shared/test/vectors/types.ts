/** The shape of docs/test-vectors.json, as shared/test/test-vectors.test.ts reads it. */
import type { DropReason, Frame, OfflinePinSlot, ProtocolErrorCode } from '../../src/index.js';

/** h, ck and k (or the split keys) after one step of the Noise IK handshake. */
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
  readonly cookie: {
    description: string;
    cookieSecret: string;
    source: string;
    cookieKey: string;
    cookie: string;
    nonce: string;
    cookieReply: string;
    mac2: string;
    initiationWithCookie: string;
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
