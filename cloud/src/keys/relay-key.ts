import { type CryptoBackend, generateKeyPair, type KeyPair, keyPairFromSecret } from '@keydepot/shared';
import { loadSecretKeyFile } from './secret-key-file.js';

export interface RelayKeyOptions {
  /** config.relayKeyFile. */
  readonly file: string;
  readonly backend: CryptoBackend;
  /** `serve` and `depot create` create the key on first use; other readers only read it. */
  readonly createIfMissing: boolean;
}

/**
 * The relay's static X25519 key pair (protocol §4): one per deployment, shared
 * by every relay process, kept in its own file (mode 0600) and never in the
 * database, so a database dump cannot impersonate the relay. Its public key is
 * what provisioning bundles carry.
 */
export async function loadRelayKey(options: RelayKeyOptions): Promise<{ keyPair: KeyPair; created: boolean }> {
  const { key, created } = await loadSecretKeyFile({
    file: options.file,
    label: 'relay key',
    createIfMissing: options.createIfMissing,
    generate: () => generateKeyPair(options.backend).secretKey,
  });
  return { keyPair: keyPairFromSecret(options.backend, key), created };
}
