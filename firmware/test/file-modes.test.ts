/**
 * Issue 14, item 5: on the depot, everything that holds a secret or the
 * journal is mode 0600 in folders of mode 0700, whatever the umask (the unit
 * sets UMask=0077, a technician's shell usually 0022): the keys, depot.json,
 * the SQLite store with its WAL and shared memory, the status file and the
 * handshake stamp. Files an older version left at 0644 are set to 0600 at
 * start; a folder open to others is reported, not changed. And the store holds
 * no PIN's digits (only their MACs).
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandKind, PinKind } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type DepotDaemon, startDepotDaemon } from '../src/daemon.js';
import { createSimulatedHardware, SimulatedClock } from '../src/hardware/simulated/index.js';
import type { LinkLogger } from '../src/link/link-logger.js';
import { udpLinkSocket } from '../src/link/udp-socket.js';
import { openDepotStore } from '../src/store/depot-store.js';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { startTestRelay } from './support/test-relay.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A permissive umask as in a technician's shell, for the length of one test. */
function looseUmask(): void {
  const before = process.umask(0o022);
  cleanups.push(() => void process.umask(before));
}

async function runDaemon(fixture: DepotFixture, logger?: LinkLogger): Promise<DepotDaemon> {
  const clock = new SimulatedClock({ speed: 1, startWallMs: Date.now() });
  const daemon = await startDepotDaemon({
    config: fixture.config,
    hardware: createSimulatedHardware({ compartments: 4, clock }),
    socketFactory: (address) => udpLinkSocket(address),
    statusIntervalMs: 50,
    logger,
  });
  cleanups.push(async () => {
    await daemon.stop();
    clock.stop();
  });
  return daemon;
}

describe('file modes on the depot', () => {
  it('writes keys, depot.json, the store, its WAL, the status file and the stamp 0600 in a 0700 folder', async () => {
    looseUmask();
    const relay = await startTestRelay();
    cleanups.push(() => relay.close());
    const fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port });
    cleanups.push(() => fixture.remove());
    const digits = '58203917';
    relay.core.queueCommand({
      command: CommandKind.PinAdd,
      pinId: 1,
      pinKind: PinKind.Permanent,
      compartment: 1,
      digits,
      validFromMs: 0,
      validUntilMs: 0,
      schedule: [],
    });
    await runDaemon(fixture);
    await waitFor('the PIN_ADD result', () => relay.core.results.length === 1);
    await waitFor('the status file', () => existsSync(fixture.config.statusPath));

    const { configDir, databasePath, statusPath, stampPath } = fixture.config;
    const files = {
      'depot.json': join(configDir, 'depot.json'),
      'depot.key': join(configDir, 'depot.key'),
      'offline.key': join(configDir, 'offline.key'),
      'depot.sqlite': databasePath,
      'depot.sqlite-wal': `${databasePath}-wal`,
      'depot.sqlite-shm': `${databasePath}-shm`,
      'status.json': statusPath,
      'initiation.stamp': stampPath,
    };
    const modes = Object.fromEntries(Object.entries(files).map(([name, path]) => [name, mode(path)]));
    expect(modes).toEqual(Object.fromEntries(Object.keys(files).map((name) => [name, 0o600])));
    expect(mode(configDir)).toBe(0o700);

    // The depot keeps a MAC of the PIN, never its digits (file and WAL, not checkpointed).
    for (const file of [databasePath, `${databasePath}-wal`]) {
      expect(readFileSync(file).includes(Buffer.from(digits)), file).toBe(false);
    }
  });

  it('sets 0600 on files an older version left 0644, and reports a folder open to others without changing it', async () => {
    looseUmask();
    const relay = await startTestRelay();
    cleanups.push(() => relay.close());
    const fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port });
    cleanups.push(() => fixture.remove());
    const { configDir, databasePath, statusPath } = fixture.config;
    // As the older version left them: depot.json, the store and the status file 0644, the folder 0755.
    openDepotStore(databasePath).close();
    writeFileSync(statusPath, '{}\n');
    for (const file of [join(configDir, 'depot.json'), databasePath, statusPath]) chmodSync(file, 0o644);
    chmodSync(configDir, 0o755);
    cleanups.push(() => chmodSync(configDir, 0o700));
    const warnings: string[] = [];
    const logger: LinkLogger = {
      debug() {},
      info() {},
      warn: (_fields, message) => void warnings.push(message),
      error() {},
    };

    await runDaemon(fixture, logger);
    await waitFor("the daemon's status file", () => readFileSync(statusPath, 'utf8').includes('"version"'));
    expect(mode(join(configDir, 'depot.json'))).toBe(0o600);
    expect(mode(databasePath)).toBe(0o600);
    expect(mode(`${databasePath}-wal`)).toBe(0o600);
    expect(mode(statusPath)).toBe(0o600);
    expect(mode(configDir)).toBe(0o755);
    expect(warnings).toContain(`group or others may enter ${configDir}: run chmod 700 ${configDir}`);
  });
});
