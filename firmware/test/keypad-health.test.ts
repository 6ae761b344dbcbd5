/**
 * Issue 19, item 7: the daemon (child process, runDepotService) pings its
 * serial keypad board while running. A board that stops answering PING is
 * reported dead in STATUS after three misses; its next PONG makes it alive.
 */
import { afterEach, expect, it } from 'vitest';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { type ServiceChild, startServiceChild, wireServiceDepot } from './support/service-child.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

let relay: TestRelay;
let fixture: DepotFixture;
let daemon: ServiceChild | undefined;

afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  await relay?.close();
  fixture?.remove();
});

it('reports a keypad board that stops answering as dead in STATUS, and alive again once it answers', {
  timeout: 60_000,
}, async () => {
  relay = await startTestRelay();
  fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 3 });
  const linesDir = wireServiceDepot(fixture);
  daemon = startServiceChild({
    configDir: fixture.dir,
    linesDir,
    daemon: { keypadPingIntervalMs: 100, rhythm: { checkInIntervalMs: 300, checkInJitterMs: 0 } },
  });
  const newest = () => relay.core.statuses.at(-1);
  await waitFor('a few STATUS with the board answering', () => relay.core.statuses.length >= 3);
  expect(relay.core.statuses.some((s) => s.keypadDead)).toBe(false);

  daemon.send('board dead');
  await waitFor('keypad-dead in STATUS', () => newest()?.keypadDead === true, 20_000);
  expect(daemon.stderr()).toContain('keypad board does not answer');

  daemon.send('board alive');
  await waitFor('keypad alive in STATUS', () => newest()?.keypadDead === undefined, 20_000);
  expect(daemon.stderr()).toContain('keypad board answers again');
  expect(daemon.child.exitCode).toBeNull();
});
