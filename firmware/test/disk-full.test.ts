/**
 * Issue 19, item 1: the depot on a full disk. The real daemon (child process,
 * runDepotService) keeps its data folder on a 3 MiB tmpfs that the test fills
 * with a runaway writer. The daemon must not crash (timers, stop, restart at
 * BOOT), must keep opening for a stored PIN, must report disk-full in STATUS
 * and in `status`, and must journal the decisions it held once the writer's
 * file is deleted, without anybody restarting it.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommandKind, EventKind, PinKind } from '@keydepot/shared';
import { afterAll, expect, it } from 'vitest';
import { statusCommand } from '../src/cli/status-command.js';
import { readStatusFile } from '../src/cli/status-file.js';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { type ServiceChild, startServiceChild, wireServiceDepot } from './support/service-child.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

const RESERVE_BYTES = 256 * 1024;
const PIN = '246810';

let relay: TestRelay;
let fixture: DepotFixture;
let mount: string;
let statusDir: string;
let mounted = false;
const children: ServiceChild[] = [];

afterAll(async () => {
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await relay?.close();
  if (mounted) execFileSync('umount', ['-l', mount]);
  fixture?.remove();
});

/** Fills the file system: the runaway log file a full SD card usually comes from. */
function fillUp(file: string): void {
  const block = Buffer.alloc(16 * 1024, 0x41);
  try {
    for (;;) appendFileSync(file, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  try {
    for (;;) appendFileSync(file, 'x');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

function status() {
  return readStatusFile(join(statusDir, 'status.json'));
}

function startDaemon(): ServiceChild {
  const child = startServiceChild(
    {
      configDir: fixture.dir,
      linesDir: join(fixture.dir, 'lines'),
      daemon: {
        statusIntervalMs: 100,
        diskCheckIntervalMs: 200,
        rhythm: { checkInIntervalMs: 400, checkInJitterMs: 0, journalFlushMs: 20 },
      },
    },
    { KEYDEPOT_STATUS_DIR: statusDir },
  );
  children.push(child);
  return child;
}

const accepted = () =>
  [...relay.core.events.values()].flatMap((byEpoch) =>
    [...byEpoch.values()].filter((e) => e.event === EventKind.PinAccepted),
  );

it('keeps opening for stored PINs on a full disk, reports it, and journals what it held once space returns', {
  timeout: 120_000,
}, async () => {
  relay = await startTestRelay();
  fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 3 });
  // The data folder on a small file system of its own (tests run as root, as CI does).
  mount = join(fixture.dir, 'data');
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
  mounted = true;
  statusDir = join(fixture.dir, 'run');
  mkdirSync(statusDir, { recursive: true });
  wireServiceDepot(fixture, { dataDir: mount, diskReserveBytes: RESERVE_BYTES });
  relay.core.queueCommand({
    command: CommandKind.PinAdd,
    pinId: 1,
    pinKind: PinKind.Permanent,
    compartment: 2,
    digits: PIN,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  });
  let daemon = startDaemon();
  await waitFor('the PIN stored', () => relay.core.results.some((r) => r.id === 1));
  const reserveMade = () =>
    existsSync(join(mount, 'reserve.bin')) && statSync(join(mount, 'reserve.bin')).size === RESERVE_BYTES;
  await waitFor('the reserve made', reserveMade);
  expect(status()?.disk?.full).toBe(false);

  // A runaway writer fills the disk, and keeps filling whatever the depot frees.
  const filler = join(mount, 'runaway.log');
  fillUp(filler);
  const runaway = setInterval(() => fillUp(filler), 5);
  try {
    // The next TIME's clock floor write fails: the depot holds it and releases its reserve.
    await waitFor('disk-full in STATUS', () => relay.core.statuses.at(-1)?.diskFull === true, 20_000);
    expect(existsSync(join(mount, 'reserve.bin'))).toBe(false);
    // The status file is rewritten on its own timer, a moment after the STATUS frame went out.
    await waitFor('disk-full in the status file', () => status()?.disk?.full === true);

    daemon.type(`${PIN}#`);
    await waitFor('compartment 2 open', () => daemon.energised(2));
    await waitFor('the decision held', () => (status()?.disk?.events ?? 0) >= 2);

    // `keydepot-depot status` says so.
    const out: string[] = [];
    const io = {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => true },
      env: { KEYDEPOT_STATUS_DIR: statusDir },
      untilStopSignal: () => new Promise<string>(() => {}),
    };
    statusCommand(['--config-dir', fixture.dir], io);
    expect(out.join('')).toMatch(/disk {9}FULL: \d+ event\(s\) held in memory/);

    // A graceful stop on the full disk: no crash (exit 0), relays released.
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited, daemon.stderr()).toBe(0);
    expect(daemon.stderr()).not.toMatch(/uncaught|unhandled/);
    expect(existsSync(join(statusDir, 'held-decisions.json'))).toBe(true);

    // A restart on the still full disk comes up (BOOT is held) and still opens.
    daemon = startDaemon();
    await waitFor(
      'the restarted daemon reports disk-full',
      () => status()?.disk?.full === true && status()?.pid === daemon.child.pid,
    );
    daemon.type(`${PIN}#`);
    await waitFor('compartment 2 open after the restart', () => daemon.energised(2));
  } finally {
    clearInterval(runaway);
  }

  // Space returns: the held decisions are journaled and reach the relay, the reserve comes back.
  rmSync(filler);
  await waitFor(
    'disk-full over',
    () => status()?.disk?.full === false && relay.core.statuses.at(-1)?.diskFull === undefined,
    20_000,
  );
  // The first opening was held across the stop (beside status.json), the second since the restart.
  await waitFor('both openings at the relay', () => accepted().length === 2, 20_000);
  expect(statSync(join(mount, 'reserve.bin')).size).toBe(RESERVE_BYTES);
  expect(daemon.stderr()).not.toMatch(/uncaught|unhandled/);
  expect(daemon.child.exitCode).toBeNull();
});
