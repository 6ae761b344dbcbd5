/** Seal+open of one transport telegram: our two API paths, and the raw library call as the ceiling. */
import {
  type CryptoBackend,
  generateKeyPair,
  HandshakeResponder,
  randomBytes,
  TAG_BYTES,
  TRANSPORT_HEADER_BYTES,
} from '../../shared/src/index.js';
import { handshake } from './handshakes.js';
import { type Bench, bench, sink } from './harness.js';
import { rawBench } from './raw-aead.js';

export const PLAINTEXT_BYTES = 200;

/** Benches 'oursSealInto', 'oursSeal' and 'raw', to be measured interleaved. */
export function sealOpenBenches(backend: CryptoBackend): Bench[] {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const responder = new HandshakeResponder(backend, relayKeys);
  const plaintext = randomBytes(PLAINTEXT_BYTES);

  // Two session pairs, so that the two API paths do not share counters.
  const a = handshake(backend, depotKeys, responder, relayKeys.publicKey, 1);
  const b = handshake(backend, depotKeys, responder, relayKeys.publicKey, 2);
  const datagram = new Uint8Array(TRANSPORT_HEADER_BYTES + PLAINTEXT_BYTES + TAG_BYTES);

  // Correctness once, before anything is timed.
  a.depot.sealInto(datagram, plaintext);
  const check = a.relay.open(datagram);
  if (!check.ok || Buffer.compare(check.plaintext, plaintext) !== 0) throw new Error('seal/open round trip failed');

  const oursInto = bench('oursSealInto', 'ours sealInto+open', (n) => {
    const { depot, relay } = a;
    for (let i = 0; i < n; i++) {
      depot.sealInto(datagram, plaintext);
      const opened = relay.open(datagram);
      if (!opened.ok) throw new Error(`open failed: ${opened.reason}`);
      sink.value += opened.plaintext.length;
    }
  });
  const oursSeal = bench('oursSeal', 'ours seal+open', (n) => {
    const { depot, relay } = b;
    for (let i = 0; i < n; i++) {
      const opened = relay.open(depot.seal(plaintext));
      if (!opened.ok) throw new Error(`open failed: ${opened.reason}`);
      sink.value += opened.plaintext.length;
    }
  });
  return [oursInto, oursSeal, rawBench(backend.name, plaintext)];
}
