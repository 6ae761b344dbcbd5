import { equalBytes, utf8 } from '../bytes.js';
import {
  COOKIE_BYTES,
  COOKIE_LABEL,
  COOKIE_NONCE_BYTES,
  COOKIE_REPLY_BYTES,
  COOKIE_SECRET_ROTATE_MS,
  HANDSHAKE_INITIATION_BYTES,
  MAC1_BYTES,
  MAC2_BYTES,
  TelegramType,
} from '../constants.js';
import { type CryptoBackend, isAllZero } from '../crypto/backend.js';
import { randomBytes } from '../crypto/index.js';
import { readU32, writePreamble, writeU32 } from '../telegram.js';

/*
 * The cookie (WireGuard's mac2, protocol §6.4). Under load the relay answers an
 * initiation without a valid mac2 with a cookie reply instead of doing any
 * Diffie-Hellman; the depot puts the cookie into mac2 and is admitted on a lane
 * of its own. The cookie is a MAC of the source address under a secret only the
 * relay knows, so holding one proves that the sender receives datagrams at that
 * address: a flood with a spoofed source never sees its cookie.
 *
 * cookie reply (64 B): type=4 · version · reserved(2) · receiver id(4) ·
 *   nonce(24) · XChaCha20-Poly1305(cookie key, nonce, ad = the initiation's mac1, cookie 16)(32)
 * cookie key = BLAKE2b-256("cookie--" ‖ relay static public key)
 * cookie     = BLAKE2b-128(key = rotating secret, source), a relay-private value
 * mac2       = BLAKE2b-128(key = cookie, initiation bytes 0-127)
 */

export const INITIATION_MAC1_AT = HANDSHAKE_INITIATION_BYTES - MAC2_BYTES - MAC1_BYTES;
export const INITIATION_MAC2_AT = HANDSHAKE_INITIATION_BYTES - MAC2_BYTES;
const NONCE_AT = 8;
const SEALED_AT = NONCE_AT + COOKIE_NONCE_BYTES;

/** The key both sides derive from the relay's public key to seal and open cookie replies. */
export function cookieKey(backend: CryptoBackend, relayPublicKey: Uint8Array): Uint8Array {
  return backend.blake2b(32, [utf8(COOKIE_LABEL), relayPublicKey]);
}

/** The relay's cookie for a source ("address:port" in the reference relay; only the relay ever computes it). */
export function makeCookie(backend: CryptoBackend, secret: Uint8Array, source: string): Uint8Array {
  return backend.blake2b(COOKIE_BYTES, [utf8(source)], secret);
}

/** mac2 of an initiation: BLAKE2b-128 keyed by the cookie over everything before mac2 (mac1 included). */
export function initiationMac2(backend: CryptoBackend, cookie: Uint8Array, initiation: Uint8Array): Uint8Array {
  return backend.blake2b(MAC2_BYTES, [initiation.subarray(0, INITIATION_MAC2_AT)], cookie);
}

export interface CookieReplyParams {
  /** The sender id of the initiation answered: the depot finds its pending initiation by it. */
  readonly receiverId: number;
  readonly cookie: Uint8Array;
  /** cookieKey(relay static public key). */
  readonly key: Uint8Array;
  /** The answered initiation's mac1: binds the reply to that initiation. */
  readonly mac1: Uint8Array;
  readonly nonce: Uint8Array;
}

export function sealCookieReply(backend: CryptoBackend, params: CookieReplyParams): Uint8Array {
  const out = new Uint8Array(COOKIE_REPLY_BYTES);
  writePreamble(out, TelegramType.CookieReply);
  writeU32(out, 4, params.receiverId);
  out.set(params.nonce, NONCE_AT);
  backend.xaeadSeal(out.subarray(SEALED_AT), params.cookie, params.mac1, params.nonce, params.key);
  return out;
}

/** The cookie inside a reply to the initiation whose mac1 is given; null if the reply does not verify. */
export function openCookieReply(
  backend: CryptoBackend,
  datagram: Uint8Array,
  key: Uint8Array,
  mac1: Uint8Array,
): Uint8Array | null {
  if (datagram.length !== COOKIE_REPLY_BYTES) return null;
  const cookie = new Uint8Array(COOKIE_BYTES);
  const nonce = datagram.subarray(NONCE_AT, SEALED_AT);
  return backend.xaeadOpen(cookie, datagram.subarray(SEALED_AT), mac1, nonce, key) ? cookie : null;
}

/**
 * The relay's side: a secret drawn anew every two minutes (the previous one
 * still accepted, so a cookie verifies for at least that long), mac2 checks and
 * cookie replies. Holds no per-source state: a flood costs it nothing to remember.
 */
export class CookieChecker {
  private readonly key: Uint8Array;
  private secret: Uint8Array | null = null;
  private previous: Uint8Array | null = null;
  private drawnAtMs = 0;

  constructor(
    private readonly backend: CryptoBackend,
    relayPublicKey: Uint8Array,
    private readonly random: (length: number) => Uint8Array = randomBytes,
  ) {
    this.key = cookieKey(backend, relayPublicKey);
  }

  /** True if the initiation's mac2 was made with a cookie this relay gave `source` in the last 2-4 minutes. */
  mac2Verifies(initiation: Uint8Array, source: string, nowMs: number): boolean {
    const mac2 = initiation.subarray(INITIATION_MAC2_AT, HANDSHAKE_INITIATION_BYTES);
    // All zero: the depot holds no cookie. Skipping the hashes keeps a flood without cookies cheap.
    if (mac2.length !== MAC2_BYTES || isAllZero(mac2)) return false;
    this.rotate(nowMs);
    for (const secret of [this.secret, this.previous]) {
      if (secret === null) continue;
      const cookie = makeCookie(this.backend, secret, source);
      if (equalBytes(initiationMac2(this.backend, cookie, initiation), mac2)) return true;
    }
    return false;
  }

  /** The cookie reply to an initiation (whose mac1 verified) from `source`. */
  reply(initiation: Uint8Array, source: string, nowMs: number): Uint8Array {
    const secret = this.rotate(nowMs);
    return sealCookieReply(this.backend, {
      receiverId: readU32(initiation, 4),
      cookie: makeCookie(this.backend, secret, source),
      key: this.key,
      mac1: initiation.subarray(INITIATION_MAC1_AT, INITIATION_MAC2_AT),
      nonce: this.random(COOKIE_NONCE_BYTES),
    });
  }

  private rotate(nowMs: number): Uint8Array {
    const age = nowMs - this.drawnAtMs;
    if (this.secret === null || age >= COOKIE_SECRET_ROTATE_MS || age < 0) {
      // After two periods without use the old secret is dropped too: it would be older than promised.
      this.previous = this.secret !== null && age < 2 * COOKIE_SECRET_ROTATE_MS && age >= 0 ? this.secret : null;
      this.secret = this.random(32);
      this.drawnAtMs = nowMs;
    }
    return this.secret;
  }
}
