import { CommandKind, EventKind, type Frame, FrameKind, generateKeyPair, type KeyPair } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/relay.js';
import { rekeyDepot } from '../../src/store/depots.js';
import { queueCommand } from '../../src/store/relay/commands.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { TestDepot } from './depot-client.js';
import { backend, insertDepot, newDepotKeys, startTestRelay } from './fixtures.js';

const kinds = (telegrams: Frame[][] | null) => (telegrams ?? []).map((t) => t.map((f) => f.kind));

describe.each(testDialects())('relay with a test depot (%s)', (dialect) => {
  let db: TestDatabase;
  let relay: Relay;
  let relayKeys: KeyPair;
  let depotKeys: KeyPair;
  let depotId: number;
  let depot: TestDepot;

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    relayKeys = generateKeyPair(await backend());
    depotKeys = await newDepotKeys();
    depotId = await insertDepot(db, depotKeys);
    relay = await startTestRelay(db, relayKeys);
    depot = await TestDepot.open({
      backend: await backend(),
      keys: depotKeys,
      relayPublicKey: relayKeys.publicKey,
      relayPort: relay.port,
    });
  });

  afterEach(async () => {
    depot.close();
    await relay.close();
    await db.dispose();
  });

  it('handshakes and answers a check-in with TIME first; stores status, last seen and the online transition', async () => {
    expect(await depot.handshake()).toBe(true);
    depot.compartments[1] = { doorOpen: true, keyPresent: false, keySensor: true, locked: false };
    const reply = await depot.checkIn();
    expect(kinds(reply)).toEqual([[FrameKind.Time]]);
    const r = relayDb(db);
    const row = await r.selectFrom('depots').selectAll().where('id', '=', depotId).executeTakeFirstOrThrow();
    expect(row.online).toBe(1);
    expect(row.last_seen_ms).toBeGreaterThan(0);
    expect(row.firmware_version).toBe('test-1.0');
    const compartments = await r
      .selectFrom('compartments')
      .selectAll()
      .where('depot_id', '=', depotId)
      .orderBy('number')
      .execute();
    expect(compartments).toHaveLength(6);
    expect(compartments[1]).toMatchObject({ door_open: 1, key_present: 0, locked: 0 });
    const presence = await r.selectFrom('relay_events').selectAll().where('depot_id', '=', depotId).execute();
    expect(presence.map((e) => e.kind)).toEqual(['online']);
    const session = await r.selectFrom('depot_sessions').selectAll().executeTakeFirstOrThrow();
    expect(session.confirmed_at_ms).not.toBeNull();
    expect(session.receive_counter_highest).toBe(0);
    expect(session.endpoint).toBe(`127.0.0.1:${depot.port}`);
  });

  it('stores events exactly once and acks cumulatively, only what is stored without a gap', async () => {
    await depot.handshake();
    for (let i = 0; i < 3; i++) depot.journal(EventKind.DoorOpened, 1, `e${i}`);
    const gapEvent = depot.journal(); // sequence 4: held back to make a gap
    const fifth = depot.journal(); // sequence 5
    await depot.checkIn(2_000, [depot.status(), ...depot.outbox.filter((e) => e !== gapEvent)]);
    expect(depot.acks.get(depot.epoch)).toBe(3);
    // Resending already stored events does not duplicate them; sending the gap acks through 5.
    await depot.checkIn(2_000, [depot.status(), gapEvent, fifth]);
    expect(depot.acks.get(depot.epoch)).toBe(5);
    const rows = await relayDb(db)
      .selectFrom('events')
      .select('sequence')
      .where('depot_id', '=', depotId)
      .orderBy('sequence')
      .execute();
    expect(rows.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(await relay.metrics.count(relay.metrics.eventsStored)).toBe(5);

    // The depot row keeps its newest arrival (the dashboard starts there); a resent duplicate is no arrival.
    const newestArrival = async () =>
      (
        await relayDb(db)
          .selectFrom('depots')
          .select('last_event_ms')
          .where('id', '=', depotId)
          .executeTakeFirstOrThrow()
      ).last_event_ms;
    const stored = await relayDb(db)
      .selectFrom('events')
      .select((eb) => eb.fn.max('received_at_ms').as('newest'))
      .where('depot_id', '=', depotId)
      .executeTakeFirstOrThrow();
    expect(Number(await newestArrival())).toBe(Number(stored.newest));
    const before = await newestArrival();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await depot.checkIn(2_000, [depot.status(), fifth]);
    expect(await newestArrival()).toBe(before);
  });

  it('carries a queued command on the next reply and records its result', async () => {
    await depot.handshake();
    const id = await queueCommand(db, depotId, { command: CommandKind.LockoutReset });
    const second = await queueCommand(db, depotId, { command: CommandKind.Config, settings: { language: 'en' } });
    await new Promise((r) => setTimeout(r, 250)); // the relay's poll (100 ms here)
    const reply = await depot.checkIn();
    const commands = (reply ?? []).flat().filter((f) => f.kind === FrameKind.Command);
    expect(commands.map((c) => [c.id, c.previousId])).toEqual([
      [id, 0],
      [second, id],
    ]);
    expect(depot.lastApplied).toBe(second);
    await depot.checkIn();
    const rows = await relayDb(db).selectFrom('commands').select(['id', 'state', 'sent_at_ms']).orderBy('id').execute();
    expect(rows.map((r) => r.state)).toEqual(['applied', 'applied']);
    // Once applied, a command is not carried again.
    const later = await depot.checkIn();
    expect(kinds(later)).toEqual([[FrameKind.Time]]);
  });

  it('pushes a new command within a second to a depot heard from recently, never one that expired queued', async () => {
    await depot.handshake();
    await depot.keepalive();
    // Already past its not-after when the relay first sees it: a short validity (say 50 ms) would race
    // the relay's 100 ms poll, which may rightly push it while it is still valid.
    const stale = await queueCommand(
      db,
      depotId,
      { command: CommandKind.Open, compartment: 1 },
      { notAfterMs: Date.now() - 1 },
    );
    await new Promise((r) => setTimeout(r, 150));
    const queuedAt = Date.now();
    const id = await queueCommand(
      db,
      depotId,
      { command: CommandKind.Open, compartment: 2 },
      { notAfterMs: Date.now() + 30_000 },
    );
    relay.poke();
    expect(await depot.waitFor(() => depot.applied.some((c) => c.id === id), 1_500)).toBe(true);
    expect(Date.now() - queuedAt).toBeLessThan(1_500);
    const pushed = depot.applied.find((c) => c.id === id);
    expect(pushed?.previousId).toBe(0); // the expired command is skipped, not waited for
    expect(depot.applied.some((c) => c.id === stale)).toBe(false);
    await depot.checkIn();
    await new Promise((r) => setTimeout(r, 600)); // an expiry pass of the poll
    const rows = await relayDb(db).selectFrom('commands').select(['id', 'state', 'sent_at_ms']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: stale, state: 'expired', sent_at_ms: null },
      { id, state: 'applied', sent_at_ms: expect.any(Number) },
    ]);
  });

  it('rekeys: the new session works, the previous one is still received, older ones are forgotten', async () => {
    await depot.handshake();
    await depot.checkIn();
    const first = depot.session;
    await depot.handshake();
    const second = depot.session;
    expect(second?.localId).not.toBe(first?.localId);
    expect(kinds(await depot.checkIn())).toEqual([[FrameKind.Time]]);
    depot.session = first;
    expect(kinds(await depot.checkIn())).toEqual([[FrameKind.Time]]);
    await depot.handshake();
    const rows = await relayDb(db).selectFrom('depot_sessions').select('remote_id').execute();
    expect(rows.map((r) => r.remote_id).sort()).toEqual([second?.localId, depot.session?.localId].sort());
    depot.session = first;
    expect(await depot.checkIn(500)).toBeNull();
  });

  it('ignores a revoked depot: no handshake, and its live session stops working', async () => {
    await depot.handshake();
    expect(await depot.checkIn()).not.toBeNull();
    await relayDb(db).updateTable('depots').set({ revoked_at_ms: Date.now() }).where('id', '=', depotId).execute();
    await new Promise((r) => setTimeout(r, 600)); // a revocation pass of the poll
    expect(await depot.checkIn(500)).toBeNull();
    expect(await depot.handshake(500)).toBe(false);
    expect(await relay.metrics.count(relay.metrics.drops, { reason: 'unknown-depot' })).toBe(1);
  });

  it('forgets the old key at a rekey: its live session stops, the new key connects', async () => {
    await depot.handshake();
    expect(await depot.checkIn()).not.toBeNull();
    const newKeys = await newDepotKeys();
    await rekeyDepot(db.db, { depotId, publicKey: newKeys.publicKey });
    await new Promise((r) => setTimeout(r, 600)); // a pass of the poll
    expect(await depot.checkIn(500)).toBeNull();
    expect(await depot.handshake(500)).toBe(false);
    const renewed = await TestDepot.open({
      backend: await backend(),
      keys: newKeys,
      relayPublicKey: relayKeys.publicKey,
      relayPort: relay.port,
    });
    try {
      expect(await renewed.handshake()).toBe(true);
      await new Promise((r) => setTimeout(r, 600)); // the rekey is still in the poll's window: the new session stays
      expect(await renewed.checkIn()).not.toBeNull();
    } finally {
      renewed.close();
    }
  });

  it('drops a handshake from a depot key it does not know', async () => {
    const stranger = await TestDepot.open({
      backend: await backend(),
      keys: await newDepotKeys(),
      relayPublicKey: relayKeys.publicKey,
      relayPort: relay.port,
    });
    try {
      expect(await stranger.handshake(500)).toBe(false);
      expect(await relay.metrics.count(relay.metrics.drops, { reason: 'unknown-depot' })).toBe(1);
    } finally {
      stranger.close();
    }
  });
});
