/**
 * Migration 010 on a store an older version wrote: its depot sessions held
 * both transport keys in clear and its PIN_ADD commands the digits. After the
 * migration and the relay's first start none of those bytes is left, not in
 * SQLite's file or WAL (free pages included) and not in a dump of MariaDB, and
 * the queued PIN_ADD still reaches its depot with its digits.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CommandKind, PinKind } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import { commandSecretPlace } from '../../src/store/relay/command-secrets.js';
import { loadPendingCommands } from '../../src/store/relay/commands.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { newDepotKeys, startTestRelay } from '../relay/fixtures.js';
import { keySecret, leaks, mysqlDumps, type Secret, textSecret } from '../secret-search.js';

describe.each(testDialects())('migration 010 of clear secrets on %s', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(() => database?.dispose());

  it('deletes clear sessions, clears finished PIN_ADDs, seals queued ones at the relay start, and leaves no old byte', async () => {
    database = await createTestDatabase(dialect, { migrateTo: '009-organisation-name-unique' });
    const store = database;
    const old = store.db as unknown as Kysely<unknown>;
    const sendKey = randomBytes(32);
    const receiveKey = randomBytes(32);
    const applied = '73519046';
    const queued = '20488315';
    const pinAdd = (pinId: number, digits: string) =>
      JSON.stringify({
        command: CommandKind.PinAdd,
        pinId,
        pinKind: PinKind.Permanent,
        compartment: 1,
        digits,
        validFromMs: 0,
        validUntilMs: 0,
        schedule: [],
      });
    // What the older version wrote.
    await sql`INSERT INTO organisations (name, created_at_ms) VALUES ('Hof', 1)`.execute(old);
    const depotKeys = await newDepotKeys();
    await sql`INSERT INTO depots (organisation_id, name, public_key, compartment_count, created_at_ms, last_command_id)
      VALUES (1, 'Hof Ost', ${Buffer.from(depotKeys.publicKey)}, 4, 1, 3)`.execute(old);
    await sql`INSERT INTO depot_sessions (session_id, depot_id, send_key, receive_key, remote_id, created_at_ms, stamp)
      VALUES (4242, 1, ${sendKey}, ${receiveKey}, 7, ${Date.now()}, 1)`.execute(old);
    await sql`INSERT INTO commands (depot_id, id, kind, payload, state, created_at_ms) VALUES
      (1, 1, ${CommandKind.PinAdd}, ${pinAdd(1, applied)}, 'applied', 1),
      (1, 2, ${CommandKind.PinAdd}, ${pinAdd(2, queued)}, 'queued', ${Date.now()}),
      (1, 3, ${CommandKind.LockoutReset}, ${JSON.stringify({ command: CommandKind.LockoutReset })}, 'queued', 1)`.execute(
      old,
    );
    const secrets: Secret[] = [
      textSecret('the applied PIN', applied),
      textSecret('the queued PIN', queued),
      keySecret('the send key', sendKey),
      keySecret('the receive key', receiveKey),
    ];
    const written = async (): Promise<Array<[string, Buffer]>> => {
      if (dialect === 'mysql') {
        const { plain, hexBlob } = await mysqlDumps(store.url);
        return [
          ['mysqldump', plain],
          ['mysqldump --hex-blob', hexBlob],
        ];
      }
      const file = store.url.slice('sqlite:'.length);
      const read = (name: string) => {
        try {
          return readFileSync(name);
        } catch {
          return Buffer.alloc(0);
        }
      };
      return [
        ['the SQLite file', read(file)],
        ['its WAL', read(`${file}-wal`)],
      ];
    };
    // The older version's bytes are on disk (in the file itself: the worst case for free pages).
    store.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
    const before = (await written()).flatMap(([where, bytes]) => leaks(where, bytes, secrets));
    expect(before.length).toBeGreaterThanOrEqual(4);

    expect(await migrateToLatest(store)).toEqual(['010-sealed-secrets']);
    expect(await store.db.selectFrom('depot_sessions').selectAll().execute()).toEqual([]);
    const payloads = async () =>
      (await store.db.selectFrom('commands').select(['id', 'payload', 'secret_sealed']).orderBy('id').execute()).map(
        (r) => ({ id: Number(r.id), body: JSON.parse(r.payload), sealed: r.secret_sealed }),
      );
    const [first, second] = await payloads();
    expect(first?.body).toMatchObject({ command: CommandKind.PinAdd, pinId: 1, compartment: 1 });
    expect(first?.body).not.toHaveProperty('digits');
    // Still to be sent: only a relay, which has the data key, can seal it.
    expect(second?.body).toMatchObject({ digits: queued });

    const relay = await startTestRelay(store, await newDepotKeys());
    await relay.close();
    const [, sealedNow, reset] = await payloads();
    expect(sealedNow?.body).not.toHaveProperty('digits');
    expect(store.sealer?.open(new Uint8Array(sealedNow?.sealed as Uint8Array), commandSecretPlace(1, 2))).toBe(
      JSON.stringify({ digits: queued }),
    );
    expect(reset?.sealed).toBeNull();
    const pending = await loadPendingCommands(store);
    expect(pending.commands.map((c) => c.body)).toEqual([
      expect.objectContaining({ command: CommandKind.PinAdd, pinId: 2, digits: queued }),
      { command: CommandKind.LockoutReset },
    ]);

    const after = (await written()).flatMap(([where, bytes]) => leaks(where, bytes, secrets));
    expect(after).toEqual([]);
  });
});
