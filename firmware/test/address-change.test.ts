/**
 * Issue 19, item 2: the Pi's address changes under the daemon (a DHCP renewal,
 * an LTE reconnect). The depot runs in a network namespace of its own, joined
 * to the test's by a veth pair; the relay listens on the test's end. The
 * test moves the depot's end to another address: the connected UDP socket
 * can no longer send from the old one. The real daemon (child process) must
 * say so in `status`, make a new socket and be back in service without a
 * restart: a PIN typed afterwards reaches the relay from the new address.
 * Needs root and `ip` (CI runs as root), as the namespaces do.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CommandKind, EventKind, PinKind } from '@keydepot/shared';
import { afterAll, expect, it } from 'vitest';
import { statusCommand } from '../src/cli/status-command.js';
import { readStatusFile } from '../src/cli/status-file.js';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { type ServiceChild, startServiceChild, wireServiceDepot } from './support/service-child.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

// Private addresses on a veth pair that exists only for this test (unique per process).
const NS = `kd-depot-${process.pid}`;
const HOST_END = `kdh${process.pid % 100000}`;
const DEPOT_END = `kdd${process.pid % 100000}`;
const NET = `10.${(process.pid >> 8) % 200}.${process.pid % 250}`;
const RELAY_IP = `${NET}.1`;
const OLD_IP = `${NET}.2`;
const NEW_IP = `${NET}.3`;
const PIN = '246810';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inDepot = (...args: string[]) => ip('netns', 'exec', NS, 'ip', ...args);

let relay: TestRelay;
let fixture: DepotFixture;
let daemon: ServiceChild | undefined;
let netnsMade = false;

afterAll(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  await relay?.close();
  if (netnsMade) {
    ip('link', 'del', HOST_END);
    ip('netns', 'del', NS);
  }
  fixture?.remove();
});

it('after the depot’s address changed, it says so, makes a new socket and is back in service', {
  timeout: 120_000,
}, async () => {
  ip('netns', 'add', NS);
  netnsMade = true;
  ip('link', 'add', HOST_END, 'type', 'veth', 'peer', 'name', DEPOT_END);
  ip('link', 'set', DEPOT_END, 'netns', NS);
  ip('addr', 'add', `${RELAY_IP}/24`, 'dev', HOST_END);
  ip('link', 'set', HOST_END, 'up');
  inDepot('addr', 'add', `${OLD_IP}/24`, 'dev', DEPOT_END);
  inDepot('link', 'set', DEPOT_END, 'up');
  inDepot('link', 'set', 'lo', 'up');

  relay = await startTestRelay({ host: RELAY_IP });
  fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 3 });
  const linesDir = wireServiceDepot(fixture, {
    relay: { host: RELAY_IP, port: relay.port, publicKey: fixture.bundle.relay.publicKey },
  });
  const statusDir = join(fixture.dir, 'run');
  mkdirSync(statusDir);
  relay.core.queueCommand({
    command: CommandKind.PinAdd,
    pinId: 1,
    pinKind: PinKind.Permanent,
    compartment: 1,
    digits: PIN,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  });
  daemon = startServiceChild(
    {
      configDir: fixture.dir,
      linesDir,
      daemon: {
        statusIntervalMs: 100,
        rhythm: {
          checkInIntervalMs: 500,
          checkInJitterMs: 0,
          retransmitMinMs: 100,
          retransmitMaxMs: 100,
          retransmitAttempts: 1,
        },
      },
      socket: { silenceToRenewMs: 4_000, checkMs: 250 },
    },
    { KEYDEPOT_STATUS_DIR: statusDir },
    ['ip', 'netns', 'exec', NS],
  );
  const status = () => readStatusFile(join(statusDir, 'status.json'));
  await waitFor('the PIN stored', () => relay.core.results.some((r) => r.id === 1), 30_000);
  expect(relay.depotAddress()?.address).toBe(OLD_IP);

  // DHCP hands out another address: the old one is gone.
  inDepot('addr', 'del', `${OLD_IP}/24`, 'dev', DEPOT_END);
  inDepot('addr', 'add', `${NEW_IP}/24`, 'dev', DEPOT_END);

  await waitFor('status saying the relay does not answer', () => (status()?.link.unansweredExchanges ?? 0) > 0, 30_000);
  const out: string[] = [];
  statusCommand(['--config-dir', fixture.dir], {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: () => true },
    env: { KEYDEPOT_STATUS_DIR: statusDir },
    untilStopSignal: () => new Promise<string>(() => {}),
  });
  expect(out.join('')).toMatch(/session {6}\w+.*, no answer for \d+ s/);

  // Back in service without a restart: answered from the new address, and a PIN typed now reaches the relay.
  await waitFor('the relay hears the depot at its new address', () => relay.depotAddress()?.address === NEW_IP, 30_000);
  expect(status()?.socket?.renewals).toBeGreaterThan(0);
  daemon.type(`${PIN}#`);
  await waitFor('compartment 1 open', () => daemon?.energised(1) === true);
  await waitFor(
    'the opening at the relay',
    () =>
      [...relay.core.events.values()].some((byEpoch) =>
        [...byEpoch.values()].some((e) => e.event === EventKind.PinAccepted),
      ),
    20_000,
  );
  expect(daemon.stderr()).toContain('relay socket renewed');
  expect(daemon.child.exitCode).toBeNull();
});
