/**
 * Issue 4 "Command tests", end to end: the relay (over real UDP) sends
 * COMMANDs, the link hands them to the real depot core (SQLite file), the
 * keypad and locks show the effect. Duplicate, out-of-order and expired
 * commands, and a revoke that arrives before its add.
 */
import { CommandKind, CommandStatus, EventKind, PinKind } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DepotDaemon, startDepotDaemon } from '../src/daemon.js';
import { createSimulatedHardware, SimulatedClock, type SimulatedHardware } from '../src/hardware/simulated/index.js';
import { udpLinkSocket } from '../src/link/udp-socket.js';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import type { QueuedCommand } from './support/relay-core.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

let relay: TestRelay;
let fixture: DepotFixture;
let clock: SimulatedClock;
let hardware: SimulatedHardware;
let daemon: DepotDaemon;

beforeEach(async () => {
  relay = await startTestRelay();
  fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port });
  clock = new SimulatedClock({ speed: 1, startWallMs: Date.now() });
  hardware = createSimulatedHardware({ compartments: 4, clock });
  daemon = await startDepotDaemon({
    config: fixture.config,
    hardware,
    socketFactory: (address) => udpLinkSocket(address),
    statusIntervalMs: 0,
  });
  await waitFor('the first check-in', () => relay.core.statuses.length > 0 && daemon.core.clockKnown());
});

afterEach(async () => {
  await daemon.stop();
  clock.stop();
  await relay.close();
  fixture.remove();
});

const pinAdd = (id: number, previousId: number, pinId: number, digits: string, compartment = 1): QueuedCommand => ({
  id,
  previousId,
  notAfterMs: 0,
  body: {
    command: CommandKind.PinAdd,
    pinId,
    pinKind: PinKind.Permanent,
    compartment,
    digits,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  },
});
const pinRevoke = (id: number, previousId: number, pinId: number): QueuedCommand => ({
  id,
  previousId,
  notAfterMs: 0,
  body: { command: CommandKind.PinRevoke, pinId },
});
const resultsFor = (id: number) => relay.core.results.filter((r) => r.id === id);
const opens = (digits: string, compartment = 1): boolean => {
  const before = hardware.compartment(compartment).lock.pulses.length;
  hardware.keypad.type(`${digits}#`);
  return hardware.compartment(compartment).lock.pulses.length > before;
};
const journaled = (event: EventKind, subject?: string) =>
  [...(relay.core.events.get(daemon.core.epoch)?.values() ?? [])].filter(
    (e) => e.event === event && (subject === undefined || e.subject === subject),
  ).length;

describe('commands over the link', () => {
  it('applies a duplicate once and answers it again', async () => {
    const add = pinAdd(1, 0, 501, '482916');
    relay.core.queueRaw(add);
    relay.push();
    await waitFor('the result', () => resultsFor(1).length > 0);
    expect(resultsFor(1)[0].status).toBe(CommandStatus.Applied);
    // The same command again (a relay that lost the result, or a second relay process).
    const answers = resultsFor(1).length;
    relay.push([add]);
    await waitFor('the repeated result', () => resultsFor(1).length > answers);
    expect(resultsFor(1).every((r) => r.status === CommandStatus.Applied)).toBe(true);
    await waitFor('the events', () => daemon.core.status().outboxSize === 0);
    expect(journaled(EventKind.CommandApplied)).toBe(1);
    expect(daemon.core.status().lastCommandId).toBe(1);
    expect(opens('482916')).toBe(true);
  });

  it('holds back a command whose predecessor is missing, then applies both in id order', async () => {
    relay.core.queueRaw(pinAdd(1, 0, 601, '551177'));
    relay.push();
    await waitFor('command 1', () => resultsFor(1).length > 0);
    // Command 3 revokes the PIN, but command 2 (which it follows) was lost on the way.
    const revoke = pinRevoke(3, 2, 601);
    relay.core.queueRaw(revoke);
    relay.push([revoke]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resultsFor(3)).toHaveLength(0);
    expect(daemon.core.status().lastCommandId).toBe(1);
    expect(opens('551177')).toBe(true);
    // Command 2 arrives; the relay carries 2 and 3 again, in id order.
    relay.core.queueRaw(pinAdd(2, 1, 602, '662288', 2));
    relay.push();
    await waitFor('commands 2 and 3', () => resultsFor(2).length > 0 && resultsFor(3).length > 0);
    expect(daemon.core.status().lastCommandId).toBe(3);
    expect(opens('551177')).toBe(false);
    expect(opens('662288', 2)).toBe(true);
  });

  it('answers an expired command EXPIRED without applying it, and a command that follows it still runs', async () => {
    const now = Date.now();
    relay.core.queueRaw({
      id: 1,
      previousId: 0,
      notAfterMs: now - 1_000,
      body: { command: CommandKind.Open, compartment: 3 },
    });
    relay.core.queueRaw({
      id: 2,
      previousId: 1,
      notAfterMs: now + 30_000,
      body: { command: CommandKind.Open, compartment: 4 },
    });
    relay.push();
    await waitFor('both results', () => resultsFor(1).length > 0 && resultsFor(2).length > 0);
    expect(resultsFor(1)[0].status).toBe(CommandStatus.Expired);
    expect(resultsFor(2)[0].status).toBe(CommandStatus.Applied);
    expect(hardware.compartment(3).lock.pulses).toHaveLength(0);
    expect(hardware.compartment(4).lock.pulses).toHaveLength(1);
  });

  it('refuses an OPEN without a not-after', async () => {
    relay.core.queueRaw({ id: 1, previousId: 0, notAfterMs: 0, body: { command: CommandKind.Open, compartment: 2 } });
    relay.push();
    await waitFor('the result', () => resultsFor(1).length > 0);
    expect(resultsFor(1)[0].status).not.toBe(CommandStatus.Applied);
    expect(hardware.compartment(2).lock.pulses).toHaveLength(0);
  });

  it('never lets a revoke overtake its add, even when it arrives first in the same telegram', async () => {
    const add = pinAdd(1, 0, 701, '735194');
    const revoke = pinRevoke(2, 1, 701);
    relay.core.queueRaw(add);
    relay.core.queueRaw(revoke);
    relay.push([revoke, add]);
    await waitFor('both results', () => resultsFor(1).length > 0 && resultsFor(2).length > 0);
    expect(daemon.core.status().lastCommandId).toBe(2);
    expect(opens('735194')).toBe(false);
    await waitFor('the events', () => daemon.core.status().outboxSize === 0);
    const applied = [...(relay.core.events.get(daemon.core.epoch)?.values() ?? [])]
      .filter((e) => e.event === EventKind.CommandApplied)
      .map((e) => e.subject);
    expect(applied).toHaveLength(2);
    expect(applied[0]).toContain('1');
    expect(applied[1]).toContain('2');
  });
});
