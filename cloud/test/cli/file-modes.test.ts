/**
 * Issue 14, item 5, on the cloud: the data folder 0700; the SQLite store, its
 * WAL and shared memory 0600 whatever the umask (also when an older version
 * left them 0644); the relay and offline master key files 0600, the data key
 * 0400, bundles 0600. Key files may live outside the data folder, read-only,
 * as systemd credentials hand them over (a 0500 folder of 0400 files).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanups.splice(0).reverse()) step();
});

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'keydepot-modes-'));
  cleanups.push(() => {
    for (const dir of readdirSync(root)) chmodSync(join(root, dir), 0o700);
    rmSync(root, { recursive: true, force: true });
  });
  return root;
}

/** A TCP port free right now (UDP takes the same number: a collision only fails this test). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Runs a command line; `serve` runs until the abort, which comes once it prints where it listens. */
async function cli(env: Record<string, string>, cwd: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const stop = new AbortController();
  const port = String(await freePort());
  const code = await runCli(argv, {
    env: { KEYDEPOT_UDP_HOST: '127.0.0.1', KEYDEPOT_UDP_PORT: port, KEYDEPOT_HTTP_PORT: port, ...env },
    cwd,
    stdin: Readable.from([]),
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (text.startsWith('Portal on')) stop.abort();
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    stop: stop.signal,
  });
  expect(code, stderr).toBe(0);
  return { stdout, stderr };
}

describe('file modes in the cloud', () => {
  it('keeps the data folder 0700, the store and its WAL 0600, the keys 0600 and 0400, under a loose umask', async () => {
    const before = process.umask(0o022);
    cleanups.push(() => void process.umask(before));
    const root = folder();
    const dataDir = join(root, 'data');
    const env = { KEYDEPOT_DATA_DIR: dataDir, KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1', KEYDEPOT_LOG_LEVEL: 'silent' };
    await cli(env, root, ['org', 'create', '--name', 'Hof']);
    await cli(env, root, ['depot', 'create', '--org', 'Hof', '--name', 'Ost', '--compartments', '2']);
    // An older version's WAL left at 0644 is set to 0600 when the store is opened again.
    const store = join(dataDir, 'keydepot.sqlite');
    for (const file of [store, `${store}-wal`, `${store}-shm`].filter(existsSync)) chmodSync(file, 0o644);
    const served = await cli(env, root, ['serve']);
    expect(served.stderr).toBe('');

    expect(mode(dataDir)).toBe(0o700);
    const files = Object.fromEntries(readdirSync(dataDir).map((name) => [name, mode(join(dataDir, name))]));
    expect(files).toMatchObject({
      'keydepot.sqlite': 0o600,
      'relay.key': 0o600,
      'offline-master.key': 0o600,
      'data.key': 0o400,
    });
    for (const [name, bits] of Object.entries(files)) expect(bits & 0o077, `${name} is ${bits.toString(8)}`).toBe(0);
    expect(mode(join(root, 'depot-1.json'))).toBe(0o600);

    // A data folder open to others is reported.
    chmodSync(dataDir, 0o755);
    expect((await cli(env, root, ['serve'])).stderr).toBe(
      `warning: group or others may enter ${dataDir}: run chmod 700 ${dataDir}\n`,
    );
  });

  it('reads key files kept outside the data folder, read-only, as systemd credentials', async () => {
    const root = folder();
    const first = join(root, 'first');
    const env = { KEYDEPOT_DATA_DIR: first, KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1', KEYDEPOT_LOG_LEVEL: 'silent' };
    await cli(env, root, ['org', 'create', '--name', 'Hof']);
    await cli(env, root, [
      'depot',
      'create',
      '--org',
      'Hof',
      '--name',
      'Ost',
      '--compartments',
      '2',
      '--out',
      'a.json',
    ]);
    await cli(env, root, ['serve']);
    // What LoadCredential= makes of them: copies with mode 0400 in a folder the service may only read.
    const credentials = join(root, 'credentials');
    mkdirSync(credentials);
    for (const name of ['relay.key', 'offline-master.key', 'data.key', 'index.key']) {
      copyFileSync(join(first, name), join(credentials, name));
      chmodSync(join(credentials, name), 0o400);
    }
    chmodSync(credentials, 0o500);
    const dataDir = join(root, 'data');
    const moved = {
      KEYDEPOT_DATA_DIR: dataDir,
      KEYDEPOT_DATABASE_URL: `sqlite:${join(first, 'keydepot.sqlite')}`,
      KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1',
      KEYDEPOT_LOG_LEVEL: 'silent',
      KEYDEPOT_RELAY_KEY_FILE: join(credentials, 'relay.key'),
      KEYDEPOT_OFFLINE_MASTER_KEY_FILE: join(credentials, 'offline-master.key'),
      KEYDEPOT_DATA_KEY_FILE: join(credentials, 'data.key'),
      KEYDEPOT_INDEX_KEY_FILE: join(credentials, 'index.key'),
    };
    await cli(moved, root, [
      'depot',
      'create',
      '--org',
      'Hof',
      '--name',
      'West',
      '--compartments',
      '2',
      '--out',
      'b.json',
    ]);
    expect((await cli(moved, root, ['serve'])).stdout).toContain('Relay listening');
    // No key file was made anywhere else.
    expect(existsSync(dataDir) ? readdirSync(dataDir).filter((n) => n.endsWith('.key')) : []).toEqual([]);
    expect(readdirSync(credentials).sort()).toEqual(['data.key', 'index.key', 'offline-master.key', 'relay.key']);
  });
});
