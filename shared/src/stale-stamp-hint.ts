import { readU64Number, utf8, viewOf, writeU64Number } from './bytes.js';
import {
  HANDSHAKE_INITIATION_BYTES,
  MAC2_BYTES,
  PROTOCOL_VERSION,
  STALE_STAMP_HINT_BYTES,
  TelegramType,
} from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import { randomBytes } from './crypto/index.js';
import { readU32, writeU32 } from './telegram.js';

/*
 * The stale-stamp hint (docs/protocol.md, "Stale stamps"): the relay's answer
 * to an initiation of a known depot whose stamp is not above the highest it
 * accepted from that depot, e.g. after the card was flashed again from the
 * same bundle while the Pi's clock is behind.
 *
 * hint (44 B): type=5 · version · reserved(2) · receiver id(4) · nonce(12) ·
 *   ChaCha20-Poly1305(key, nonce, highest stamp (u64 LE), ad) (8 + 16)
 *
 * key = BLAKE2b-256(key = X25519(relay static, depot static),
 *                   "keydepot stale-stamp hint v1" ‖ initiation's e ‖ its sender id)
 * ad  = the hint's first 8 bytes ‖ the initiation telegram up to its mac1 (mac2 left out)
 *
 * Only the relay and the depot know the static-static secret, so only they can
 * make a hint the depot accepts; the key and the associated data bind it to
 * one initiation (its fresh ephemeral key), so a recorded hint is worth
 * nothing for any later initiation.
 */

const STALE_STAMP_HINT_TYPE = TelegramType.StaleStampHint;
/** What the hint covers of its initiation: all but mac2 (a depot may send the same initiation again with a cookie). */
const COVERED_INITIATION_BYTES = HANDSHAKE_INITIATION_BYTES - MAC2_BYTES;
const NONCE_AT = 8;
const NONCE_BYTES = 12;
const SEALED_AT = NONCE_AT + NONCE_BYTES;
const LABEL = utf8('keydepot stale-stamp hint v1');
/** The initiation's ephemeral public key: right after its 8-byte header (Noise message A starts with e). */
const EPHEMERAL_AT = 8;
const EPHEMERAL_BYTES = 32;

function hintKey(backend: CryptoBackend, shared: Uint8Array, initiation: Uint8Array): Uint8Array {
  const ephemeral = initiation.subarray(EPHEMERAL_AT, EPHEMERAL_AT + EPHEMERAL_BYTES);
  return backend.blake2b(32, [LABEL, ephemeral, initiation.subarray(4, 8)], shared);
}

function associated(hint: Uint8Array, initiation: Uint8Array): Uint8Array {
  const ad = new Uint8Array(8 + COVERED_INITIATION_BYTES);
  ad.set(hint.subarray(0, 8));
  ad.set(initiation.subarray(0, COVERED_INITIATION_BYTES), 8);
  return ad;
}

/** Relay side: the hint for `initiation` (a verified one of the depot with `depotPublicKey`); null for a low-order key. */
export function sealStaleStampHint(p: {
  readonly backend: CryptoBackend;
  readonly relaySecretKey: Uint8Array;
  readonly depotPublicKey: Uint8Array;
  readonly initiation: Uint8Array;
  readonly highestStamp: number;
  /** Fixed nonce: test vectors only. */
  readonly nonce?: Uint8Array;
}): Uint8Array | null {
  const shared = p.backend.x25519(p.relaySecretKey, p.depotPublicKey);
  if (shared === null) return null;
  const hint = new Uint8Array(STALE_STAMP_HINT_BYTES);
  hint[0] = STALE_STAMP_HINT_TYPE;
  hint[1] = PROTOCOL_VERSION;
  writeU32(hint, 4, readU32(p.initiation, 4));
  hint.set(p.nonce ?? randomBytes(NONCE_BYTES), NONCE_AT);
  const stamp = new Uint8Array(8);
  writeU64Number(viewOf(stamp), 0, p.highestStamp);
  p.backend.aeadSeal(
    hint.subarray(SEALED_AT),
    stamp,
    associated(hint, p.initiation),
    hint.subarray(NONCE_AT, SEALED_AT),
    hintKey(p.backend, shared, p.initiation),
  );
  return hint;
}

/**
 * Depot side: the highest stamp the relay accepted from this depot, from a hint
 * answering `initiation` (the one the depot sent and still waits on), or
 * undefined when the hint is not one: wrong size, type or receiver, or a tag
 * that does not verify (forged, or made for another initiation).
 */
export function openStaleStampHint(p: {
  readonly backend: CryptoBackend;
  readonly depotSecretKey: Uint8Array;
  readonly relayPublicKey: Uint8Array;
  readonly initiation: Uint8Array;
  readonly hint: Uint8Array;
}): number | undefined {
  const { hint, initiation } = p;
  if (hint.length !== STALE_STAMP_HINT_BYTES || hint[0] !== STALE_STAMP_HINT_TYPE) return undefined;
  if (hint[1] !== PROTOCOL_VERSION || hint[2] !== 0 || hint[3] !== 0) return undefined;
  if (readU32(hint, 4) !== readU32(initiation, 4)) return undefined;
  const shared = p.backend.x25519(p.depotSecretKey, p.relayPublicKey);
  if (shared === null) return undefined;
  const stamp = new Uint8Array(8);
  const ok = p.backend.aeadOpen(
    stamp,
    hint.subarray(SEALED_AT),
    associated(hint, initiation),
    hint.subarray(NONCE_AT, SEALED_AT),
    hintKey(p.backend, shared, initiation),
  );
  if (!ok) return undefined;
  const highest = readU64Number(viewOf(stamp), 0);
  return Number.isSafeInteger(highest) && highest >= 0 ? highest : undefined;
}
