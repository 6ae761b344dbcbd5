import { describe, expect, it } from 'vitest';
import { backends, nativeBackend, wasmBackend } from '../test/backends.js';
import { NOW } from '../test/sessions.js';
import { HANDSHAKE_INITIATION_BYTES, HANDSHAKE_RESPONSE_BYTES } from './constants.js';
import { generateKeyPair } from './crypto/index.js';
import { createInitiation, HandshakeResponder, mac1Key } from './handshake.js';
import { INITIATION_MAC1_AT, INITIATION_MAC2_AT } from './noise/cookie.js';

describe.each(backends)('handshake telegrams on $name', (backend) => {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const responder = new HandshakeResponder(backend, relayKeys);
  const initiate = (stamp = NOW, relayPublicKey = relayKeys.publicKey) =>
    createInitiation({ backend, staticKeys: depotKeys, relayPublicKey, localId: 0xabcdef01, stamp });

  it('establishes matching sessions and tells the relay who and when', () => {
    const pending = initiate();
    expect(pending.datagram.length).toBe(HANDSHAKE_INITIATION_BYTES);
    const opened = responder.openInitiation(pending.datagram);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(Buffer.from(opened.depotPublicKey).equals(Buffer.from(depotKeys.publicKey))).toBe(true);
    expect(opened.stamp).toBe(NOW);
    expect(opened.remoteId).toBe(0xabcdef01);
    const response = opened.respond(0x12345678, NOW);
    expect(response.ok && response.datagram.length).toBe(HANDSHAKE_RESPONSE_BYTES);
    if (!response.ok) return;
    const completed = pending.consumeResponse(response.datagram, NOW);
    expect(completed.ok).toBe(true);
    if (!completed.ok) return;
    expect(completed.session.remoteId).toBe(0x12345678);
    expect(response.session.remoteId).toBe(0xabcdef01);
    const opened2 = response.session.open(completed.session.seal(Uint8Array.of(7, 0, 0)));
    expect(opened2.ok).toBe(true);
  });

  it('drops an initiation with a wrong mac1 before any Diffie-Hellman', () => {
    const datagram = initiate().datagram.slice();
    datagram[INITIATION_MAC2_AT - 1] ^= 1;
    let admitted = false;
    expect(
      responder.openInitiation(datagram, () => {
        admitted = true;
        return true;
      }),
    ).toEqual({ ok: false, reason: 'mac1' });
    expect(admitted).toBe(false);
  });

  it('drops an initiation for another relay key (mac1 does not match)', () => {
    const other = generateKeyPair(backend);
    expect(responder.openInitiation(initiate(NOW, other.publicKey).datagram)).toEqual({ ok: false, reason: 'mac1' });
  });

  it('asks the rate limiter after mac1 and drops when it says no', () => {
    expect(responder.openInitiation(initiate().datagram, () => false)).toEqual({ ok: false, reason: 'rate-limit' });
  });

  it('drops an initiation whose Noise message was tampered with, even with a fixed-up mac1', () => {
    const datagram = initiate().datagram.slice();
    datagram[50] ^= 1; // inside the encrypted static key
    expect(responder.openInitiation(datagram)).toEqual({ ok: false, reason: 'mac1' });
    // mac1 only proves knowledge of the relay's public key: an attacker can recompute it.
    const covered = datagram.subarray(0, INITIATION_MAC1_AT);
    datagram.set(backend.blake2b(16, [covered], mac1Key(backend, relayKeys.publicKey)), covered.length);
    expect(responder.openInitiation(datagram)).toEqual({ ok: false, reason: 'handshake' });
  });

  it('drops wrong-size, wrong-version and reserved-bit initiations', () => {
    const datagram = initiate().datagram;
    expect(responder.openInitiation(datagram.subarray(0, 127))).toEqual({ ok: false, reason: 'size' });
    const version = datagram.slice();
    version[1] = 0;
    expect(responder.openInitiation(version)).toEqual({ ok: false, reason: 'version' });
    const reserved = datagram.slice();
    reserved[3] = 1;
    expect(responder.openInitiation(reserved)).toEqual({ ok: false, reason: 'reserved' });
  });

  it('hands the stamp to the relay, which refuses a replayed initiation by it', () => {
    // The relay keeps the highest stamp per depot (in its database): a replay
    // carries the same stamp and is refused, even after a relay restart.
    const first = initiate(NOW);
    const replay = first.datagram.slice();
    const a = responder.openInitiation(first.datagram);
    const b = responder.openInitiation(replay);
    expect(a.ok && b.ok && a.stamp === b.stamp).toBe(true);
    const later = responder.openInitiation(initiate(NOW + 1).datagram);
    expect(later.ok && later.stamp).toBe(NOW + 1);
  });

  it('the depot drops a response for another session id, with a bad mac1, or tampered', () => {
    const pending = initiate();
    const opened = responder.openInitiation(pending.datagram);
    if (!opened.ok) throw new Error(opened.reason);
    const response = opened.respond(77, NOW);
    if (!response.ok) throw new Error(response.reason);
    const otherId = response.datagram.slice();
    otherId[8] ^= 1;
    expect(pending.consumeResponse(otherId, NOW)).toEqual({ ok: false, reason: 'unknown-session' });
    const badMac = response.datagram.slice();
    badMac[HANDSHAKE_RESPONSE_BYTES - 1] ^= 1;
    expect(pending.consumeResponse(badMac, NOW)).toEqual({ ok: false, reason: 'mac1' });
    expect(pending.consumeResponse(response.datagram.subarray(0, 75), NOW)).toEqual({ ok: false, reason: 'size' });
    expect(pending.consumeResponse(response.datagram, NOW).ok).toBe(true);
  });
  it('a forged response (even with a correct mac1) does not spoil the genuine one after it', () => {
    const pending = initiate();
    const opened = responder.openInitiation(pending.datagram);
    if (!opened.ok) throw new Error(opened.reason);
    const response = opened.respond(78, NOW);
    if (!response.ok) throw new Error(response.reason);
    // An attacker who knows the depot's public key can compute mac1 but not the Noise tag.
    const forged = response.datagram.slice();
    forged[20] ^= 1;
    const covered = forged.subarray(0, HANDSHAKE_RESPONSE_BYTES - 16);
    forged.set(backend.blake2b(16, [covered], mac1Key(backend, depotKeys.publicKey)), covered.length);
    expect(pending.consumeResponse(forged, NOW)).toEqual({ ok: false, reason: 'handshake' });
    const completed = pending.consumeResponse(response.datagram, NOW);
    expect(completed.ok).toBe(true);
    if (completed.ok) expect(response.session.open(completed.session.seal(Uint8Array.of(7, 0, 0))).ok).toBe(true);
    // and once complete, a duplicate of the response is dropped.
    expect(pending.consumeResponse(response.datagram, NOW)).toEqual({ ok: false, reason: 'handshake' });
  });
});

describe('handshake across backends', () => {
  for (const [depotBackend, relayBackend] of [
    [wasmBackend, nativeBackend],
    [nativeBackend, wasmBackend],
  ]) {
    it(`depot on ${depotBackend.name}, relay on ${relayBackend.name}`, () => {
      const relayKeys = generateKeyPair(relayBackend);
      const pending = createInitiation({
        backend: depotBackend,
        staticKeys: generateKeyPair(depotBackend),
        relayPublicKey: relayKeys.publicKey,
        localId: 1,
        stamp: 42,
      });
      const opened = new HandshakeResponder(relayBackend, relayKeys).openInitiation(pending.datagram);
      if (!opened.ok) throw new Error(opened.reason);
      const response = opened.respond(2, NOW);
      if (!response.ok) throw new Error(response.reason);
      const completed = pending.consumeResponse(response.datagram, NOW);
      if (!completed.ok) throw new Error(completed.reason);
      expect(response.session.open(completed.session.seal(Uint8Array.of(7, 0, 0))).ok).toBe(true);
      expect(completed.session.open(response.session.seal(Uint8Array.of(7, 0, 0))).ok).toBe(true);
    });
  }
});
