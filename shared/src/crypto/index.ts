import { randomFillSync } from 'node:crypto';
import type { CryptoBackend, KeyPair } from './backend.js';
import { loadSodiumNativeBackend } from './sodium-native.js';
import { loadSodiumWasmBackend } from './sodium-wasm.js';

export type { CryptoBackend, KeyPair } from './backend.js';
export { loadSodiumNative, type SodiumNative } from './sodium-native.js';
export type BackendName = CryptoBackend['name'];

/** Loads a backend by name: 'sodium-native' for the relay, 'libsodium-wrappers' for depots. */
export function loadCryptoBackend(name: BackendName): Promise<CryptoBackend> {
  return name === 'sodium-native' ? loadSodiumNativeBackend() : loadSodiumWasmBackend();
}

/**
 * sodium-native where its binary loads (x86, 64-bit ARM), else the portable
 * WASM build (32-bit Raspberry Pi OS): what a depot runs on.
 */
export async function loadBestCryptoBackend(): Promise<CryptoBackend> {
  try {
    return await loadSodiumNativeBackend();
  } catch {
    return loadSodiumWasmBackend();
  }
}

/**
 * Random bytes from node:crypto. libsodium-wrappers' randombytes_buf manages
 * about 10k calls a second, which would cap the handshake rate.
 */
export function randomBytes(length: number): Uint8Array {
  return randomFillSync(new Uint8Array(length));
}

/** A fresh X25519 key pair (Curve25519 clamping happens inside scalar multiplication). */
export function generateKeyPair(backend: CryptoBackend): KeyPair {
  const secretKey = randomBytes(32);
  return { secretKey, publicKey: backend.x25519PublicKey(secretKey) };
}

export function keyPairFromSecret(backend: CryptoBackend, secretKey: Uint8Array): KeyPair {
  return { secretKey, publicKey: backend.x25519PublicKey(secretKey) };
}
