/** Steps 2 to 6 of the demo: the handshake, three exchanges, and replay and tamper protection. */
import {
  CommandStatus,
  commandOrder,
  createInitiation,
  EventKind,
  FrameKind,
  packFrames,
  randomBytes,
  TRANSPORT_HEADER_BYTES,
  type TransportSession,
  toHex,
} from '../../shared/src/index.js';
import { depotSends, journalEvent } from './depot.js';
import { expect } from './expect.js';
import { COMMAND_NAMES } from './frame-lines.js';
import type { DemoLink } from './link.js';
import { dim, green, idHex, note, shortKey, step, time } from './presentation.js';
import { randomId } from './relay.js';
import type { DemoSetup } from './setup.js';

export async function handshakeStep({ link, depotBackend, depotKeys, relayKeys }: DemoSetup) {
  step('Handshake (Noise IK)');
  const stamp = Date.now();
  const pending = createInitiation({
    backend: depotBackend,
    staticKeys: depotKeys,
    relayPublicKey: relayKeys.publicKey,
    localId: randomId(),
    stamp,
  });
  const initiation = pending.datagram;
  const opened = await link.toRelay(
    initiation,
    'depot',
    `handshake initiation ${dim(`(sender id ${idHex(pending.localId)}, stamp ${stamp})`)}`,
  );
  if (opened.kind !== 'handshake')
    throw new Error(`unexpected: relay did not accept the initiation: ${JSON.stringify(opened)}`);
  expect(toHex(opened.depotPublicKey) === toHex(depotKeys.publicKey), 'relay saw a different depot key');
  expect(opened.stamp === stamp, 'relay saw a different stamp');
  note(
    'relay',
    `opened it: depot key ${shortKey(opened.depotPublicKey)}, stamp ${opened.stamp} ${dim(`(${time(stamp)})`)}`,
  );

  const response = await link.responseToDepot(opened.response);
  const completed = pending.consumeResponse(response, Date.now());
  if (!completed.ok) throw new Error(`unexpected: depot dropped the handshake response: ${completed.reason}`);
  const depotSession = completed.session;
  const relaySession = opened.session;
  expect(depotSession.remoteId === relaySession.localId, 'session ids do not match');
  note(
    'depot',
    `${green('session established')}: local id ${idHex(depotSession.localId)}, relay's id ${idHex(depotSession.remoteId)}`,
  );
  note(
    'relay',
    `${green('session established')}: local id ${idHex(relaySession.localId)}, depot's id ${idHex(relaySession.remoteId)}`,
  );
  return { depotSession, initiation };
}

/** Returns the check-in datagram (for the replay step) and the id of the command the relay sent. */
export async function checkInStep(link: DemoLink, depotSession: TransportSession) {
  step('Check-in: status and three events');
  const epoch = toHex(randomBytes(8));
  const compartments = [1, 2, 3, 4].map((n) => ({
    doorOpen: n === 2,
    keyPresent: n !== 2,
    keySensor: true,
    locked: n !== 2,
  }));
  const checkIn = await depotSends(link, depotSession, [
    {
      kind: FrameKind.Status,
      uptimeSeconds: 3_600,
      lastCommandId: 0,
      outboxSize: 3,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: true,
      firmwareVersion: '0.1.0-demo',
      compartments,
    },
    journalEvent(epoch, 1, EventKind.PinAccepted, 'pin:1007'),
    journalEvent(epoch, 2, EventKind.DoorOpened),
    journalEvent(epoch, 3, EventKind.KeyRemoved),
  ]);
  const reply = checkIn.replies.flat();
  const ack = reply.find((f) => f.kind === FrameKind.EventAck);
  expect(ack !== undefined && ack.sequence === 3 && ack.epoch === epoch, 'no EVENT_ACK up to #3 in the reply');
  expect(
    reply.some((f) => f.kind === FrameKind.Time),
    'no TIME in the reply',
  );
  const command = reply.find((f) => f.kind === FrameKind.Command);
  expect(command !== undefined, 'no COMMAND in the reply');
  expect(commandOrder(command, 0) === 'next', 'the first command does not follow "none"');
  note('depot', `events #1…#${ack.sequence} acknowledged: the journal may forget them`);
  note(
    'depot',
    `applies command #${command.id} (${COMMAND_NAMES.get(command.body.command)}): ` +
      (command.previousId
        ? `it follows #${command.previousId}, the last applied`
        : 'the first command, it follows none'),
  );
  return { datagram: checkIn.datagram, commandId: command.id };
}

export async function commandResultStep(link: DemoLink, depotSession: TransportSession, commandId: number) {
  step('Command result');
  await depotSends(link, depotSession, [
    { kind: FrameKind.CommandResult, id: commandId, status: CommandStatus.Applied, detail: 'PIN 2001 stored' },
  ]);
  expect(link.relay.results.length === 1 && link.relay.outbox.length === 0, 'relay did not record the command result');
  note('relay', `command #${commandId} is done`);
}

export async function keepaliveStep(link: DemoLink, depotSession: TransportSession) {
  step('Keepalive');
  await depotSends(link, depotSession, [{ kind: FrameKind.Keepalive }]);
}

/** An attacker replays the check-in and the initiation, and forges a telegram; the relay drops all three. */
export async function replayAndTamperStep(
  link: DemoLink,
  depotSession: TransportSession,
  captured: { checkIn: Uint8Array; initiation: Uint8Array },
) {
  step('Replay and tamper protection');
  note('attacker', `resends the check-in captured in step 3 ${dim(`(counter 0)`)}`);
  await link.expectDrop(await link.toRelay(captured.checkIn, 'attacker', 'old transport telegram'), 'replay');

  const genuine = depotSession.seal(packFrames([{ kind: FrameKind.Keepalive }])[0]);
  const tampered = genuine.slice();
  const flipAt = TRANSPORT_HEADER_BYTES + 1;
  tampered[flipAt] ^= 0x04;
  note('attacker', `intercepts a fresh keepalive and flips bit 2 of byte ${flipAt}`);
  await link.expectDrop(await link.toRelay(tampered, 'attacker', 'tampered transport telegram'), 'tag');

  note('depot', 'the genuine keepalive arrives after the forgery');
  const late = await link.toRelay(genuine, 'depot', `transport ${dim(`(counter ${depotSession.sendCounter - 1})`)}`);
  expect(late.kind === 'transport', `the genuine telegram was dropped after the forgery (${JSON.stringify(late)})`);
  note('relay', `${green('accepted')} counter ${late.counter}: the forgery moved nothing`);
  for (const received of await link.toDepot(late.replies)) {
    expect(depotSession.open(received).ok, 'depot dropped a reply');
  }

  note('attacker', 'replays the handshake initiation from step 2');
  await link.expectDrop(await link.toRelay(captured.initiation, 'attacker', 'old handshake initiation'), 'stale-stamp');
}
