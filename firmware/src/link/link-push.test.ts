import { CommandKind, EventKind, PinKind } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { memoryLinkHarness } from '../../test/support/memory-link-harness.js';

/**
 * Pushes cross telegrams: any authenticated relay telegram answers the one in
 * flight (protocol §10), so a pushed COMMAND can "answer" a telegram whose real
 * answer (with its EVENT_ACK) is still on the way. Frames carried by a telegram
 * sent less than T₀ ago are not carried again by the next one.
 */
async function pushStorm(seconds: number) {
  const h = await memoryLinkHarness({ rhythm: { keepalive: null, journalFlushMs: 5 } });
  h.link.start();
  h.clock.advance(1_000);
  let pinId = 1;
  for (let t = 0; t < seconds * 1000; t++) {
    if (t % 3 === 0) {
      h.depot.journalEvent(EventKind.DoorOpened, `door ${t}`);
      h.link.notifyJournaled();
    }
    if (t % 7 === 0) {
      h.relay.queueCommand({
        command: CommandKind.PinAdd,
        pinId: pinId++,
        pinKind: PinKind.Permanent,
        compartment: 1,
        digits: String(100_000 + pinId),
        validFromMs: 0,
        validUntilMs: 0,
        schedule: [],
      });
      h.push();
    }
    h.clock.advance(1);
  }
  h.clock.advance(2 * 60_000); // quiet: everything settles
  return { h, commands: pinId - 1 };
}

describe('Link under pushes', () => {
  it('delivers every event once, in order, and every result, without re-sending what is still on its way', async () => {
    const { h, commands } = await pushStorm(3);
    const journaled = h.depot.journal.length;
    expect(h.relay.sequences(h.depot.epoch)).toEqual(Array.from({ length: journaled }, (_, i) => i + 1));
    expect(h.relay.storedOrder.map((e) => e.sequence)).toEqual(Array.from({ length: journaled }, (_, i) => i + 1));
    expect(h.depot.ackedUpTo).toBe(journaled);
    expect(new Set(h.relay.results.map((r) => r.id)).size).toBe(commands);
    expect(h.relay.queue).toHaveLength(0);
    // Before frames were held, this storm made 216 event frames per event, 217 result frames per command
    // and 65,232 telegrams (every push started one more drain ping-pong). Now each event goes once; a
    // result goes at most twice (a second push can cross a result whose telegram had no events, and
    // without an EVENT_ACK to wait for, the depot cannot tell that repeat from a lost result).
    expect(h.relay.receipts).toBeLessThanOrEqual(journaled * 1.1);
    expect(h.relay.results.length).toBeLessThanOrEqual(commands * 2.1);
    expect(h.transports().length).toBeLessThan(2 * (journaled + commands));
  });

  it('carries again after T₀ what a telegram "answered" by a push carried, when no ack covers it', async () => {
    const h = await memoryLinkHarness({ rhythm: { keepalive: null, journalFlushMs: 5 } });
    h.link.start();
    h.clock.advance(1_000);
    h.relay.online = false; // the telegram with the events is lost
    for (let i = 0; i < 3; i++) h.depot.journalEvent();
    h.link.notifyJournaled();
    h.clock.advance(20);
    h.relay.online = true;
    h.relay.queueCommand({ command: CommandKind.LockoutReset });
    h.push(); // answers the lost telegram
    h.clock.advance(30);
    expect(h.relay.results.map((r) => r.id)).toEqual([1]);
    expect(h.relay.sequences(h.depot.epoch)).toEqual([]); // held: the lost telegram is less than T₀ old
    h.clock.advance(3_100);
    expect(h.relay.sequences(h.depot.epoch)).toEqual([1, 2, 3]);
    expect(h.relay.receipts).toBe(3);
    expect(h.depot.ackedUpTo).toBe(3);
  });
});
