import {
  CommandKind,
  CommandStatus,
  EventKind,
  type Frame,
  FrameKind,
  generateKeyPair,
  type KeyPair,
  type StatusFrame,
} from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/relay.js';
import { queueCommand } from '../../src/store/relay/commands.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { TestDepot } from './depot-client.js';
import { backend, insertDepot, newDepotKeys, startTestRelay } from './fixtures.js';

// Protocol §8.10: an authenticated depot that lies. Every case goes through
// real UDP to the real relay, and checks that the violating frame changed
// nothing, the rest of the telegram was handled, the depot got its normal
// answer, and the violation was counted and recorded for the portal.

/** Lets the relay load newly queued commands (it polls every 100 ms in tests). */
async function pollOf(relay: Relay): Promise<void> {
  relay.poke();
  await new Promise((r) => setTimeout(r, 300));
}

const closedLocked = { doorOpen: false, keyPresent: true, keySensor: true, locked: true };

describe.each(testDialects())('relay and a lying depot (%s)', (dialect) => {
  let db: TestDatabase;
  let relay: Relay;
  let relayKeys: KeyPair;
  let depotId: number;
  let depot: TestDepot;
  let otherId: number;
  let other: TestDepot;

  const openDepot = async (keys: KeyPair, compartments: number) =>
    TestDepot.open({
      backend: await backend(),
      keys,
      relayPublicKey: relayKeys.publicKey,
      relayPort: relay.port,
      compartments,
    });
  const violations = (reason: string) => relay.metrics.count(relay.metrics.violations, { reason });
  const alertRows = (id: number) =>
    relayDb(db)
      .selectFrom('relay_events')
      .select(['kind', 'detail'])
      .where('depot_id', '=', id)
      .where('kind', '=', 'protocol-violation')
      .orderBy('id')
      .execute();
  const depotRow = (id: number) =>
    relayDb(db).selectFrom('depots').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const commandState = async (id: number, commandId: number) =>
    (
      await relayDb(db)
        .selectFrom('commands')
        .select('state')
        .where('depot_id', '=', id)
        .where('id', '=', commandId)
        .executeTakeFirstOrThrow()
    ).state;
  const statusWith = (over: Partial<StatusFrame>): StatusFrame => ({ ...depot.status(), ...over });

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    relayKeys = generateKeyPair(await backend());
    const keys = await newDepotKeys();
    const otherKeys = await newDepotKeys();
    depotId = await insertDepot(db, keys, 4);
    otherId = await insertDepot(db, otherKeys, 4);
    relay = await startTestRelay(db, relayKeys);
    depot = await openDepot(keys, 4);
    other = await openDepot(otherKeys, 4);
    expect(await depot.handshake()).toBe(true);
    expect(await other.handshake()).toBe(true);
  });

  afterEach(async () => {
    depot.close();
    other.close();
    await relay.close();
    await db.dispose();
  });

  it('a COMMAND_RESULT for a command never issued changes nothing and does not block later commands', async () => {
    depot.journal(EventKind.DoorOpened, 1);
    const reply = await depot.checkIn(2_000, [
      statusWith({ lastCommandId: 999 }),
      ...depot.outbox,
      { kind: FrameKind.CommandResult, id: 999, status: CommandStatus.Applied, detail: '' },
    ]);
    // Answered as usual: TIME and the ack for the event of the same telegram.
    expect(reply?.flat().map((f) => f.kind)).toEqual([FrameKind.Time, FrameKind.EventAck]);
    expect(depot.outbox).toHaveLength(0);
    expect((await depotRow(depotId)).last_applied_command_id).toBe(0);
    expect(await violations('unknown-command')).toBe(1);
    expect(await violations('last-applied')).toBe(1);
    const exposition = await relay.metrics.text();
    expect(exposition).toContain('keydepot_relay_protocol_violations_total{reason="unknown-command"} 1');
    expect(exposition).toContain('keydepot_relay_protocol_violations_total{reason="last-applied"} 1');
    expect((await alertRows(depotId)).map((r) => JSON.parse(r.detail))).toEqual([
      { reason: 'last-applied', value: 999, limit: 0 },
      { reason: 'unknown-command', value: 999, limit: 0 },
    ]);

    // The next command still reaches the depot and is applied.
    const id = await queueCommand(db, depotId, { command: CommandKind.LockoutReset });
    relay.poke();
    expect(await depot.waitFor(() => depot.applied.length > 0, 3_000)).toBe(true);
    expect(depot.applied.map((c) => c.id)).toEqual([id]);
    await depot.checkIn();
    expect(await commandState(depotId, id)).toBe('applied');
    expect((await depotRow(depotId)).last_applied_command_id).toBe(id);
  });

  it('a result or last applied naming another depot’s command changes neither depot', async () => {
    const mine = await queueCommand(db, depotId, { command: CommandKind.LockoutReset });
    const theirs = [1, 2, 3];
    for (const _ of theirs) await queueCommand(db, otherId, { command: CommandKind.LockoutReset });
    await pollOf(relay);
    // Ids are per depot: the other depot's 2 and 3 were never issued to this one, its 1 is this depot's own 1.
    await depot.checkIn(2_000, [
      statusWith({ lastCommandId: 3 }),
      { kind: FrameKind.CommandResult, id: 3, status: CommandStatus.Applied, detail: '' },
      { kind: FrameKind.CommandResult, id: 2, status: CommandStatus.Failed, detail: '' },
    ]);
    expect(await violations('unknown-command')).toBe(2);
    expect(await violations('last-applied')).toBe(1);
    for (const id of theirs) expect(await commandState(otherId, id)).toBe('queued');
    expect((await depotRow(otherId)).last_applied_command_id).toBe(0);
    expect((await depotRow(depotId)).last_applied_command_id).toBe(0);
    // This depot's own command 1 was carried in that reply (nothing above 0 counted as applied).
    expect(depot.applied.map((c) => c.id)).toEqual([mine]);
    // The other depot gets all three.
    await other.checkIn();
    expect(await other.waitFor(() => other.applied.length === 3, 3_000)).toBe(true);
    expect(other.applied.map((c) => c.id)).toEqual(theirs);
  });

  it('a result or last applied naming a command issued but never sent leaves it queued, and it is still delivered', async () => {
    // A relay that loads commands only when poked: the command below stays queued, never sent, until then.
    await relay.close();
    relay = await startTestRelay(db, relayKeys, { pollIntervalMs: 3_600_000 });
    depot.relayPort = relay.port;
    await depot.checkIn();
    const id = await queueCommand(db, depotId, { command: CommandKind.LockoutReset });
    const reply = await depot.checkIn(2_000, [
      statusWith({ lastCommandId: id }),
      { kind: FrameKind.CommandResult, id, status: CommandStatus.Applied, detail: '' },
    ]);
    expect(reply).not.toBeNull();
    expect(await violations('last-applied')).toBe(1);
    expect(await violations('unknown-command')).toBe(1);
    expect(await commandState(depotId, id)).toBe('queued');
    expect((await depotRow(depotId)).last_applied_command_id).toBe(0);
    relay.poke();
    expect(await depot.waitFor(() => depot.applied.length > 0, 3_000)).toBe(true);
    expect(depot.applied.map((c) => c.id)).toEqual([id]);
    await depot.checkIn();
    expect(await commandState(depotId, id)).toBe('applied');
  });

  it('STATUS and COMMAND_RESULT: the higher last applied counts, only a result finishes its command', async () => {
    const first = await queueCommand(db, depotId, { command: CommandKind.LockoutReset });
    const second = await queueCommand(db, depotId, { command: CommandKind.LockoutReset });
    await pollOf(relay);
    await depot.checkIn(2_000, [depot.status()]);
    expect(depot.lastApplied).toBe(second);
    const result = (id: number) => ({ kind: FrameKind.CommandResult, id, status: CommandStatus.Applied, detail: '' });
    // STATUS says 2 applied, only the result of 1 comes: 2 stays pending and is carried again.
    const reply = await depot.checkIn(2_000, [statusWith({ lastCommandId: second }), result(first)]);
    expect(await commandState(depotId, first)).toBe('applied');
    expect(await commandState(depotId, second)).toBe('sent');
    expect((await depotRow(depotId)).last_applied_command_id).toBe(second);
    expect(
      reply
        ?.flat()
        .filter((f) => f.kind === FrameKind.Command)
        .map((c) => c.id),
    ).toEqual([second]);
    // A STATUS reporting less than what a result proved lowers nothing.
    await depot.checkIn(2_000, [statusWith({ lastCommandId: 0 }), result(second)]);
    expect(await commandState(depotId, second)).toBe('applied');
    expect((await depotRow(depotId)).last_applied_command_id).toBe(second);
    expect(await violations('last-applied')).toBe(0);
  });

  it('a STATUS with more compartments than provisioned is dropped whole; the provisioned count is stored', async () => {
    const wide = Array.from({ length: 64 }, () => closedLocked);
    const reply = await depot.checkIn(2_000, [statusWith({ compartments: wide })]);
    expect(reply).not.toBeNull();
    const r = relayDb(db);
    const count = async () =>
      (await r.selectFrom('compartments').select('number').where('depot_id', '=', depotId).execute()).length;
    expect(await count()).toBe(0);
    expect(await r.selectFrom('depot_status').selectAll().where('depot_id', '=', depotId).execute()).toHaveLength(0);
    expect(await violations('compartment-count')).toBe(1);
    // Fewer than provisioned is the same violation; the provisioned four are stored.
    await depot.checkIn(2_000, [statusWith({ compartments: wide.slice(0, 3) })]);
    expect(await violations('compartment-count')).toBe(2);
    await depot.checkIn();
    expect(await count()).toBe(4);
  });

  it('frames only the relay sends are counted and ignored; the rest of the telegram is stored', async () => {
    depot.journal(EventKind.DoorOpened, 2);
    const lying: Frame[] = [
      { kind: FrameKind.Time, nowMs: 1 },
      { kind: FrameKind.EventAck, epoch: depot.epoch, sequence: 1_000 },
      { kind: FrameKind.Command, id: 7, previousId: 0, notAfterMs: 0, body: { command: CommandKind.LockoutReset } },
    ];
    const reply = await depot.checkIn(2_000, [depot.status(), ...lying, ...depot.outbox]);
    expect(reply?.flat().map((f) => f.kind)).toEqual([FrameKind.Time, FrameKind.EventAck]);
    expect(await violations('wrong-direction')).toBe(3);
    // One alert row per depot and reason (rate-limited): the first frame's kind.
    expect((await alertRows(depotId)).map((r) => JSON.parse(r.detail))).toEqual([
      { reason: 'wrong-direction', value: FrameKind.Time, limit: 0 },
    ]);
    const r = relayDb(db);
    expect(await r.selectFrom('commands').selectAll().execute()).toHaveLength(0);
    expect(await r.selectFrom('events').select('sequence').where('depot_id', '=', depotId).execute()).toHaveLength(1);
    expect(await r.selectFrom('compartments').selectAll().where('depot_id', '=', depotId).execute()).toHaveLength(4);
  });

  it('events with another depot’s epoch and sequences, or an unprovisioned compartment, touch only this depot', async () => {
    other.journal(EventKind.DoorOpened, 1);
    other.journal(EventKind.DoorClosed, 1);
    await other.checkIn();
    expect(other.acks.get(other.epoch)).toBe(2);
    // This depot sends the other's epoch with sequences 1-3 and a tamper in compartment 9 of 4.
    const forged: Frame[] = [1, 2, 3].map((sequence) => ({
      kind: FrameKind.Event,
      epoch: other.epoch,
      sequence,
      timeMs: 0,
      event: sequence === 3 ? EventKind.Tamper : EventKind.KeyRemoved,
      compartment: sequence === 3 ? 9 : 2,
      subject: 'forged',
    }));
    const reply = await depot.checkIn(2_000, [depot.status(), ...forged]);
    // Stored under this depot and acknowledged to it: its journal drains, nothing of it blocks.
    expect(reply?.flat()).toContainEqual({ kind: FrameKind.EventAck, epoch: other.epoch, sequence: 3 });
    expect(await violations('event-compartment')).toBe(1);
    const r = relayDb(db);
    const eventsOf = (id: number) =>
      r.selectFrom('events').select(['sequence', 'subject']).where('depot_id', '=', id).orderBy('sequence').execute();
    expect((await eventsOf(otherId)).map((e) => e.subject)).toEqual(['', '']);
    expect((await eventsOf(depotId)).map((e) => e.subject)).toEqual(['forged', 'forged', 'forged']);
    const numbers = await r.selectFrom('compartments').select('number').where('depot_id', '=', depotId).execute();
    expect(numbers.map((c) => c.number).sort()).toEqual([1, 2, 3, 4]);
    // The other depot's next event is acked on its own chain.
    other.journal(EventKind.DoorOpened, 1);
    await other.checkIn();
    expect(other.acks.get(other.epoch)).toBe(3);
    expect(await eventsOf(otherId)).toHaveLength(3);
  });

  it('a flood of violations counts every frame but records one alert per depot and reason', async () => {
    for (let i = 0; i < 30; i++) {
      expect(await depot.checkIn(2_000, [statusWith({ lastCommandId: 50 + i })])).not.toBeNull();
    }
    expect(await violations('last-applied')).toBe(30);
    expect(await alertRows(depotId)).toHaveLength(1);
    expect(await alertRows(otherId)).toHaveLength(0);
  });
});
