import { createRequire } from 'node:module';

/**
 * noise-handshake (Holepunch): an independent Noise implementation the tests
 * check ours against. The package ships no types; this is the part we call.
 */
export interface NoiseKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface NoiseState {
  /** Set before the first message to fix the ephemeral key (test vectors). */
  e: NoiseKeyPair | null;
  initialise(prologue: Uint8Array, remoteStatic?: Uint8Array): void;
  send(payload?: Uint8Array): Uint8Array;
  recv(message: Uint8Array): Uint8Array;
  /** The remote static key, once known. */
  rs: Uint8Array;
  tx: Uint8Array;
  rx: Uint8Array;
  hash: Uint8Array;
}

export const NoiseState = createRequire(import.meta.url)('noise-handshake') as new (
  pattern: string,
  initiator: boolean,
  staticKeypair: NoiseKeyPair,
) => NoiseState;
