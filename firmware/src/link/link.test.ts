import {
  CommandKind,
  CommandStatus,
  EventKind,
  FrameKind,
  MAX_DATAGRAM_BYTES,
  PinKind,
  REKEY_AFTER_MS,
  readU32,
} from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { memoryLinkHarness } from '../../test/support/memory-link-harness.js';

const MINUTE = 60_000;
const kindsOf = (frames: readonly { kind: number }[]) => frames.map((f) => f.kind);

describe('Link', () => {
  it('handshakes at boot and checks in at once with STATUS; the relay TIME reaches the depot', async () => {
    const h = await memoryLinkHarness();
    h.link.start();
    h.clock.advance(100);
    expect(h.relay.stamps).toHaveLength(1);
    expect(h.relay.received).toHaveLength(1);
    expect(kindsOf(h.relay.received[0])).toEqual([FrameKind.Status]);
    expect(h.depot.times).toHaveLength(1);
    expect(h.link.snapshot().session).toBe('established');
  });

  it('persists the stamp before the initiation leaves', async () => {
    const order: string[] = [];
    let last = 0;
    const stamps = {
      get: () => last,
      set(stamp: number) {
        order.push(`persist ${stamp} with ${h.sent.length} datagrams out`);
        last = stamp;
      },
    };
    const h = await memoryLinkHarness({ stamps });
    h.link.start();
    h.clock.advance(100);
    expect(order).toEqual([`persist ${h.relay.stamps[0]} with 0 datagrams out`]);
  });

  it('under load, sends the same initiation again with the relay cookie in mac2, once, and gets in', async () => {
    const h = await memoryLinkHarness();
    h.relay.underLoad = true;
    h.link.start();
    h.clock.advance(100);
    const initiations = h.sent.filter((d) => d.bytes[0] === 1).map((d) => d.bytes);
    expect(initiations).toHaveLength(2);
    // The same Noise message A (and stamp): the relay ran no Noise on the first one.
    expect(initiations[1].subarray(0, 128)).toEqual(initiations[0].subarray(0, 128));
    expect(initiations[0].subarray(128).every((b) => b === 0)).toBe(true);
    expect(initiations[1].subarray(128).some((b) => b !== 0)).toBe(true);
    expect(h.relay.stamps).toHaveLength(1);
    expect(h.relay.cookieReplies).toBe(1);
    expect(h.link.snapshot()).toMatchObject({ session: 'established', cookieReplies: 1, handshakesSent: 1 });
    expect(kindsOf(h.relay.received[0])).toEqual([FrameKind.Status]);
  });

  it('resends an initiation with a cookie only once, and puts the kept cookie into the next initiation', async () => {
    const h = await memoryLinkHarness();
    h.relay.underLoad = 'always';
    h.link.start();
    h.clock.advance(100);
    // Its resend drew a second cookie reply: no third datagram for the same initiation.
    expect(h.sent.filter((d) => d.bytes[0] === 1)).toHaveLength(2);
    expect(h.relay.cookieReplies).toBe(2);
    h.clock.advance(3_000);
    const initiations = h.sent.filter((d) => d.bytes[0] === 1).map((d) => d.bytes);
    expect(initiations).toHaveLength(4);
    // The retransmission is a new initiation (new stamp), born with mac2 from the kept cookie.
    expect(initiations[2].subarray(8, 112)).not.toEqual(initiations[0].subarray(8, 112));
    expect(initiations[2].subarray(128).some((b) => b !== 0)).toBe(true);
    expect(h.link.snapshot()).toMatchObject({ session: 'handshaking', handshakesSent: 2, cookieReplies: 4 });
    // Load gone: the next initiation gets in.
    h.relay.underLoad = false;
    h.clock.advance(10_000);
    expect(h.link.snapshot().session).toBe('established');
  });

  it('checks in every 60 s ± 5 s', async () => {
    const h = await memoryLinkHarness({ rhythm: { keepalive: null } });
    h.link.start();
    h.clock.advance(30 * MINUTE);
    const checkIns = h.transports().map((d) => d.atMs);
    expect(h.relay.received.every((frames) => frames[0].kind === FrameKind.Status)).toBe(true);
    const gaps = checkIns.slice(2).map((at, i) => at - checkIns[i + 1]);
    expect(gaps.length).toBeGreaterThan(25);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(55_000);
      expect(gap).toBeLessThanOrEqual(65_000);
    }
    expect(new Set(gaps).size).toBeGreaterThan(5);
  });

  it('sends a keepalive after 20-25 s without sending, and none when keepalives are off', async () => {
    const h = await memoryLinkHarness();
    h.link.start();
    h.clock.advance(10 * MINUTE);
    const times = h.transports().map((d) => d.atMs);
    const gaps = times.slice(1).map((at, i) => at - times[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(25_000);
    const keepalives = h.relay.received.filter((frames) => frames[0].kind === FrameKind.Keepalive);
    expect(keepalives.length).toBeGreaterThan(10);
    expect(keepalives.every((frames) => frames.length === 1)).toBe(true);
  });

  it('retransmits an unanswered telegram as new telegrams with doubling waits, then returns to the rhythm', async () => {
    const h = await memoryLinkHarness({ rhythm: { keepalive: null } });
    h.link.start();
    h.clock.advance(100);
    h.relay.online = false;
    const before = h.transports().length;
    h.clock.advance(4 * MINUTE);
    const attempts = h.transports().slice(before, before + 5);
    expect(attempts).toHaveLength(5);
    const waits = attempts.slice(1).map((d, i) => d.atMs - attempts[i].atMs);
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
    expect(waits[0]).toBeLessThanOrEqual(3_000);
    expect(waits.slice(1)).toEqual([waits[0] * 2, waits[0] * 4, waits[0] * 8]);
    // New counters: nothing is ever resent byte for byte.
    const counters = attempts.map((d) => readU32(d.bytes, 8));
    expect(new Set(counters).size).toBe(5);
    // Given up after 16 T₀; the next telegram is the next check-in, not a sixth retransmission.
    const next = h.transports()[before + 5];
    expect(next.atMs - attempts[4].atMs).toBeGreaterThanOrEqual(waits[0] * 16);
    expect(h.link.snapshot().exchangesGivenUp).toBeGreaterThanOrEqual(1);
  });

  it('keeps one telegram in flight: fresh events wait for the answer', async () => {
    const h = await memoryLinkHarness({ rhythm: { keepalive: null } });
    h.link.start();
    h.clock.advance(100);
    h.relay.online = false;
    h.clock.advance(MINUTE + 5_000); // the next check-in is now in flight, unanswered
    const inFlight = h.transports().length;
    h.depot.journalEvent();
    h.link.notifyJournaled();
    h.clock.advance(1_000);
    expect(h.transports().length).toBe(inFlight);
    h.relay.online = true;
    h.clock.advance(10_000); // the retransmission is answered; the event follows right after
    expect(h.relay.sequences(h.depot.epoch)).toEqual([1]);
    expect(h.depot.ackedUpTo).toBe(1);
  });

  it('sends fresh journal events within 200 ms', async () => {
    const h = await memoryLinkHarness();
    h.link.start();
    h.clock.advance(1_000);
    h.depot.journalEvent(EventKind.PinAccepted, 'pin:7');
    h.link.notifyJournaled();
    h.clock.advance(200 + 5);
    expect(h.relay.sequences(h.depot.epoch)).toEqual([1]);
  });

  it('drains a large outbox in ≤1200-byte telegrams, one after the other, every event once', async () => {
    const h = await memoryLinkHarness();
    for (let i = 0; i < 300; i++) h.depot.journalEvent(EventKind.DoorOpened, `subject-${i}-${'x'.repeat(40)}`);
    h.link.start();
    h.clock.advance(2_000);
    expect(h.relay.sequences(h.depot.epoch)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(h.relay.duplicates).toBe(0);
    expect(h.depot.ackedUpTo).toBe(300);
    expect(h.transports().length).toBeGreaterThan(10);
    expect(Math.max(...h.sent.map((d) => d.bytes.length))).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
  });

  it('applies commands from a reply in order and sends their results at once; an answer confirms them', async () => {
    const h = await memoryLinkHarness();
    h.relay.queueCommand({
      command: CommandKind.PinAdd,
      pinId: 1,
      pinKind: PinKind.Permanent,
      compartment: 1,
      digits: '123456',
      validFromMs: 0,
      validUntilMs: 0,
      schedule: [],
    });
    h.relay.queueCommand({ command: CommandKind.PinRevoke, pinId: 1 });
    h.link.start();
    h.clock.advance(200);
    expect(h.depot.applied.map((c) => c.id)).toEqual([1, 2]);
    expect(h.relay.results.map((r) => [r.id, r.status])).toEqual([
      [1, CommandStatus.Applied],
      [2, CommandStatus.Applied],
    ]);
    expect(h.relay.queue).toHaveLength(0);
    expect(h.depot.pendingResults()).toHaveLength(0);
  });

  it('answers a pushed command within a second', async () => {
    const h = await memoryLinkHarness();
    h.link.start();
    h.clock.advance(30_000);
    h.relay.queueCommand({ command: CommandKind.LockoutReset });
    h.push();
    h.clock.advance(50);
    expect(h.relay.results.map((r) => r.id)).toEqual([1]);
  });

  it('re-handshakes after three exchanges without an answer', async () => {
    const h = await memoryLinkHarness({ rhythm: { keepalive: null } });
    h.link.start();
    h.clock.advance(100);
    h.relay.online = false;
    h.clock.advance(6 * MINUTE);
    h.relay.online = true;
    h.clock.advance(5 * MINUTE);
    expect(h.relay.stamps.length).toBeGreaterThanOrEqual(2);
    expect(h.link.snapshot().session).toBe('established');
    expect(h.link.snapshot().sessionsEstablished).toBeGreaterThanOrEqual(2);
  });

  it('rekeys after an hour, with a larger stamp, and keeps talking', async () => {
    const h = await memoryLinkHarness();
    h.link.start();
    h.clock.advance(REKEY_AFTER_MS + 2 * MINUTE);
    expect(h.relay.stamps).toHaveLength(2);
    expect(h.relay.stamps[1]).toBeGreaterThan(h.relay.stamps[0]);
    const receivedBefore = h.relay.received.length;
    h.clock.advance(2 * MINUTE);
    expect(h.relay.received.length).toBeGreaterThan(receivedBefore);
  });

  it('keeps sending on the old session while a rekey waits for its response', async () => {
    const h = await memoryLinkHarness();
    h.link.start();
    h.clock.advance(MINUTE);
    h.relay.acceptHandshakes = false;
    h.clock.advance(REKEY_AFTER_MS);
    expect(h.link.snapshot().session).toBe('rekeying');
    const received = h.relay.received.length;
    h.depot.journalEvent();
    h.link.notifyJournaled();
    h.clock.advance(1_000);
    expect(h.relay.received.length).toBeGreaterThan(received);
    expect(h.relay.sequences(h.depot.epoch)).toEqual([1]);
    h.relay.acceptHandshakes = true;
    h.clock.advance(2 * MINUTE);
    expect(h.link.snapshot().session).toBe('established');
    expect(h.relay.stamps).toHaveLength(2);
  });

  it('retries the boot handshake with new initiations and finds a relay that comes up later', async () => {
    const h = await memoryLinkHarness();
    h.relay.online = false;
    h.link.start();
    h.clock.advance(10 * MINUTE);
    expect(h.link.snapshot().session).not.toBe('established');
    const initiations = h.sent.filter((d) => d.bytes[0] === 1);
    expect(initiations.length).toBeGreaterThan(5);
    expect(new Set(initiations.map((d) => readU32(d.bytes, 4))).size).toBe(initiations.length);
    expect(h.stamps.get()).toBeGreaterThanOrEqual(initiations.length);
    h.depot.journalEvent();
    h.relay.online = true;
    h.clock.advance(3 * MINUTE);
    expect(h.link.snapshot().session).toBe('established');
    expect(h.relay.sequences(h.depot.epoch)).toEqual([1]);
  });
});
