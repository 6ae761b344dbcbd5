import type { CryptoBackend } from '../src/crypto/backend.js';
import { loadCryptoBackend } from '../src/crypto/index.js';

/** Both crypto backends, loaded once: every protocol test runs against each. */
export const backends: readonly CryptoBackend[] = await Promise.all([
  loadCryptoBackend('libsodium-wrappers'),
  loadCryptoBackend('sodium-native'),
]);

export const [wasmBackend, nativeBackend] = backends;
