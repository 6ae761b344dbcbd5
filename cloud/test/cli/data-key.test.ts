import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { loadDataSealer } from '../../src/keys/data-key.js';
import { readDataKeys } from '../../src/keys/data-key-file.js';
import { rotateDataKey } from '../../src/keys/data-key-rotation.js';
import { keyUses } from '../../src/keys/sealed-columns.js';
import { listAudit } from '../../src/store/audit.js';
import { revealDigits } from '../../src/store/portal/pins.js';
import { loadPendingCommands } from '../../src/store/relay/commands.js';
import { acceptHandshake, loadSession } from '../../src/store/relay/sessions.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from '../portal/portal-harness.js';

const digitsIn = (html: string) => /id="pin-digits"[^>]*>(\d+)</.exec(html)?.[1] ?? null;

describe.each(testDialects())('data key rotation on %s', (dialect) => {
  let h: PortalHarness;
  let root: string;
  let file: string;
  let depot: number;
  let manager: PortalClient;

  // The harness's portal, sealing with the key file as `serve` does.
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'keydepot-data-key-cli-'));
    file = join(root, 'data', 'data.key');
    h = await createPortalHarness(dialect);
    // A data folder of before the rotation command: one key, 64 hex digits, mode 0600.
    mkdirSync(join(root, 'data'), { mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    Object.assign(h.deps, { sealer: await loadDataSealer(file) });
    const org = await h.organisation('Autohaus Kern');
    depot = await h.depot(org, 'Werkstatt Süd');
    await h.grant(depot, await h.user('mara', { organisationId: org }), 'manager');
    manager = h.client('192.0.2.40');
    await manager.login('mara');
  });
  afterEach(async () => {
    await h.dispose();
    rmSync(root, { recursive: true });
  });

  const cli = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: { KEYDEPOT_DATA_DIR: join(root, 'data'), KEYDEPOT_DATABASE_URL: h.db.url, KEYDEPOT_DATA_KEY_FILE: file },
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Readable.from([]),
      cwd: root,
      now: () => h.now,
    });
    return { code, stdout, stderr };
  };
  /** Creates `count` PINs through the portal; returns their ids and digits. */
  const createPins = async (count: number) => {
    const pins = new Map<number, string>();
    for (let i = 0; i < count; i += 1) {
      await manager.get(`/depots/${depot}/pins/new`);
      const response = await manager.post(`/depots/${depot}/pins`, {
        kind: 'permanent',
        compartment: String((i % 6) + 1),
        label: `Kunde ${i}`,
      });
      const digits = digitsIn(await response.text());
      const row = await h.db.db.selectFrom('pins').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(digits).toMatch(/^\d{8}$/);
      pins.set(Number(row.id), digits as string);
    }
    return pins;
  };
  const revealed = async (pinId: number) => {
    await manager.get(`/depots/${depot}/pins/${pinId}`);
    return digitsIn(await (await manager.post(`/depots/${depot}/pins/${pinId}/reveal`)).text());
  };
  const keyBytes = async () =>
    (await h.db.db.selectFrom('pins').select('digits_sealed').orderBy('id').execute()).map(
      (r) => (r.digits_sealed as Uint8Array)[0],
    );
  /** The key id byte of every sealed PIN_ADD secret and session key pair. */
  const otherKeyBytes = async () => ({
    commands: (await h.db.db.selectFrom('commands').select('secret_sealed').orderBy('id').execute()).map(
      (r) => (r.secret_sealed as Uint8Array)[0],
    ),
    sessions: (await h.db.db.selectFrom('depot_sessions').select('keys_sealed').execute()).map(
      (r) => (r.keys_sealed as Uint8Array)[0],
    ),
  });
  /** A depot session as a relay's handshake stores it, sealed with the portal's key file. */
  const storeSession = async () => {
    const keys = { sendKey: new Uint8Array(randomBytes(32)), receiveKey: new Uint8Array(randomBytes(32)) };
    const { public_key } = await h.db.db.selectFrom('depots').select('public_key').executeTakeFirstOrThrow();
    const verdict = await acceptHandshake(
      { ...h.db, sealer: h.deps.sealer },
      {
        depotPublicKey: new Uint8Array(public_key),
        stamp: 1,
        candidateIds: [77],
        nowMs: h.now,
        endpoint: '192.0.2.9:40000',
        counterBlock: 64,
        respond: () => ({ remoteId: 5, ...keys }),
      },
    );
    expect(verdict).toMatchObject({ ok: true, sessionId: 77 });
    return keys;
  };

  it('re-seals every PIN under a new key in batches; the running portal reveals the same digits; audited', async () => {
    const pins = await createPins(5);
    const sessionKeys = await storeSession();
    expect(await keyBytes()).toEqual([1, 1, 1, 1, 1]);
    expect(await otherKeyBytes()).toEqual({ commands: [1, 1, 1, 1, 1], sessions: [1] });

    const run = await cli(['data-key', 'rotate', '--batch-size', '2']);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout:
        `Data key 2 is now current (was 1); ${file} rewritten, mode 0400.\n` +
        'Re-sealed 11 values (pins.digits_sealed 5, commands.secret_sealed 5, depot_sessions.keys_sealed 1).\n' +
        'Older key ids still in use: none.\n' +
        'Keys in the file: 1, 2; data-key retire removes the unused ones.\n',
    });
    expect(statSync(file).mode & 0o777).toBe(0o400);
    expect(await keyBytes()).toEqual([2, 2, 2, 2, 2]);
    expect(await otherKeyBytes()).toEqual({ commands: [2, 2, 2, 2, 2], sessions: [2] });
    for (const [id, digits] of pins) expect(await revealed(id)).toBe(digits);
    const fresh = await loadDataSealer(file);
    for (const [id, digits] of pins) expect(await revealDigits(h.db.db, fresh, depot, id)).toBe(digits);
    // A relay with the rewritten file still carries every PIN_ADD's digits and continues the session.
    const relayStore = { ...h.db, sealer: fresh };
    const pending = await loadPendingCommands(relayStore);
    expect(pending.unreadable).toEqual([]);
    expect(new Set(pending.commands.map((c) => (c.body as { digits?: string }).digits))).toEqual(
      new Set(pins.values()),
    );
    expect(await loadSession(relayStore, 77)).toMatchObject(sessionKeys);
    // The portal kept running and seals new PINs with the new key.
    await createPins(1);
    expect((await keyBytes()).at(-1)).toBe(2);

    const [entry] = await listAudit(h.db.db, { action: 'data-key.rotate' });
    expect(entry).toMatchObject({
      actor: 'cli',
      subject: 'data key 2',
      before: { currentKeyId: 1, keyIds: [1] },
      after: { currentKeyId: 2, keyIds: [1, 2], resumed: false, resealed: { 'pins.digits_sealed': 5 } },
    });
    const keyFileText = readFileSync(file, 'utf8');
    for (const hex of keyFileText.match(/[0-9a-f]{64}/g) ?? []) expect(JSON.stringify(entry)).not.toContain(hex);

    expect(await cli(['data-key', 'retire'])).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Retired data key 1.\nKeys in the file: 2 (current 2).\n',
    });
    expect([...readDataKeys(file).keys.keys()]).toEqual([2]);
    expect(statSync(file).mode & 0o777).toBe(0o400);
    for (const [id, digits] of pins) expect(await revealed(id)).toBe(digits);
    expect((await listAudit(h.db.db, { action: 'data-key.retire' }))[0]).toMatchObject({
      actor: 'cli',
      before: { keyIds: [1, 2] },
      after: { keyIds: [2] },
    });
  });

  it('finishes an interrupted rotation when run again, without adding another key', async () => {
    const pins = await createPins(5);
    const interrupted = rotateDataKey({
      db: h.db.db,
      file,
      batchSize: 2,
      afterBatch: () => {
        throw new Error('power cut');
      },
    });
    await expect(interrupted).rejects.toThrow('power cut');
    // The key was on disk before anything was sealed with it.
    expect(readDataKeys(file).currentId).toBe(2);
    expect(await keyBytes()).toEqual([2, 2, 1, 1, 1]);
    expect(await otherKeyBytes()).toEqual({ commands: [1, 1, 1, 1, 1], sessions: [] });
    for (const [id, digits] of pins) expect(await revealed(id)).toBe(digits);

    const early = await cli(['data-key', 'retire']);
    expect(early.stdout).toBe(
      'No data key to retire.\nKeys in the file: 1, 2 (current 2).\n' +
        'Kept because values still use them: 1 (8 values); run data-key rotate first.\n',
    );

    const again = await cli(['data-key', 'rotate', '--retire']);
    expect(again).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'Data key 2 was already current: finished its unfinished re-seal (no new key).\n' +
        'Re-sealed 8 values (pins.digits_sealed 3, commands.secret_sealed 5).\n' +
        'Older key ids still in use: none.\n' +
        'Retired data key 1.\nKeys in the file: 2 (current 2).\n',
    });
    expect(await keyBytes()).toEqual([2, 2, 2, 2, 2]);
    expect(await otherKeyBytes()).toEqual({ commands: [2, 2, 2, 2, 2], sessions: [] });
    for (const [id, digits] of pins) expect(await revealed(id)).toBe(digits);
    expect((await listAudit(h.db.db, { action: 'data-key.rotate' }))[0]?.after).toMatchObject({ resumed: true });
  });

  it('stops with a clear message, before changing anything, at a value under a key the file does not hold', async () => {
    const pins = await createPins(2);
    const [first] = [...pins.keys()];
    const row = await h.db.db
      .selectFrom('pins')
      .select('digits_sealed')
      .where('id', '=', first as number)
      .executeTakeFirstOrThrow();
    const foreign = Buffer.from(row.digits_sealed as Uint8Array);
    foreign[0] = 9;
    await h.db.db
      .updateTable('pins')
      .set({ digits_sealed: foreign })
      .where('id', '=', first as number)
      .execute();
    const before = readFileSync(file, 'utf8');

    const run = await cli(['data-key', 'rotate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: sealed values use data keys that ${file} does not hold (1 in pins.digits_sealed under key 9); ` +
        'restore the key file backup that has them (or check KEYDEPOT_DATA_KEY_FILE)\n',
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(await keyUses(h.db.db)).toEqual([
      { column: 'commands.secret_sealed', keyId: 1, values: 2 },
      { column: 'pins.digits_sealed', keyId: 1, values: 1 },
      { column: 'pins.digits_sealed', keyId: 9, values: 1 },
    ]);
    expect((await cli(['data-key', 'retire'])).code).toBe(1);
    await expect(revealDigits(h.db.db, await loadDataSealer(file), depot, first as number)).rejects.toThrow(
      `the value at pins.digits_sealed:${first} is sealed with data key 9, which the data key file does not hold`,
    );
  });
});
