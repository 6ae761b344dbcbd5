import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoBackend, deriveOfflineKey, loadCryptoBackend } from '@keydepot/shared';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { depotOfflineKey, loadOfflineMasterKey } from './offline-master-key.js';
import { loadRelayKey } from './relay-key.js';
import { KeyFileError } from './secret-key-file.js';

let backend: CryptoBackend;
let dir: string;
beforeAll(async () => {
  backend = await loadCryptoBackend('sodium-native');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keydepot-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true }));

describe('relay key file', () => {
  it('is created once with mode 0600 in a new folder, then read back as the same key pair', async () => {
    const file = join(dir, 'data', 'relay.key');
    const first = await loadRelayKey({ file, backend, createIfMissing: true });
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const again = await loadRelayKey({ file, backend, createIfMissing: true });
    expect(again.created).toBe(false);
    expect(again.keyPair.publicKey).toEqual(first.keyPair.publicKey);
    expect(again.keyPair.publicKey).toEqual(backend.x25519PublicKey(again.keyPair.secretKey));
  });

  it('is not created where the caller only reads', async () => {
    const file = join(dir, 'relay.key');
    await expect(loadRelayKey({ file, backend, createIfMissing: false })).rejects.toThrow(/does not exist/);
  });

  it('is refused when group or others may read it', async () => {
    const file = join(dir, 'relay.key');
    await loadRelayKey({ file, backend, createIfMissing: true });
    chmodSync(file, 0o640);
    const refusal = loadRelayKey({ file, backend, createIfMissing: true });
    await expect(refusal).rejects.toBeInstanceOf(KeyFileError);
    await expect(refusal).rejects.toThrow(`relay key file ${file} is open to group or others (mode 0640)`);
  });

  it('is refused when it does not hold a key', async () => {
    const file = join(dir, 'relay.key');
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    await expect(loadRelayKey({ file, backend, createIfMissing: true })).rejects.toThrow(/64 lower-case hex digits/);
  });
});

describe('offline master key', () => {
  it('is created once and derives per-depot keys with the shared derivation', async () => {
    const file = join(dir, 'offline-master.key');
    const { key, created } = await loadOfflineMasterKey({ file, createIfMissing: true });
    expect(created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadOfflineMasterKey({ file, createIfMissing: false })).key).toEqual(key);
    const depot7 = depotOfflineKey(key, { id: 7, offlineKeyId: 1 });
    expect(depot7).toEqual(deriveOfflineKey(key, 7, 1));
    expect(depot7).not.toEqual(depotOfflineKey(key, { id: 7, offlineKeyId: 2 }));
    expect(depot7).not.toEqual(depotOfflineKey(key, { id: 8, offlineKeyId: 1 }));
  });
});
