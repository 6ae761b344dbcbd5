import { describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { NOW } from '../../test/sessions.js';
import { COOKIE_REPLY_BYTES, COOKIE_SECRET_ROTATE_MS, TelegramType } from '../constants.js';
import { generateKeyPair, randomBytes } from '../crypto/index.js';
import { createInitiation, HandshakeResponder } from '../handshake.js';
import { classifyDatagram } from '../telegram.js';
import { CookieChecker, INITIATION_MAC2_AT } from './cookie.js';

const SOURCE = '203.0.113.9:51820';

describe.each(backends)('cookie (mac2) on $name', (backend) => {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const initiate = (relayPublicKey = relayKeys.publicKey, cookie?: Uint8Array) =>
    createInitiation({
      backend,
      staticKeys: depotKeys,
      relayPublicKey,
      localId: 0x0badcafe,
      stamp: NOW,
      cookie,
    });
  /** A checker whose secrets are counted up, so a test can tell them apart. */
  const checker = () => {
    let draws = 0;
    return new CookieChecker(backend, relayKeys.publicKey, (length) => new Uint8Array(length).fill(++draws));
  };

  it('answers with a 64-byte cookie reply to the initiation sender; the depot echoes it in mac2', () => {
    const relay = checker();
    const pending = initiate();
    expect([...pending.datagram.subarray(INITIATION_MAC2_AT)]).toEqual(new Array(16).fill(0));
    expect(relay.mac2Verifies(pending.datagram, SOURCE, NOW)).toBe(false);
    const reply = relay.reply(pending.datagram, SOURCE, NOW);
    expect(reply).toHaveLength(COOKIE_REPLY_BYTES);
    expect(classifyDatagram(reply)).toEqual({ ok: true, type: TelegramType.CookieReply, sessionId: 0x0badcafe });
    const opened = pending.consumeCookieReply(reply);
    if (!opened.ok) throw new Error(opened.reason);
    const first = pending.datagram;
    const again = pending.withCookie(opened.cookie);
    // The same Noise message A, a new buffer (the first may still be on its way out), mac2 filled in.
    expect(again.subarray(0, INITIATION_MAC2_AT)).toEqual(first.subarray(0, INITIATION_MAC2_AT));
    expect(first.subarray(INITIATION_MAC2_AT).every((b) => b === 0)).toBe(true);
    expect(relay.mac2Verifies(again, SOURCE, NOW + 1)).toBe(true);
    // The relay still opens it: mac1 and Noise are untouched by mac2.
    expect(new HandshakeResponder(backend, relayKeys).openInitiation(again).ok).toBe(true);
    // A later initiation made with the kept cookie verifies too.
    expect(relay.mac2Verifies(initiate(relayKeys.publicKey, opened.cookie).datagram, SOURCE, NOW + 2)).toBe(true);
  });

  it('binds the cookie to the source address and port', () => {
    const relay = checker();
    const pending = initiate();
    const opened = pending.consumeCookieReply(relay.reply(pending.datagram, SOURCE, NOW));
    if (!opened.ok) throw new Error(opened.reason);
    const datagram = pending.withCookie(opened.cookie);
    expect(relay.mac2Verifies(datagram, '203.0.113.9:51821', NOW)).toBe(false);
    expect(relay.mac2Verifies(datagram, '203.0.113.10:51820', NOW)).toBe(false);
    // A relay with another secret (a restart, another process) does not take it either.
    const restarted = new CookieChecker(backend, relayKeys.publicKey, (length) => randomBytes(length));
    expect(restarted.mac2Verifies(datagram, SOURCE, NOW)).toBe(false);
  });

  it('keeps a cookie valid for at least one rotation period, then lets it go', () => {
    const relay = checker();
    const pending = initiate();
    const opened = pending.consumeCookieReply(relay.reply(pending.datagram, SOURCE, NOW));
    if (!opened.ok) throw new Error(opened.reason);
    const datagram = pending.withCookie(opened.cookie);
    expect(relay.mac2Verifies(datagram, SOURCE, NOW + COOKIE_SECRET_ROTATE_MS - 1)).toBe(true);
    // Rotated once (at +130 s): the previous secret still counts.
    expect(relay.mac2Verifies(datagram, SOURCE, NOW + COOKIE_SECRET_ROTATE_MS + 10_000)).toBe(true);
    expect(relay.mac2Verifies(datagram, SOURCE, NOW + 2 * COOKIE_SECRET_ROTATE_MS + 9_999)).toBe(true);
    // Rotated twice: gone.
    expect(relay.mac2Verifies(datagram, SOURCE, NOW + 2 * COOKIE_SECRET_ROTATE_MS + 10_000)).toBe(false);
  });

  it('forgets the old secret as well after a long idle spell', () => {
    const relay = checker();
    const pending = initiate();
    const opened = pending.consumeCookieReply(relay.reply(pending.datagram, SOURCE, NOW));
    if (!opened.ok) throw new Error(opened.reason);
    expect(relay.mac2Verifies(pending.withCookie(opened.cookie), SOURCE, NOW + 2 * COOKIE_SECRET_ROTATE_MS)).toBe(
      false,
    );
  });

  it('opens a cookie reply only for the initiation it answers, from the relay it was sent to', () => {
    const relay = checker();
    const pending = initiate();
    const reply = relay.reply(pending.datagram, SOURCE, NOW);
    // Same session id, another initiation (another mac1): the reply is the other one's.
    expect(initiate().consumeCookieReply(reply)).toEqual({ ok: false, reason: 'cookie' });
    // Sealed with another relay's cookie key.
    const other = generateKeyPair(backend);
    const foreign = new CookieChecker(backend, other.publicKey).reply(pending.datagram, SOURCE, NOW);
    expect(pending.consumeCookieReply(foreign)).toEqual({ ok: false, reason: 'cookie' });
    const flipped = reply.slice();
    flipped[40] ^= 1;
    expect(pending.consumeCookieReply(flipped)).toEqual({ ok: false, reason: 'cookie' });
    const nonce = reply.slice();
    nonce[8] ^= 1;
    expect(pending.consumeCookieReply(nonce)).toEqual({ ok: false, reason: 'cookie' });
    const otherId = reply.slice();
    otherId[4] ^= 1;
    expect(pending.consumeCookieReply(otherId)).toEqual({ ok: false, reason: 'unknown-session' });
    expect(pending.consumeCookieReply(reply.subarray(0, 63))).toEqual({ ok: false, reason: 'size' });
    expect(pending.consumeCookieReply(reply).ok).toBe(true);
  });

  it('takes no cookie reply once the handshake is done', () => {
    const pending = initiate();
    const opened = new HandshakeResponder(backend, relayKeys).openInitiation(pending.datagram);
    if (!opened.ok) throw new Error(opened.reason);
    const response = opened.respond(7, NOW);
    if (!response.ok) throw new Error(response.reason);
    const reply = checker().reply(pending.datagram, SOURCE, NOW);
    expect(pending.consumeResponse(response.datagram, NOW).ok).toBe(true);
    expect(pending.consumeCookieReply(reply)).toEqual({ ok: false, reason: 'cookie' });
  });
});
