/**
 * Issue 19, items 4 and 6: the daemon, run as `keydepot-depot run` runs it
 * (runDepotService) in a child process with the real GPIO drivers on
 * file-backed lines, is killed by a fault injected into a driver while a lock
 * is energised (an uncaught exception, then an unhandled rejection), and
 * stopped by SIGTERM while one is energised; each case on a fresh depot and relay. After each exit, every relay line
 * reads released. The same child sends READY=1, WATCHDOG=1 and STOPPING=1 to
 * a real unix datagram socket that this test listens on, as systemd would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CommandKind } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE } from '../src/service/fail-safe.js';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { readLine } from './support/file-gpio.js';
import type { ServiceDepotSpec } from './support/service-depot.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = join(import.meta.dirname, 'support', 'service-depot.ts');
/** Relay inputs of compartments 1-3 in the default wiring (BCM = kernel line on a base-0 chip). */
const RELAY_LINES = [17, 27, 22];
const RELEASED = 1; // active-low relay board

/** A unix datagram socket like systemd's notify socket: python3 binds it and prints each message on a line. */
function notifyListener(path: string) {
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("listening", flush=True)',
    'while True:',
    '    print(s.recv(4096).decode().replace("\\n", "|"), flush=True)',
  ].join('\n');
  const child = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => messages.push(line));
  return { child, messages };
}

let relay: TestRelay;
let fixture: DepotFixture;
let linesDir: string;
let notify: ReturnType<typeof notifyListener>;
const children: ChildProcess[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
  fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 3 });
  const sysfs = join(fixture.dir, 'sysfs');
  mkdirSync(join(sysfs, 'gpiochip0'), { recursive: true });
  for (const [file, value] of [
    ['base', '0'],
    ['label', 'pinctrl-bcm2835'],
    ['ngpio', '54'],
  ]) {
    writeFileSync(join(sysfs, 'gpiochip0', file), `${value}\n`);
  }
  linesDir = join(fixture.dir, 'lines');
  mkdirSync(linesDir);
  const depotFile = join(fixture.dir, 'depot.json');
  const depot = JSON.parse(readFileSync(depotFile, 'utf8'));
  depot.hardware = {
    sysfsGpioRoot: sysfs,
    keypad: { path: '/dev/ttyKEYPAD-failsafe' },
    compartments: [
      { number: 1, lockPin: 17, doorPin: 5, keyPin: 16 },
      { number: 2, lockPin: 27, doorPin: 6, keyPin: 20 },
      { number: 3, lockPin: 22, doorPin: 13, keyPin: 21 },
    ],
  };
  writeFileSync(depotFile, JSON.stringify(depot));
  notify = notifyListener(join(fixture.dir, 'notify.sock'));
  await waitFor('the notify listener', () => notify.messages.includes('listening'));
  // A long pulse, so the fault surely falls inside it.
  relay.core.queueCommand({ command: CommandKind.Config, settings: { unlockPulseMs: 20_000 } });
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  notify?.child.kill('SIGKILL');
  await relay?.close();
  fixture?.remove();
});

/** Starts the daemon, has the relay open `compartment`, and resolves once its relay line is energised. */
async function daemonWithEnergisedLock(compartment: number) {
  const spec: ServiceDepotSpec = { configDir: fixture.dir, linesDir };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, NOTIFY_SOCKET: join(fixture.dir, 'notify.sock'), WATCHDOG_USEC: '300000' },
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  relay.core.queueCommand({ command: CommandKind.Open, compartment }, Date.now() + 60_000);
  const line = RELAY_LINES[compartment - 1] as number;
  await waitFor(`relay line ${line} energised`, () => {
    try {
      return readLine(linesDir, line) !== RELEASED;
    } catch {
      return false;
    }
  });
  return { child, exited, stderr: () => stderr };
}

function relayLevels(): number[] {
  return RELAY_LINES.map((line) => readLine(linesDir, line));
}

describe('relays fail safe', () => {
  it('an exception thrown by a driver while a lock is energised releases every relay before the exit', {
    timeout: 60_000,
  }, async () => {
    const daemon = await daemonWithEnergisedLock(2);
    expect(relayLevels()).toEqual([1, 0, 1]);
    await waitFor('READY=1 and a watchdog keepalive', () => ['WATCHDOG=1'].every((m) => notify.messages.includes(m)));
    expect(notify.messages.find((m) => m.startsWith('READY=1'))).toMatch(/^READY=1\|STATUS=depot 4711 running/);
    daemon.child.stdin?.write('throw\n');
    expect(await daemon.exited).toBe(CRASH_EXIT_CODE);
    expect(relayLevels()).toEqual([1, 1, 1]);
    expect(daemon.stderr()).toContain('uncaught exception: every relay released');
    expect(daemon.stderr()).toContain('EIO: injected fault in the GPIO driver');
  });

  it('so does an unhandled rejection', { timeout: 60_000 }, async () => {
    const daemon = await daemonWithEnergisedLock(3);
    expect(relayLevels()).toEqual([1, 1, 0]);
    daemon.child.stdin?.write('reject\n');
    expect(await daemon.exited).toBe(CRASH_EXIT_CODE);
    expect(relayLevels()).toEqual([1, 1, 1]);
    expect(daemon.stderr()).toContain('unhandled rejection: every relay released');
  });

  it('SIGTERM during a pulse releases every relay, and systemd hears READY, WATCHDOG and STOPPING', {
    timeout: 60_000,
  }, async () => {
    const daemon = await daemonWithEnergisedLock(1);
    expect(relayLevels(), daemon.stderr()).toEqual([0, 1, 1]);
    await waitFor('two watchdog keepalives', () => notify.messages.filter((m) => m === 'WATCHDOG=1').length >= 2);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(relayLevels()).toEqual([1, 1, 1]);
    await waitFor('STOPPING=1', () => notify.messages.includes('STOPPING=1'));
    const ready = notify.messages.findIndex((m) => m.startsWith('READY=1'));
    const watchdog = notify.messages.indexOf('WATCHDOG=1');
    expect(ready).toBeGreaterThan(0);
    expect(watchdog).toBeGreaterThan(ready);
    expect(notify.messages.at(-1)).toBe('STOPPING=1');
  });
});
