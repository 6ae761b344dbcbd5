import { describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import vectorFile from '../../test/fixtures/noise-ik-cacophony.json' with { type: 'json' };
import { NoiseState } from '../../test/noise-handshake.js';
import { fromHex, toHex, utf8 } from '../bytes.js';
import { NOISE_PROTOCOL_NAME } from '../constants.js';
import { keyPairFromSecret } from '../crypto/index.js';
import { IkInitiator, IkResponder } from './handshake-ik.js';
import { noiseNonce } from './symmetric-state.js';

const vector = vectorFile.vectors[0];

describe.each(backends)('Noise IK on $name', (backend) => {
  it('reproduces the cacophony test vector byte for byte', () => {
    expect(vector.protocol_name).toBe(NOISE_PROTOCOL_NAME);
    const prologue = fromHex(vector.init_prologue);
    const initiator = new IkInitiator(backend, {
      prologue,
      staticKeys: keyPairFromSecret(backend, fromHex(vector.init_static)),
      ephemeralKeys: keyPairFromSecret(backend, fromHex(vector.init_ephemeral)),
      remoteStatic: fromHex(vector.init_remote_static),
    });
    const responder = new IkResponder(backend, {
      prologue: fromHex(vector.resp_prologue),
      staticKeys: keyPairFromSecret(backend, fromHex(vector.resp_static)),
      ephemeralKeys: keyPairFromSecret(backend, fromHex(vector.resp_ephemeral)),
    });

    const [m0, m1, ...transport] = vector.messages;
    const messageA = initiator.writeMessageA(fromHex(m0.payload));
    expect(toHex(messageA ?? new Uint8Array())).toBe(m0.ciphertext);
    expect(toHex(responder.readMessageA(messageA as Uint8Array) ?? new Uint8Array())).toBe(m0.payload);
    expect(toHex(responder.remoteStatic as Uint8Array)).toBe(
      toHex(keyPairFromSecret(backend, fromHex(vector.init_static)).publicKey),
    );

    const b = responder.writeMessageB(fromHex(m1.payload));
    expect(b).not.toBeNull();
    expect(toHex(b?.message as Uint8Array)).toBe(m1.ciphertext);
    const a = initiator.readMessageB(b?.message as Uint8Array);
    expect(toHex(a?.payload as Uint8Array)).toBe(m1.payload);
    expect(toHex(a?.keys.handshakeHash as Uint8Array)).toBe(vector.handshake_hash);
    expect(toHex(b?.keys.handshakeHash as Uint8Array)).toBe(vector.handshake_hash);

    // Transport messages alternate initiator → responder → initiator, each
    // direction counting its own nonces from 0, with empty associated data.
    const nonces = { initiator: 0, responder: 0 };
    transport.forEach((message, index) => {
      const fromInitiator = index % 2 === 0;
      const key = fromInitiator ? a?.keys.sendKey : b?.keys.sendKey;
      const peerKey = fromInitiator ? b?.keys.receiveKey : a?.keys.receiveKey;
      const nonce = noiseNonce(fromInitiator ? nonces.initiator++ : nonces.responder++);
      const plaintext = fromHex(message.payload);
      const sealed = new Uint8Array(plaintext.length + 16);
      backend.aeadSeal(sealed, plaintext, new Uint8Array(0), nonce, key as Uint8Array);
      expect(toHex(sealed)).toBe(message.ciphertext);
      const opened = new Uint8Array(plaintext.length);
      expect(backend.aeadOpen(opened, sealed, new Uint8Array(0), nonce, peerKey as Uint8Array)).toBe(true);
      expect(toHex(opened)).toBe(message.payload);
    });
  });

  it('completes a handshake with noise-handshake as the responder', () => {
    const prologue = utf8('keydepot/1');
    const relayKeys = keyPairFromSecret(backend, fromHex('11'.repeat(32)));
    const depotKeys = keyPairFromSecret(backend, fromHex('22'.repeat(32)));
    const theirs = new NoiseState('IK', false, {
      publicKey: Buffer.from(relayKeys.publicKey),
      secretKey: Buffer.from(relayKeys.secretKey),
    });
    theirs.initialise(prologue);
    const ours = new IkInitiator(backend, { prologue, staticKeys: depotKeys, remoteStatic: relayKeys.publicKey });

    const payloadA = theirs.recv(ours.writeMessageA(utf8('stamp-01')) as Uint8Array);
    expect(Buffer.from(payloadA).toString()).toBe('stamp-01');
    expect(toHex(theirs.rs)).toBe(toHex(depotKeys.publicKey));
    const result = ours.readMessageB(theirs.send(utf8('welcome')));
    expect(Buffer.from(result?.payload as Uint8Array).toString()).toBe('welcome');
    expect(toHex(result?.keys.sendKey as Uint8Array)).toBe(toHex(theirs.rx));
    expect(toHex(result?.keys.receiveKey as Uint8Array)).toBe(toHex(theirs.tx));
    expect(toHex(result?.keys.handshakeHash as Uint8Array)).toBe(toHex(theirs.hash));
  });

  it('completes a handshake with noise-handshake as the initiator', () => {
    const prologue = utf8('keydepot/1');
    const relayKeys = keyPairFromSecret(backend, fromHex('33'.repeat(32)));
    const depotKeys = keyPairFromSecret(backend, fromHex('44'.repeat(32)));
    const theirs = new NoiseState('IK', true, {
      publicKey: Buffer.from(depotKeys.publicKey),
      secretKey: Buffer.from(depotKeys.secretKey),
    });
    theirs.initialise(prologue, Buffer.from(relayKeys.publicKey));
    const ours = new IkResponder(backend, { prologue, staticKeys: relayKeys });

    const payloadA = ours.readMessageA(theirs.send(utf8('hello relay')));
    expect(Buffer.from(payloadA as Uint8Array).toString()).toBe('hello relay');
    expect(toHex(ours.remoteStatic as Uint8Array)).toBe(toHex(depotKeys.publicKey));
    const b = ours.writeMessageB(utf8('hello depot'));
    expect(Buffer.from(theirs.recv(b?.message as Uint8Array)).toString()).toBe('hello depot');
    expect(toHex(b?.keys.sendKey as Uint8Array)).toBe(toHex(theirs.rx));
    expect(toHex(b?.keys.receiveKey as Uint8Array)).toBe(toHex(theirs.tx));
    expect(toHex(b?.keys.handshakeHash as Uint8Array)).toBe(toHex(theirs.hash));
  });

  it('refuses a first message sealed for another relay key', () => {
    const prologue = utf8('keydepot/1');
    const relayKeys = keyPairFromSecret(backend, fromHex('55'.repeat(32)));
    const otherRelay = keyPairFromSecret(backend, fromHex('66'.repeat(32)));
    const depotKeys = keyPairFromSecret(backend, fromHex('77'.repeat(32)));
    const initiator = new IkInitiator(backend, {
      prologue,
      staticKeys: depotKeys,
      remoteStatic: otherRelay.publicKey,
    });
    const responder = new IkResponder(backend, { prologue, staticKeys: relayKeys });
    expect(responder.readMessageA(initiator.writeMessageA(utf8('x')) as Uint8Array)).toBeNull();
  });

  it('refuses a low-order ephemeral point', () => {
    const prologue = utf8('keydepot/1');
    const relayKeys = keyPairFromSecret(backend, fromHex('88'.repeat(32)));
    const responder = new IkResponder(backend, { prologue, staticKeys: relayKeys });
    // The all-zero point has order 1: X25519 with it yields zero, which we refuse.
    expect(responder.readMessageA(new Uint8Array(32 + 48 + 16))).toBeNull();
  });
});
