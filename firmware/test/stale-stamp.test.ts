/**
 * Issue 19, item 3: a depot whose card was flashed again from the same bundle,
 * with a clock a day behind its last handshake stamp. The first run's stamp
 * file says a day ahead (what a depot whose clock was a day ahead once sent);
 * the card is then wiped (database and stamp gone) and the real daemon
 * (child process) started again with the correct clock. Its initiations are
 * stale; the relay answers with the sealed hint, the depot logs it with its id,
 * raises its stamp and is back in service, no person involved.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandKind, EventKind, PinKind } from '@keydepot/shared';
import { afterEach, expect, it } from 'vitest';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { type ServiceChild, startServiceChild, wireServiceDepot } from './support/service-child.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

const DAY_MS = 86_400_000;
const PIN = '246810';

let relay: TestRelay;
let fixture: DepotFixture;
const children: ServiceChild[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill('SIGKILL');
    await c.exited;
  }
  await relay?.close();
  fixture?.remove();
});

it('a re-flashed depot with its clock a day behind its last stamp recovers through the relay’s hint', {
  timeout: 90_000,
}, async () => {
  relay = await startTestRelay();
  fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 3 });
  const linesDir = wireServiceDepot(fixture);
  const start = () => {
    const child = startServiceChild({
      configDir: fixture.dir,
      linesDir,
      daemon: { rhythm: { checkInIntervalMs: 500, checkInJitterMs: 0, retransmitMinMs: 200, retransmitMaxMs: 200 } },
    });
    children.push(child);
    return child;
  };

  // The last stamp this depot sent was a day ahead of the clock it will have after the re-flash.
  const ahead = Date.now() + DAY_MS;
  writeFileSync(fixture.config.stampPath, `${ahead}\n`);
  let daemon = start();
  await waitFor('the first session', () => relay.core.stamps.length === 1, 30_000);
  expect(relay.core.stamps[0]).toBeGreaterThanOrEqual(ahead);
  daemon.child.kill('SIGTERM');
  expect(await daemon.exited).toBe(0);

  // Flashed again from the same bundle: keys and depot.json stay, everything the daemon wrote is gone.
  for (const name of readdirSync(fixture.dir)) {
    if (/^(depot\.sqlite|initiation\.stamp|status\.json)/.test(name)) rmSync(join(fixture.dir, name));
  }
  relay.core.queueCommand({
    command: CommandKind.PinAdd,
    pinId: 1,
    pinKind: PinKind.Permanent,
    compartment: 3,
    digits: PIN,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  });
  daemon = start();
  await waitFor('a second session after the hint', () => relay.core.stamps.length === 2, 30_000);
  expect(relay.core.staleStampHints).toBeGreaterThan(0);
  expect(relay.core.stamps[1]).toBeGreaterThan(relay.core.stamps[0] as number);
  // The child's log reaches the pipe a moment after the handshake it reports.
  await waitFor('the stale stamp logged', () => daemon.stderr().includes('relay refused a stale handshake stamp'));
  expect(daemon.stderr()).toContain('"depotId":4711');

  // Back in service: the PIN sent by the relay opens, and the opening reaches the relay.
  await waitFor('the PIN stored', () => relay.core.results.some((r) => r.id === 1), 30_000);
  daemon.type(`${PIN}#`);
  await waitFor('compartment 3 open', () => daemon.energised(3));
  await waitFor(
    'the opening at the relay',
    () =>
      [...relay.core.events.values()].some((byEpoch) =>
        [...byEpoch.values()].some((e) => e.event === EventKind.PinAccepted),
      ),
    20_000,
  );
});
