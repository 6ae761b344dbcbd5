import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CryptoBackend,
  deriveOfflineKey,
  fromHex,
  keyPairFromSecret,
  loadCryptoBackend,
  parseProvisioningBundle,
} from '@keydepot/shared';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { findDepotById, findDepotByPublicKey, listDepots } from '../../src/store/depots.js';
import { testDialects } from '../databases.js';
import { type CliHarness, createCliHarness } from './cli-harness.js';

let backend: CryptoBackend;
beforeAll(async () => {
  backend = await loadCryptoBackend('sodium-native');
});

function readBundle(path: string) {
  return parseProvisioningBundle(JSON.parse(readFileSync(path, 'utf8')));
}

function keyFile(path: string): Uint8Array {
  return fromHex(readFileSync(path, 'utf8').trim());
}

describe.each(testDialects())('provisioning CLI on %s', (dialect) => {
  let cli: CliHarness;
  beforeEach(async () => {
    cli = await createCliHarness(dialect);
    const org = await cli.run(['org', 'create', '--name', 'Werkstatt']);
    expect(org).toMatchObject({ code: 0, stderr: '' });
    expect(org.stdout).toMatch(/^\d+\n$/);
  });
  afterEach(() => cli.dispose());

  it('depot create stores only the public key and writes a 0600 bundle the depot can use', async () => {
    const run = await cli.run([
      'depot',
      'create',
      '--org',
      'Werkstatt',
      '--name',
      'Hof',
      '--compartments',
      '6',
      '--address',
      'Hauptstraße 1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Depot 1 "Hof" created for organisation 1 "Werkstatt".');
    expect(run.stdout).toContain('relay.example.org:47901');

    const path = join(cli.cwd, 'depot-1.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const bundle = readBundle(path);
    const depot = await findDepotById(cli.database.db, bundle.depotId);
    expect(depot).not.toBeNull();
    // The stored key is the public half of the bundle's secret; the secret itself is nowhere in the database.
    expect(keyPairFromSecret(backend, fromHex(bundle.depotSecretKey)).publicKey).toEqual(depot?.publicKey);
    expect(bundle).toMatchObject({
      name: 'Hof',
      compartments: 6,
      offlineKeyId: 1,
      timeZone: 'Europe/Berlin',
      language: 'de',
    });
    expect(bundle.relay).toEqual({
      host: 'relay.example.org',
      port: 47901,
      publicKey: Buffer.from(keyPairFromSecret(backend, keyFile(join(cli.dataDir, 'relay.key'))).publicKey).toString(
        'hex',
      ),
    });
    const master = keyFile(join(cli.dataDir, 'offline-master.key'));
    expect(fromHex(bundle.offlineKey)).toEqual(deriveOfflineKey(master, bundle.depotId, 1));
    expect(statSync(join(cli.dataDir, 'relay.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(cli.dataDir, 'offline-master.key')).mode & 0o777).toBe(0o600);
    expect(run.stdout).toContain(bundle.relay.publicKey);
    expect(run.stdout).not.toContain(bundle.depotSecretKey);
    expect(run.stdout).not.toContain(bundle.offlineKey);

    const compartments = await cli.database.db
      .selectFrom('compartments')
      .select('number')
      .where('depot_id', '=', bundle.depotId)
      .execute();
    expect(compartments).toHaveLength(6);
    const [audit] = await listAudit(cli.database.db, { action: 'depot.create' });
    expect(audit).toMatchObject({ actor: 'cli', depotId: 1, organisationId: 1, subject: 'Hof', atMs: cli.nowMs });
    expect(JSON.stringify(audit)).not.toContain(bundle.depotSecretKey);
  });

  it('depot create reuses the relay key and the offline master for the next depot', async () => {
    await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '2']);
    const second = await cli.run([
      'depot',
      'create',
      '--org',
      '1',
      '--name',
      'B',
      '--compartments',
      '4',
      '--out',
      'b.json',
      '--language',
      'en',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('Created the relay key');
    const [a, b] = [readBundle(join(cli.cwd, 'depot-1.json')), readBundle(join(cli.cwd, 'b.json'))];
    expect(b.relay.publicKey).toBe(a.relay.publicKey);
    expect(b).toMatchObject({ depotId: 2, compartments: 4, language: 'en' });
    expect(b.offlineKey).not.toBe(a.offlineKey);
    expect(b.depotSecretKey).not.toBe(a.depotSecretKey);
  });

  it('depot create refuses to overwrite a bundle and then leaves no depot behind', async () => {
    writeFileSync(join(cli.cwd, 'taken.json'), 'keep me');
    const named = await cli.run([
      'depot',
      'create',
      '--org',
      '1',
      '--name',
      'A',
      '--compartments',
      '2',
      '--out',
      'taken.json',
    ]);
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/taken.json exists already; a bundle is never overwritten/);
    // The default name is only known after the insert: the transaction must roll back.
    writeFileSync(join(cli.cwd, 'depot-1.json'), 'keep me too');
    writeFileSync(join(cli.cwd, 'depot-2.json'), 'keep me too');
    const defaulted = await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '2']);
    expect(defaulted.code).toBe(1);
    expect(defaulted.stderr).toMatch(/depot-\d\.json exists already/);
    expect(readFileSync(join(cli.cwd, 'taken.json'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(cli.cwd, 'depot-1.json'), 'utf8')).toBe('keep me too');
    expect(await listDepots(cli.database.db)).toEqual([]);
    expect(await listAudit(cli.database.db, { action: 'depot.' })).toEqual([]);
  });

  it('depot create refuses without a public relay host, an unknown organisation, or bad options', async () => {
    const noHost = await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '2'], {
      env: { KEYDEPOT_PUBLIC_RELAY_HOST: undefined },
    });
    expect(noHost).toMatchObject({ code: 1 });
    expect(noHost.stderr).toMatch(/KEYDEPOT_PUBLIC_RELAY_HOST is not set/);
    const noOrg = await cli.run(['depot', 'create', '--org', 'Nobody', '--name', 'A', '--compartments', '2']);
    expect(noOrg).toMatchObject({
      code: 1,
      stderr: "error: there is no organisation 'Nobody' (see keydepot-cloud org list)\n",
    });
    const badCount = await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '65']);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain("--compartments must be a whole number from 1 to 64, got '65'");
    const badZone = await cli.run([
      'depot',
      'create',
      '--org',
      '1',
      '--name',
      'A',
      '--compartments',
      '2',
      '--time-zone',
      'Mars/Base',
    ]);
    expect(badZone.code).toBe(2);
    const unknownOption = await cli.run(['depot', 'create', '--colour', 'red']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('see: keydepot-cloud depot create --help');
    expect(await listDepots(cli.database.db)).toEqual([]);
    expect(existsSync(join(cli.dataDir, 'relay.key'))).toBe(false);
  });

  it('depot rekey changes the key pair, keeps the offline key unless asked, and writes a new bundle', async () => {
    await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '2']);
    const first = readBundle(join(cli.cwd, 'depot-1.json'));
    const oldPublic = keyPairFromSecret(backend, fromHex(first.depotSecretKey)).publicKey;

    const refused = await cli.run(['depot', 'rekey', '--depot', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/depot-1.json exists already/);

    const rekey = await cli.run(['depot', 'rekey', '--depot', '1', '--out', 'rekeyed.json']);
    expect(rekey.stderr).toBe('');
    expect(rekey.code).toBe(0);
    const second = readBundle(join(cli.cwd, 'rekeyed.json'));
    expect(statSync(join(cli.cwd, 'rekeyed.json')).mode & 0o777).toBe(0o600);
    const newPublic = keyPairFromSecret(backend, fromHex(second.depotSecretKey)).publicKey;
    expect(newPublic).not.toEqual(oldPublic);
    expect((await findDepotById(cli.database.db, 1))?.publicKey).toEqual(newPublic);
    expect(await findDepotByPublicKey(cli.database.db, oldPublic)).toBeNull();
    expect(second).toMatchObject({ depotId: 1, offlineKeyId: 1, offlineKey: first.offlineKey, relay: first.relay });

    const fresh = await cli.run(['depot', 'rekey', '--depot', '1', '--new-offline-key', '--out', 'third.json']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('offline PINs issued before are void');
    const third = readBundle(join(cli.cwd, 'third.json'));
    expect(third.offlineKeyId).toBe(2);
    expect(third.offlineKey).not.toBe(first.offlineKey);
    const audit = await listAudit(cli.database.db, { action: 'depot.rekey' });
    expect(
      audit.map((e) => [
        (e.before as { offlineKeyId: number }).offlineKeyId,
        (e.after as { offlineKeyId: number }).offlineKeyId,
      ]),
    ).toEqual([
      [1, 2],
      [1, 1],
    ]);
  });

  it('depot revoke sets revoked_at_ms once; a revoked depot cannot be rekeyed', async () => {
    await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '2']);
    const revoke = await cli.run(['depot', 'revoke', '--depot', '1']);
    expect(revoke).toMatchObject({ code: 0, stderr: '' });
    expect(revoke.stdout).toMatch(/Depot 1 "A" revoked at 2026-/);
    expect((await findDepotById(cli.database.db, 1))?.revokedAtMs).toBe(cli.nowMs);
    cli.nowMs += 60_000;
    const again = await cli.run(['depot', 'revoke', '--depot', '1']);
    expect(again.stdout).toMatch(/already revoked/);
    expect((await findDepotById(cli.database.db, 1))?.revokedAtMs).toBe(cli.nowMs - 60_000);
    expect(await listAudit(cli.database.db, { action: 'depot.revoke' })).toHaveLength(1);
    const rekey = await cli.run(['depot', 'rekey', '--depot', '1', '--out', 'x.json']);
    expect(rekey).toMatchObject({ code: 1, stderr: 'error: depot 1 is revoked\n' });
    expect(existsSync(join(cli.cwd, 'x.json'))).toBe(false);
    const list = await cli.run(['depot', 'list']);
    expect(list.stdout).toMatch(/^1\s+Werkstatt\s+A\s+2\s+revoked\s+-\s+[0-9a-f]{16}…$/m);
  });

  it('an unknown depot is an error message and exit code 1, not a stack trace', async () => {
    for (const command of [
      ['depot', 'revoke'],
      ['depot', 'rekey'],
    ]) {
      const run = await cli.run([...command, '--depot', '999']);
      expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: there is no depot 999\n' });
    }
    const bad = await cli.run(['depot', 'revoke', '--depot', 'abc']);
    expect(bad.code).toBe(2);
  });

  it('refuses a relay key file that others can read', async () => {
    await cli.run(['depot', 'create', '--org', '1', '--name', 'A', '--compartments', '2']);
    chmodSync(join(cli.dataDir, 'relay.key'), 0o644);
    const run = await cli.run(['depot', 'create', '--org', '1', '--name', 'B', '--compartments', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/relay key file .* is open to group or others \(mode 0644\); run chmod 600/);
    expect(await listDepots(cli.database.db)).toHaveLength(1);
  });
});
