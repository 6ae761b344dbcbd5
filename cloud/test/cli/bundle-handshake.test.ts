import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CryptoBackend,
  createInitiation,
  fromHex,
  HandshakeResponder,
  keyPairFromSecret,
  loadCryptoBackend,
  type ProvisioningBundle,
  parseProvisioningBundle,
} from '@keydepot/shared';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadRelayKey } from '../../src/keys/relay-key.js';
import { type Depot, findDepotByPublicKey } from '../../src/store/depots.js';
import { testDialects } from '../databases.js';
import { type CliHarness, createCliHarness } from './cli-harness.js';

let relayBackend: CryptoBackend;
let depotBackend: CryptoBackend;
beforeAll(async () => {
  relayBackend = await loadCryptoBackend('sodium-native');
  // The depot's backend, as on a 32-bit Raspberry Pi.
  depotBackend = await loadCryptoBackend('libsodium-wrappers');
});

/**
 * What the relay does with an initiation, minus the sockets: open it with the
 * relay key from the key file, then find the depot by the key that arrived.
 * Returns the depot the relay would accept, or why it would drop the initiation.
 */
async function handshake(cli: CliHarness, bundle: ProvisioningBundle): Promise<Depot | string> {
  const relay = await loadRelayKey({
    file: join(cli.dataDir, 'relay.key'),
    backend: relayBackend,
    createIfMissing: false,
  });
  const pending = createInitiation({
    backend: depotBackend,
    staticKeys: keyPairFromSecret(depotBackend, fromHex(bundle.depotSecretKey)),
    relayPublicKey: fromHex(bundle.relay.publicKey),
    localId: 0x1234_5678,
    stamp: cli.nowMs,
  });
  const opened = new HandshakeResponder(relayBackend, relay.keyPair).openInitiation(pending.datagram);
  if (!opened.ok) return opened.reason;
  const depot = await findDepotByPublicKey(cli.database.db, opened.depotPublicKey);
  if (depot === null) return 'unknown-depot';
  if (depot.revokedAtMs !== null) return 'revoked';
  const answered = opened.respond(0x0abc_def0, cli.nowMs);
  if (!answered.ok) return answered.reason;
  const completed = pending.consumeResponse(answered.datagram, cli.nowMs);
  return completed.ok ? depot : completed.reason;
}

describe.each(testDialects())('a bundle from the CLI opens a Noise IK session on %s', (dialect) => {
  let cli: CliHarness;
  beforeEach(async () => {
    cli = await createCliHarness(dialect);
    await cli.run(['org', 'create', '--name', 'Werkstatt']);
  });
  afterEach(() => cli.dispose());

  const bundle = (file: string) => parseProvisioningBundle(JSON.parse(readFileSync(join(cli.cwd, file), 'utf8')));

  it('until the depot is rekeyed (old bundle) or revoked (any bundle)', async () => {
    expect((await cli.run(['depot', 'create', '--org', '1', '--name', 'Hof', '--compartments', '6'])).code).toBe(0);
    const first = bundle('depot-1.json');
    expect(await handshake(cli, first)).toMatchObject({ id: 1, name: 'Hof' });

    expect((await cli.run(['depot', 'rekey', '--depot', '1', '--out', 'new.json'])).code).toBe(0);
    const second = bundle('new.json');
    expect(await handshake(cli, first)).toBe('unknown-depot');
    expect(await handshake(cli, second)).toMatchObject({ id: 1 });

    expect((await cli.run(['depot', 'revoke', '--depot', '1'])).code).toBe(0);
    expect(await handshake(cli, second)).toBe('revoked');
  });
});
