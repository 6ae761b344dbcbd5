import { CommandKind, CommandStatus, FrameKind, generateKeyPair } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/store/audit.js';
import { createDepot, revokeDepot } from '../../src/store/depots.js';
import { expireQueuedCommands, markCommandsSent, queueCommand } from '../../src/store/relay/commands.js';
import { sweepOffline } from '../../src/store/relay/presence.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { storeUplinks, type Uplink } from '../../src/store/relay/uplinks.js';
import { testDialects } from '../databases.js';
import { TestDepot } from '../relay/depot-client.js';
import { backend, startTestRelay } from '../relay/fixtures.js';
import { createPortalHarness, type PortalHarness } from './portal-harness.js';

/** A telegram of the depot carrying command results (no session row: only the results matter here). */
function uplink(depotId: number, results: Array<{ id: number; status: CommandStatus; detail: string }>): Uplink {
  return {
    depotId,
    sessionId: 1,
    sessionStamp: 1,
    counter: 1,
    endpoint: '192.0.2.1:4000',
    confirms: false,
    events: [],
    status: undefined,
    results: results.map((r) => ({ kind: FrameKind.CommandResult, ...r })),
  };
}

describe.each(testDialects())('relay-side audit entries on %s', (dialect) => {
  let h: PortalHarness;
  let depotId: number;
  let organisationId: number;
  beforeEach(async () => {
    h = await createPortalHarness(dialect);
    organisationId = await h.organisation('Autohaus Kern');
    depotId = await h.depot(organisationId, 'Hof');
  });
  afterEach(() => h.dispose());

  const relayEntries = async () =>
    (await listAudit(h.db.db, { actor: 'relay' }))
      .reverse()
      .map((e) => ({ action: e.action, subject: e.subject, before: e.before, after: e.after, depot: e.depotId }));

  it('records a command sent and its result once each, with the state before and after and the kind', async () => {
    const t0 = Date.now();
    const lockout = await queueCommand(h.db, depotId, { command: CommandKind.LockoutReset }, { nowMs: t0 });
    const config = await queueCommand(h.db, depotId, { command: CommandKind.Config, settings: { language: 'en' } });
    await markCommandsSent(relayDb(h.db), depotId, [lockout], t0 + 1);
    // The other carried by an uplink's reply: marked in the batch's transaction (SQLite: its cached statements).
    const markSent = new Map([[depotId, [config]]]);
    await storeUplinks(h.db, [uplink(depotId, [])], t0 + 1, { inTransaction: () => ({ markSent, reserve: [] }) });
    // Sent again (a retransmission): no second entry.
    await markCommandsSent(relayDb(h.db), depotId, [lockout, config], t0 + 2);
    const results = [
      { id: lockout, status: CommandStatus.Applied, detail: '' },
      { id: config, status: CommandStatus.Failed, detail: 'bad setting' },
    ];
    const stored = await storeUplinks(h.db, [uplink(depotId, results)], t0 + 3);
    expect(stored.commandStates).toEqual(['applied', 'failed']);
    // The same results again change nothing and are not audited again.
    await storeUplinks(h.db, [uplink(depotId, results)], t0 + 4);

    const entries = await relayEntries();
    const commandEntries = entries.filter((e) => e.action.startsWith('command.'));
    expect(commandEntries).toEqual([
      {
        action: 'command.sent',
        subject: `command ${lockout}`,
        before: { state: 'queued' },
        after: { state: 'sent', kind: CommandKind.LockoutReset, detail: null },
        depot: depotId,
      },
      {
        action: 'command.sent',
        subject: `command ${config}`,
        before: { state: 'queued' },
        after: { state: 'sent', kind: CommandKind.Config, detail: null },
        depot: depotId,
      },
      {
        action: 'command.applied',
        subject: `command ${lockout}`,
        before: { state: 'sent' },
        after: { state: 'applied', kind: CommandKind.LockoutReset, detail: '' },
        depot: depotId,
      },
      {
        action: 'command.failed',
        subject: `command ${config}`,
        before: { state: 'sent' },
        after: { state: 'failed', kind: CommandKind.Config, detail: 'bad setting' },
        depot: depotId,
      },
    ]);
    const [applied] = await listAudit(h.db.db, { action: 'command.applied' });
    expect(applied).toMatchObject({ organisationId, atMs: t0 + 3, actorUserId: null });
  });

  it('records a command that expired in the queue, once, even when two relays expire at the same time', async () => {
    const t0 = Date.now();
    const open = await queueCommand(
      h.db,
      depotId,
      { command: CommandKind.Open, compartment: 2 },
      { notAfterMs: t0 + 10_000, nowMs: t0 },
    );
    expect(await expireQueuedCommands(h.db, t0 + 5_000)).toBe(0);
    const counts = await Promise.all([
      expireQueuedCommands(h.db, t0 + 20_000),
      expireQueuedCommands(h.db, t0 + 20_000),
    ]);
    expect(counts[0] + counts[1]).toBe(1);
    const entries = (await relayEntries()).filter((e) => e.action === 'command.expired');
    expect(entries).toEqual([
      {
        action: 'command.expired',
        subject: `command ${open}`,
        before: { state: 'queued' },
        after: { state: 'expired', kind: CommandKind.Open, detail: 'expired in the queue' },
        depot: depotId,
      },
    ]);
  });

  it('records online and offline transitions, not every telegram', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await storeUplinks(h.db, [uplink(depotId, [])], t0 + i * 1_000);
    expect(await sweepOffline(h.db, t0 + 200_000, t0 + 200_000)).toHaveLength(1);
    const entries = await relayEntries();
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      ['depot.online', { online: 0 }, { online: 1 }],
      ['depot.offline', { online: 1 }, { online: 0 }],
    ]);
  });

  it('records that a relay ended the live sessions of a depot revoked meanwhile, once', async () => {
    const relayKeys = generateKeyPair(await backend());
    const depotKeys = generateKeyPair(await backend());
    const depot = await createDepot(h.db.db, {
      organisationId,
      name: 'Lager',
      publicKey: depotKeys.publicKey,
      compartmentCount: 2,
      nowMs: Date.now(),
    });
    const relay = await startTestRelay(h.db, relayKeys);
    const client = await TestDepot.open({
      backend: await backend(),
      keys: depotKeys,
      relayPublicKey: relayKeys.publicKey,
      relayPort: relay.port,
    });
    try {
      expect(await client.handshake()).toBe(true);
      expect(await client.checkIn()).not.toBeNull();
      await revokeDepot(h.db.db, { depotId: depot.id, nowMs: Date.now() });
      await new Promise((r) => setTimeout(r, 1_000)); // revocation passes of the relay's poll
      expect(await client.checkIn(300)).toBeNull();
    } finally {
      client.close();
      await relay.close();
    }
    const ended = (await relayEntries()).filter((e) => e.action === 'depot.sessions-ended');
    expect(ended).toEqual([
      {
        action: 'depot.sessions-ended',
        subject: `depot ${depot.id}`,
        before: { openSessions: 1 },
        after: { openSessions: 0, reason: 'revoked' },
        depot: depot.id,
      },
    ]);
  });
});
