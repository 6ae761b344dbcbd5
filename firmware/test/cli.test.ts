/** The technician's commands through runCli, on real files in a temporary folder. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FORMAT, randomBytes, toHex } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { loadDepotConfig } from '../src/config.js';
import { startDepotDaemon } from '../src/daemon.js';
import { createSimulatedHardware } from '../src/hardware/simulated/index.js';
import type { LinkSocket } from '../src/link/link-socket.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keydepot-cli-'));
  dirs.push(dir);
  return dir;
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: {},
      untilStopSignal: () => Promise.resolve('SIGTERM'),
    },
  };
}

function bundleFile(dir: string): string {
  const path = join(dir, 'bundle.json');
  writeFileSync(
    path,
    JSON.stringify({
      format: BUNDLE_FORMAT,
      depotId: 12,
      name: 'Bahnhof Süd',
      relay: { host: 'relay.example.net', port: 47900, publicKey: toHex(randomBytes(32)) },
      depotSecretKey: toHex(randomBytes(32)),
      offlineKey: toHex(randomBytes(32)),
      offlineKeyId: 3,
      compartments: 6,
      timeZone: 'Europe/Berlin',
      language: 'de',
      createdAt: '2026-11-28T00:00:00Z',
    }),
  );
  return path;
}

describe('keydepot-depot provision', () => {
  it('imports a bundle: keys with mode 0600, a config the daemon loads', async () => {
    const dir = tempDir();
    const configDir = join(dir, 'etc');
    const t = io();
    expect(await runCli(['provision', bundleFile(dir), '--config-dir', configDir], t.io)).toBe(0);
    expect(t.out.join('')).toContain("Provisioned depot 12 'Bahnhof Süd'");
    expect(statSync(join(configDir, 'depot.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(configDir, 'offline.key')).mode & 0o777).toBe(0o600);
    const config = loadDepotConfig(configDir);
    expect(config.relay).toMatchObject({ host: 'relay.example.net', port: 47900 });
    expect(config.hardware.compartments.length).toBeGreaterThan(0);
  });

  it('refuses to overwrite a provisioned depot unless --force', async () => {
    const dir = tempDir();
    const bundle = bundleFile(dir);
    expect(await runCli(['provision', bundle, '--config-dir', dir], io().io)).toBe(0);
    const first = readFileSync(join(dir, 'depot.key'), 'utf8');
    const again = io();
    expect(await runCli(['provision', bundleFile(dir), '--config-dir', dir], again.io)).toBe(1);
    expect(again.err.join('')).toContain('--force');
    expect(readFileSync(join(dir, 'depot.key'), 'utf8')).toBe(first);
    expect(await runCli(['provision', bundleFile(dir), '--config-dir', dir, '--force'], io().io)).toBe(0);
    expect(readFileSync(join(dir, 'depot.key'), 'utf8')).not.toBe(first);
  });

  it('names the bad field of a broken bundle', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ format: BUNDLE_FORMAT, depotId: 0 }));
    const t = io();
    expect(await runCli(['provision', path, '--config-dir', dir], t.io)).toBe(1);
    expect(t.err.join('')).toContain('relay must be an object');
  });

  it('refuses a key file others can read', async () => {
    const dir = tempDir();
    await runCli(['provision', bundleFile(dir), '--config-dir', dir], io().io);
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, 'depot.key'), 0o644);
    const t = io();
    expect(await runCli(['status', '--config-dir', dir], t.io)).toBe(1);
    expect(t.err.join('')).toContain('mode 0600');
  });
});

describe('keydepot-depot status', () => {
  it('reads the status file the daemon writes, without talking to it', async () => {
    const dir = tempDir();
    await runCli(['provision', bundleFile(dir), '--config-dir', dir], io().io);
    const before = io();
    expect(await runCli(['status', '--config-dir', dir], before.io)).toBe(1);
    expect(before.out.join('')).toContain('no status yet');

    const nowhere: LinkSocket = { send() {}, onMessage() {}, close() {} };
    const hardware = createSimulatedHardware({ compartments: 6 });
    const daemon = await startDepotDaemon({
      config: loadDepotConfig(dir),
      hardware,
      socketFactory: () => nowhere,
      statusIntervalMs: 0,
    });
    await daemon.stop();
    const t = io();
    expect(await runCli(['status', '--config-dir', dir], t.io)).toBe(0);
    const text = t.out.join('');
    expect(text).toMatch(/session\s+handshaking|session\s+none/);
    expect(text).toMatch(/outbox\s+1 event/); // the BOOT event, never acknowledged
    expect(text).toContain('UNKNOWN');
  });

  it("keeps status.json where KEYDEPOT_STATUS_DIR says (the unit's tmpfs), not in the data folder", async () => {
    const dir = tempDir();
    const runtime = tempDir();
    await runCli(['provision', bundleFile(dir), '--config-dir', dir], io().io);
    const nowhere: LinkSocket = { send() {}, onMessage() {}, close() {} };
    const daemon = await startDepotDaemon({
      config: loadDepotConfig(dir, { statusDir: runtime }),
      hardware: createSimulatedHardware({ compartments: 6 }),
      socketFactory: () => nowhere,
      statusIntervalMs: 0,
    });
    await daemon.stop();
    expect(existsSync(join(dir, 'status.json'))).toBe(false);
    expect(existsSync(join(runtime, 'status.json'))).toBe(true);
    const t = io();
    const env = { KEYDEPOT_STATUS_DIR: runtime };
    expect(await runCli(['status', '--config-dir', dir], { ...t.io, env })).toBe(0);
    expect(t.out.join('')).toMatch(/outbox\s+1 event/);
  });
});

describe('command-line options (node:util parseArgs)', () => {
  it('takes --name value and --name=value, and refuses unknown options and missing values in plain words', async () => {
    const dir = tempDir();
    const provisioned = io();
    expect(await runCli(['provision', bundleFile(dir), `--config-dir=${dir}`], provisioned.io)).toBe(0);
    expect(provisioned.out.join('')).toContain(`Provisioned depot 12 'Bahnhof Süd' in ${dir}`);
    const cases: [string[], string][] = [
      [['status', '--config-dir', dir, '--jsn'], 'keydepot-depot: unknown option --jsn\n'],
      [['status', '--config-dir'], 'keydepot-depot: --config-dir needs a value\n'],
      [['run', '--config-dir', dir, '--log-level'], 'keydepot-depot: --log-level needs a value\n'],
      [['provision', bundleFile(dir), '--config-dir', dir, '--force=yes'], 'keydepot-depot: --force takes no value\n'],
      [['test-hardware', '--config-dir', '--key-echo-seconds'], 'keydepot-depot: --config-dir needs a value\n'],
    ];
    for (const [argv, message] of cases) {
      const t = io();
      expect(await runCli(argv, t.io), argv.join(' ')).toBe(1);
      expect(t.err.join('')).toBe(message);
    }
  });
});
