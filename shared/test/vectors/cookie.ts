/** The cookie section: the relay under load answers the vector initiation with a cookie reply; the depot echoes it in mac2. */
import {
  COOKIE_NONCE_BYTES,
  CookieChecker,
  type CryptoBackend,
  cookieKey,
  initiationMac2,
  makeCookie,
  toHex,
} from '../../src/index.js';
import { assert } from './assert.js';
import { FIXED, type VectorKeys } from './fixed-keys.js';
import type { HandshakeRun } from './handshake.js';
import type { TestVectors } from './types.js';

/** The relay's source string for the depot: "address:port", as the reference relay writes it. */
export const COOKIE_SOURCE = '198.51.100.23:40001';

export function cookieSection(b: CryptoBackend, keys: VectorKeys, handshake: HandshakeRun): TestVectors['cookie'] {
  const pending = handshake.newPending();
  const initiation = pending.datagram;
  // The checker draws its secret first, then the reply's nonce: fixed patterns instead of randomness here.
  const draws = [FIXED.cookieSecret, FIXED.cookieNonce];
  const checker = new CookieChecker(b, keys.rs.publicKey, (length) => {
    const next = draws.shift();
    assert(next !== undefined && next.length === length, 'unexpected draw');
    return next;
  });
  const reply = checker.reply(initiation, COOKIE_SOURCE, FIXED.establishedAtMs);
  const cookie = makeCookie(b, FIXED.cookieSecret, COOKIE_SOURCE);
  const received = pending.consumeCookieReply(reply);
  assert(received.ok && toHex(received.cookie) === toHex(cookie), 'depot refused the cookie reply');
  const withCookie = pending.withCookie(received.cookie);
  assert(checker.mac2Verifies(withCookie, COOKIE_SOURCE, FIXED.establishedAtMs), 'relay refused the mac2');
  assert(!checker.mac2Verifies(withCookie, '198.51.100.23:40002', FIXED.establishedAtMs), 'mac2 of another port');
  assert(FIXED.cookieNonce.length === COOKIE_NONCE_BYTES, 'nonce size');
  return {
    description:
      'The relay under load answers the handshake initiation above with a cookie reply (64 B) instead of running ' +
      'Noise; the depot sends the same initiation again with mac2 = BLAKE2b-128(cookie, bytes 0-127). The cookie ' +
      'is relay-private: the reference relay computes it from a rotating 32-byte secret and the source "address:port".',
    cookieSecret: toHex(FIXED.cookieSecret),
    source: COOKIE_SOURCE,
    cookieKey: toHex(cookieKey(b, keys.rs.publicKey)),
    cookie: toHex(cookie),
    nonce: toHex(FIXED.cookieNonce),
    cookieReply: toHex(reply),
    mac2: toHex(initiationMac2(b, cookie, withCookie)),
    initiationWithCookie: toHex(withCookie),
  };
}

/** The cookie reply of the section, for the drop cases. */
export function cookieReplyOf(section: TestVectors['cookie']): Buffer {
  return Buffer.from(section.cookieReply, 'hex');
}
