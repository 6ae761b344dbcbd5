import { describe, expect, it } from 'vitest';
import { backends } from '../test/backends.js';
import { NOW } from '../test/sessions.js';
import { STALE_STAMP_HINT_BYTES } from './constants.js';
import { generateKeyPair } from './crypto/index.js';
import { createInitiation } from './handshake.js';
import { openStaleStampHint, sealStaleStampHint } from './stale-stamp-hint.js';

describe.each(backends)('stale-stamp hint on $name', (backend) => {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const initiate = (localId = 0xabcdef01) =>
    createInitiation({ backend, staticKeys: depotKeys, relayPublicKey: relayKeys.publicKey, localId, stamp: NOW })
      .datagram;
  const seal = (initiation: Uint8Array, highestStamp: number, relaySecretKey = relayKeys.secretKey) =>
    sealStaleStampHint({ backend, relaySecretKey, depotPublicKey: depotKeys.publicKey, initiation, highestStamp });
  const open = (initiation: Uint8Array, hint: Uint8Array, relayPublicKey = relayKeys.publicKey) =>
    openStaleStampHint({ backend, depotSecretKey: depotKeys.secretKey, relayPublicKey, initiation, hint });

  it('tells the depot that sent the initiation the highest stamp the relay accepted', () => {
    const initiation = initiate();
    const hint = seal(initiation, NOW + 86_400_000) as Uint8Array;
    expect(hint.length).toBe(STALE_STAMP_HINT_BYTES);
    // Smaller than the initiation: nothing to amplify.
    expect(hint.length).toBeLessThan(initiation.length);
    expect(open(initiation, hint)).toBe(NOW + 86_400_000);
  });

  it('is refused when forged, altered, or made for another initiation', () => {
    const initiation = initiate();
    // Someone without the relay's secret key (here: a key pair of their own).
    const forger = generateKeyPair(backend);
    expect(open(initiation, seal(initiation, NOW + 1, forger.secretKey) as Uint8Array)).toBeUndefined();
    // One flipped bit anywhere.
    const hint = seal(initiation, NOW + 1) as Uint8Array;
    for (const at of [1, 4, 8, 20, 43]) {
      const altered = hint.slice();
      altered[at] ^= 1;
      expect(open(initiation, altered), `byte ${at}`).toBeUndefined();
    }
    // A recorded hint answers only the initiation it was made for: a later one (fresh ephemeral key) refuses it,
    // even with the same session id.
    expect(open(initiate(), hint)).toBeUndefined();
    expect(open(initiate(0x01020304), hint)).toBeUndefined();
    // The depot checks it against its own relay key.
    expect(open(initiation, hint, generateKeyPair(backend).publicKey)).toBeUndefined();
  });
});
