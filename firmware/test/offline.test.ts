/**
 * Issue 4 "Offline test": with no relay, valid PINs open, wrong ones lock out
 * and events queue; a relay that appears later receives every event exactly
 * once, in order. Real daemon (core + SQLite file + link over real UDP on
 * 127.0.0.1), simulated hardware on a clock running 50× real time.
 */
import { CommandKind, EventKind, HOUR_MS, offlinePin, PinKind } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
import { startSimulatedDaemon } from './support/simulated-daemon.js';
import { startTestRelay, type TestRelay } from './support/test-relay.js';

const SPEED = 50;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function pinAdd(pinId: number, pinKind: PinKind, compartment: number, digits: string) {
  return {
    command: CommandKind.PinAdd,
    pinId,
    pinKind,
    compartment,
    digits,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  } as const;
}

describe('a depot without its relay', () => {
  it('opens for valid PINs, locks out wrong ones, queues events, and delivers them all once when the relay is back', async () => {
    const relay: TestRelay = await startTestRelay();
    cleanups.push(() => relay.close());
    const fixture: DepotFixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port });
    cleanups.push(() => fixture.remove());
    relay.core.queueCommand(pinAdd(1, PinKind.Permanent, 1, '246810'));
    relay.core.queueCommand(pinAdd(2, PinKind.OneTime, 2, '135790'));
    const depot = await startSimulatedDaemon(fixture.config, { speed: SPEED });
    cleanups.push(() => depot.stop());
    const { daemon, hardware } = depot;

    // Online first: the PINs arrive and the clock is set from TIME.
    await waitFor('the PIN_ADD results', () => relay.core.results.length === 2);
    await waitFor('the boot events acked', () => daemon.core.status().outboxSize === 0);
    expect(daemon.core.clockKnown()).toBe(true);

    // The relay goes away.
    await relay.pause();
    const storedBefore = relay.core.sequences(daemon.core.epoch).length;
    const pulses = (n: number) => hardware.compartment(n).lock.pulses.length;

    hardware.keypad.type('246810#'); // permanent PIN
    expect(pulses(1)).toBe(1);
    hardware.keypad.type('135790#'); // one-time PIN: opens once…
    expect(pulses(2)).toBe(1);
    hardware.keypad.type('135790#'); // …and never again
    expect(pulses(2)).toBe(1);
    const slot = { compartment: 3, startHour: Math.floor(Date.now() / HOUR_MS), durationCode: 4, variant: 0 };
    hardware.keypad.type(`${offlinePin(fixture.config.offlineKey, fixture.config.depotId, slot)}#`); // offline PIN
    expect(pulses(3)).toBe(1);

    for (let i = 0; i < 5; i++) hardware.keypad.type(`99999${i}#`);
    expect(daemon.core.lockedOut()).toBe(true);
    hardware.keypad.type('246810#'); // even a valid PIN is not checked during a lockout
    expect(pulses(1)).toBe(1);

    const queued = daemon.core.status().outboxSize;
    expect(queued).toBeGreaterThanOrEqual(12);
    // A minute of simulated time with the relay gone: nothing arrives, nothing is lost.
    await new Promise((resolve) => setTimeout(resolve, (70_000 / SPEED) | 0));
    expect(relay.core.sequences(daemon.core.epoch).length).toBe(storedBefore);
    expect(daemon.core.status().outboxSize).toBeGreaterThanOrEqual(queued);

    // The relay appears again at the same address.
    await relay.resume();
    await waitFor('the outbox to drain', () => daemon.core.status().outboxSize === 0, 30_000);
    const last = daemon.store.lastSequence();
    const sequences = relay.core.sequences(daemon.core.epoch);
    expect(sequences).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    const order = relay.core.storedOrder.map((e) => e.sequence);
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const events = sequences.map((s) => relay.core.events.get(daemon.core.epoch)?.get(s));
    const count = (kind: EventKind, subject?: string) =>
      events.filter((e) => e?.event === kind && (subject === undefined || e.subject === subject)).length;
    expect(count(EventKind.PinAccepted)).toBe(3);
    expect(count(EventKind.Unlocked, 'pin:2')).toBe(1);
    expect(count(EventKind.LockoutStarted)).toBe(1);
    expect(count(EventKind.PinRejected)).toBeGreaterThanOrEqual(6);
  });
});
