/** The transport section: the conversation sealed over the vector session and opened by the other side. */
import { isDeepStrictEqual } from 'node:util';
import { type CryptoBackend, decodeFrames, encodeFrames, equalBytes, toHex } from '../../src/index.js';
import { sealAtCounter } from '../sessions.js';
import { assert } from './assert.js';
import { conversation } from './conversation.js';
import type { HandshakeRun } from './handshake.js';
import type { TelegramVector, TestVectors } from './types.js';

/** Runs the conversation in order; the sessions of `handshake` are left where the last telegram put them. */
export function transportSection(b: CryptoBackend, handshake: HandshakeRun): TestVectors['transport'] {
  const { sessions, directionKey } = handshake;
  const telegrams: TelegramVector[] = [];
  for (const { note, sender, counter, frames } of conversation()) {
    const receiver = sender === 'depot' ? 'relay' : 'depot';
    const plaintext = encodeFrames(frames);
    const datagram =
      counter === undefined
        ? sessions[sender].seal(plaintext)
        : sealAtCounter(b, directionKey[sender], sessions[receiver].localId, BigInt(counter), plaintext);
    const read = sessions[receiver].open(datagram);
    assert(read.ok && isDeepStrictEqual(decodeFrames(read.plaintext), frames), `${note}: did not open`);
    if (counter === undefined) {
      const again = sealAtCounter(b, directionKey[sender], sessions[receiver].localId, BigInt(read.counter), plaintext);
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
  return {
    description:
      'A conversation over the session above, in order. Each receiver opens the telegrams in file order. ' +
      'sealedBy "session": TransportSession.seal of the sender (counters 0, 1, 2, …); "hand": built from the ' +
      'spec at a high counter (a session cannot be made to count to 2^32 in a test).',
    telegrams,
  };
}
