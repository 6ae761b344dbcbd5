import { type CryptoBackend, type KeyPair, keyPairFromSecret, viewOf, writeU64Number } from '../../src/index.js';

/** 2025-11-28T00:00:00Z: the clock of the whole conversation. */
export const T = 1_764_288_000_000;
export const HOUR_MS = 3_600_000;
const pattern = (first: number, length = 32) => Uint8Array.from({ length }, (_, i) => first + i);

/** The fixed inputs. Secrets are byte patterns so that nobody mistakes them for real keys. */
export const FIXED = {
  depotStaticSecret: pattern(0x00),
  relayStaticSecret: pattern(0x20),
  depotEphemeralSecret: pattern(0x40),
  relayEphemeralSecret: pattern(0x60),
  offlineMasterKey: pattern(0x80),
  cookieSecret: pattern(0xa0),
  cookieNonce: pattern(0xc0, 24),
  depotSessionId: 0x1234_5678,
  relaySessionId: 0x9abc_def0,
  stamp: T,
  establishedAtMs: T,
  depotId: 4711,
  derivationId: 1,
  journalEpoch: '7c1e9a4b3f5d2e80',
} as const;

/** Depot static, relay static, depot ephemeral and relay ephemeral key pairs. */
export type VectorKeys = Record<'ds' | 'rs' | 'de' | 're', KeyPair>;

export function fixedKeys(backend: CryptoBackend): VectorKeys {
  return {
    ds: keyPairFromSecret(backend, FIXED.depotStaticSecret),
    rs: keyPairFromSecret(backend, FIXED.relayStaticSecret),
    de: keyPairFromSecret(backend, FIXED.depotEphemeralSecret),
    re: keyPairFromSecret(backend, FIXED.relayEphemeralSecret),
  };
}

/** The initiation's payload: the stamp as u64 little-endian. */
export function fixedStampBytes(): Uint8Array {
  const stampBytes = new Uint8Array(8);
  writeU64Number(viewOf(stampBytes), 0, FIXED.stamp);
  return stampBytes;
}
