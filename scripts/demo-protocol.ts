/**
 * Quick-start demo of the keydepot wire protocol: `pnpm demo`.
 *
 * A relay and a depot, both built from @keydepot/shared, talk over real UDP
 * sockets on 127.0.0.1: Noise IK handshake, a check-in with events, a command
 * and its result, a keepalive, and then replay and tamper protection at work.
 * The relay uses the sodium-native backend and the depot libsodium-wrappers,
 * as in production. Exits 0 when every step went as expected, 1 otherwise.
 *
 * KEYDEPOT_DEMO_PORT=N makes the relay listen on port N instead of a free one.
 */
import type { Endpoint } from './demo/endpoint.js';
import { bold, dim, green, red, say } from './demo/presentation.js';
import { keysStep, relayPortFromEnv } from './demo/setup.js';
import { checkInStep, commandResultStep, handshakeStep, keepaliveStep, replayAndTamperStep } from './demo/steps.js';

const DEADLINE_MS = 4_500;

async function run(endpoints: Endpoint[]): Promise<{ datagrams: number; drops: number }> {
  const relayPort = relayPortFromEnv();
  say(bold('keydepot protocol demo') + dim(' — a relay and a depot on real UDP sockets, both built from shared/'));
  const setup = await keysStep(relayPort, endpoints);
  const { link } = setup;
  const { depotSession, initiation } = await handshakeStep(setup);
  const checkIn = await checkInStep(link, depotSession);
  await commandResultStep(link, depotSession, checkIn.commandId);
  await keepaliveStep(link, depotSession);
  await replayAndTamperStep(link, depotSession, { checkIn: checkIn.datagram, initiation });
  return { datagrams: link.datagrams, drops: link.drops };
}

async function main(): Promise<void> {
  const started = performance.now();
  const deadline = setTimeout(() => {
    process.stderr.write(red(`demo did not finish within ${DEADLINE_MS} ms\n`));
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  const endpoints: Endpoint[] = [];
  try {
    const { datagrams, drops } = await run(endpoints);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    say();
    say(
      green(bold('✓ Demo complete')) +
        `: ${datagrams} datagrams over UDP, ${drops} dropped as expected (replay, tag, stale-stamp), ${seconds} s`,
    );
  } catch (error) {
    process.stdout.write('\n');
    process.stderr.write(`${red(bold('✗ Demo failed'))}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${dim(error.stack)}\n`);
    process.exitCode = 1;
  } finally {
    for (const endpoint of endpoints) endpoint.close();
    clearTimeout(deadline);
  }
}

await main();
