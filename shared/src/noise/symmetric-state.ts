import { utf8 } from '../bytes.js';
import type { CryptoBackend } from '../crypto/backend.js';

/** BLAKE2b's hash length and block length, as Noise §12.8 uses them. */
export const HASHLEN = 64;
const BLOCKLEN = 128;
const EMPTY = new Uint8Array(0);

/** Noise ChaChaPoly nonce: 32 zero bits, then the 64-bit counter little-endian (Noise §12.3). */
export function noiseNonce(counter: number, out = new Uint8Array(12)): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, 12);
  view.setUint32(0, 0, true);
  view.setUint32(4, counter % 0x1_0000_0000, true);
  view.setUint32(8, Math.floor(counter / 0x1_0000_0000), true);
  return out;
}

/** HMAC (RFC 2104) over BLAKE2b, as Noise defines HMAC-HASH (not keyed BLAKE2b). */
export function hmac(backend: CryptoBackend, key: Uint8Array, data: readonly Uint8Array[]): Uint8Array {
  const inner = new Uint8Array(BLOCKLEN);
  const outer = new Uint8Array(BLOCKLEN);
  const k = key.length > BLOCKLEN ? backend.blake2b(HASHLEN, [key]) : key;
  for (let i = 0; i < BLOCKLEN; i++) {
    const byte = i < k.length ? k[i] : 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  const innerHash = backend.blake2b(HASHLEN, [inner, ...data]);
  return backend.blake2b(HASHLEN, [outer, innerHash]);
}

/** Noise HKDF with two outputs (Noise §4.3). */
export function hkdf2(
  backend: CryptoBackend,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
): [Uint8Array, Uint8Array] {
  const tempKey = hmac(backend, chainingKey, [inputKeyMaterial]);
  const output1 = hmac(backend, tempKey, [Uint8Array.of(1)]);
  const output2 = hmac(backend, tempKey, [output1, Uint8Array.of(2)]);
  return [output1, output2];
}

/** Noise SymmetricState with its embedded CipherState (Noise §5.1, §5.2). */
export class SymmetricState {
  private chainingKey: Uint8Array;
  private hash: Uint8Array;
  private key: Uint8Array | null = null;
  private nonce = 0;

  constructor(
    private readonly backend: CryptoBackend,
    protocolName: string,
  ) {
    const name = utf8(protocolName);
    if (name.length <= HASHLEN) {
      this.hash = new Uint8Array(HASHLEN);
      this.hash.set(name);
    } else {
      this.hash = backend.blake2b(HASHLEN, [name]);
    }
    this.chainingKey = this.hash.slice();
  }

  get handshakeHash(): Uint8Array {
    return this.hash;
  }

  /** A copy to try a message on: the original stays as it was if the message does not verify. */
  clone(): SymmetricState {
    const copy = Object.create(SymmetricState.prototype) as SymmetricState;
    Object.assign(copy, this);
    return copy;
  }

  mixHash(data: Uint8Array): void {
    this.hash = this.backend.blake2b(HASHLEN, [this.hash, data]);
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [chainingKey, tempKey] = hkdf2(this.backend, this.chainingKey, inputKeyMaterial);
    this.chainingKey = chainingKey;
    this.key = tempKey.slice(0, 32);
    this.nonce = 0;
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    if (this.key === null) {
      this.mixHash(plaintext);
      return plaintext;
    }
    const ciphertext = new Uint8Array(plaintext.length + 16);
    this.backend.aeadSeal(ciphertext, plaintext, this.hash, noiseNonce(this.nonce), this.key);
    this.nonce++;
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** Returns null when the tag does not verify; the handshake is then dead. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array | null {
    if (this.key === null) {
      this.mixHash(ciphertext);
      return ciphertext;
    }
    if (ciphertext.length < 16) return null;
    const plaintext = new Uint8Array(ciphertext.length - 16);
    if (!this.backend.aeadOpen(plaintext, ciphertext, this.hash, noiseNonce(this.nonce), this.key)) {
      return null;
    }
    this.nonce++;
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** The two transport keys: the first for initiator → responder, the second back. */
  split(): [Uint8Array, Uint8Array] {
    const [k1, k2] = hkdf2(this.backend, this.chainingKey, EMPTY);
    return [k1.slice(0, 32), k2.slice(0, 32)];
  }
}
