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
import dgram from 'node:dgram';
import {
  type BackendName,
  type CommandBody,
  CommandKind,
  CommandStatus,
  type CryptoBackend,
  classifyDatagram,
  createInitiation,
  type DropReason,
  decodeFrames,
  EventKind,
  type Frame,
  FrameKind,
  generateKeyPair,
  HandshakeResponder,
  isProtocolError,
  type KeyPair,
  loadCryptoBackend,
  PinKind,
  packFrames,
  randomBytes,
  readU32,
  TelegramType,
  TRANSPORT_HEADER_BYTES,
  type TransportSession,
  toHex,
} from '../shared/src/index.js';

const HOST = '127.0.0.1';
const REPLY_TIMEOUT_MS = 1_000;
/** How long we listen to be sure a dropped datagram got no answer. */
const SILENCE_MS = 120;
const DEADLINE_MS = 4_500;

// ---------------------------------------------------------------- presentation

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');
const magenta = paint('35');
const cyan = paint('36');

const ROLE_COLOR = { relay: magenta, depot: cyan, attacker: red } as const;
type Role = keyof typeof ROLE_COLOR;
const role = (name: Role, width = 0) => ROLE_COLOR[name](name.padEnd(width));

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

let stepNumber = 0;
function step(title: string): void {
  stepNumber++;
  say();
  say(bold(`${stepNumber}. ${title}`));
}

function note(who: Role, text: string): void {
  say(`   ${role(who, 8)}  ${text}`);
}

function hexPrefix(bytes: Uint8Array, count = 12): string {
  const shown = Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > count ? `${shown} …` : shown;
}

function shortKey(key: Uint8Array): string {
  const hex = toHex(key);
  return `${hex.slice(0, 16)}…${hex.slice(-8)}`;
}

function idHex(id: number): string {
  return `0x${id.toString(16).padStart(8, '0')}`;
}

function datagramLine(from: Role, to: Role, datagram: Uint8Array, label: string): void {
  const size = `${datagram.length} B`.padStart(6);
  say(`   ${role(from, 8)} → ${role(to, 5)}  ${bold(size)}  ${dim(hexPrefix(datagram))}  ${label}`);
}

function screaming(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}
function namesOf(table: Readonly<Record<string, number>>): Map<number, string> {
  return new Map(Object.entries(table).map(([name, value]) => [value, screaming(name)]));
}
const FRAME_NAMES = namesOf(FrameKind);
const EVENT_NAMES = namesOf(EventKind);
const COMMAND_NAMES = namesOf(CommandKind);
const PIN_KIND_NAMES = namesOf(PinKind);
const STATUS_NAMES = namesOf(CommandStatus);

function time(ms: number): string {
  return ms === 0 ? 'unbounded' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

function describeCommand(body: CommandBody): string {
  switch (body.command) {
    case CommandKind.PinAdd:
      return (
        `PIN_ADD pin ${body.pinId} (${PIN_KIND_NAMES.get(body.pinKind)}) compartment ${body.compartment} ` +
        `digits ${'•'.repeat(body.digits.length)} valid ${time(body.validFromMs)} … ${time(body.validUntilMs)}`
      );
    case CommandKind.PinRevoke:
      return `PIN_REVOKE pin ${body.pinId}`;
    case CommandKind.Open:
      return `OPEN compartment ${body.compartment}`;
    case CommandKind.LockoutReset:
      return 'LOCKOUT_RESET';
    case CommandKind.Config:
      return `CONFIG ${JSON.stringify(body.settings)}`;
  }
}

function describeFrame(frame: Frame): string {
  const name = yellow((FRAME_NAMES.get(frame.kind) ?? `kind ${frame.kind}`).padEnd(14));
  switch (frame.kind) {
    case FrameKind.Status: {
      const compartments = frame.compartments
        .map(
          (c, i) =>
            `${i + 1}:${c.locked ? 'locked' : 'unlocked'}${c.doorOpen ? '/open' : ''}` +
            `${c.keySensor ? (c.keyPresent ? '/key' : '/empty') : ''}`,
        )
        .join(' ');
      return (
        `${name} uptime ${frame.uptimeSeconds} s · last command ${frame.lastCommandId} · outbox ${frame.outboxSize} · ` +
        `firmware ${frame.firmwareVersion} · clock ${frame.clockKnown ? 'known' : 'unknown'} · ${compartments}`
      );
    }
    case FrameKind.Event:
      return (
        `${name} #${frame.sequence} ${EVENT_NAMES.get(frame.event)} compartment ${frame.compartment}` +
        `${frame.subject ? ` subject '${frame.subject}'` : ''} at ${time(frame.timeMs)}`
      );
    case FrameKind.EventAck:
      return `${name} everything up to #${frame.sequence} of journal ${frame.epoch}`;
    case FrameKind.Time:
      return `${name} ${time(frame.nowMs)}`;
    case FrameKind.Command:
      return `${name} #${frame.id} ${describeCommand(frame.body)}`;
    case FrameKind.CommandResult:
      return `${name} #${frame.id} ${STATUS_NAMES.get(frame.status)} '${frame.detail}'`;
    case FrameKind.Keepalive:
      return `${name} (NAT stays open; the relay may push now)`;
  }
}

function frameLines(frames: readonly Frame[]): void {
  for (const frame of frames) say(`        ${describeFrame(frame)}`);
}

// ---------------------------------------------------------------- UDP

interface Received {
  readonly data: Uint8Array;
  readonly port: number;
}

/** A UDP socket with a queue, so that the demo can await datagrams step by step. */
class Endpoint {
  private readonly queue: Received[] = [];
  private waiter: ((packet: Received) => void) | null = null;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (data, rinfo) => {
      const packet = { data: new Uint8Array(data), port: rinfo.port };
      const waiter = this.waiter;
      this.waiter = null;
      if (waiter) waiter(packet);
      else this.queue.push(packet);
    });
  }

  static bind(port: number): Promise<Endpoint> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.bind(port, HOST, () => {
        socket.off('error', reject);
        resolve(new Endpoint(socket));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(datagram: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(datagram, port, HOST, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** The next datagram, or null if none arrives within timeoutMs. */
  receive(timeoutMs: number): Promise<Received | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (packet) => {
        clearTimeout(timer);
        resolve(packet);
      };
    });
  }

  async next(what: string): Promise<Received> {
    const packet = await this.receive(REPLY_TIMEOUT_MS);
    if (packet === null) throw new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms`);
    return packet;
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------- relay

function randomId(): number {
  const b = randomBytes(4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

type RelayOutcome =
  | {
      readonly kind: 'handshake';
      readonly depotPublicKey: Uint8Array;
      readonly stamp: number;
      readonly session: TransportSession;
      readonly response: Uint8Array;
    }
  | {
      readonly kind: 'transport';
      readonly counter: number;
      readonly frames: Frame[];
      readonly replies: { datagram: Uint8Array; frames: Frame[] }[];
    }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly detail?: string };

/** Just enough relay to answer one depot: handshakes, acks, time, one queued command. */
class DemoRelay {
  private readonly responder: HandshakeResponder;
  private readonly sessions = new Map<number, TransportSession>();
  private readonly highestStamp = new Map<string, number>();
  /** Commands waiting for the depot, by id. */
  readonly outbox: { id: number; notAfterMs: number; body: CommandBody }[] = [];
  readonly results: Frame[] = [];

  constructor(
    readonly backend: CryptoBackend,
    readonly keys: KeyPair,
  ) {
    this.responder = new HandshakeResponder(backend, keys);
  }

  handle(datagram: Uint8Array): RelayOutcome {
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return { kind: 'drop', reason: shape.reason };
    if (shape.type === TelegramType.HandshakeInitiation) return this.handshake(datagram);
    if (shape.type !== TelegramType.Transport) return { kind: 'drop', reason: 'type' };
    const session = this.sessions.get(shape.sessionId);
    if (session === undefined) return { kind: 'drop', reason: 'unknown-session' };
    if (session.isExpired(Date.now())) return { kind: 'drop', reason: 'expired-session' };
    const opened = session.open(datagram);
    if (!opened.ok) return { kind: 'drop', reason: opened.reason };
    let frames: Frame[];
    try {
      frames = decodeFrames(opened.plaintext);
    } catch (error) {
      if (isProtocolError(error)) return { kind: 'drop', reason: 'frames', detail: error.code };
      throw error;
    }
    const replies = packFrames(this.answer(frames)).map((plaintext) => ({
      datagram: session.seal(plaintext),
      frames: decodeFrames(plaintext),
    }));
    return { kind: 'transport', counter: opened.counter, frames, replies };
  }

  private handshake(datagram: Uint8Array): RelayOutcome {
    const opened = this.responder.openInitiation(datagram);
    if (!opened.ok) return { kind: 'drop', reason: opened.reason };
    const depot = toHex(opened.depotPublicKey);
    const highest = this.highestStamp.get(depot) ?? -1;
    if (opened.stamp <= highest) {
      return { kind: 'drop', reason: 'replay', detail: `stamp ${opened.stamp} is not above ${highest}` };
    }
    const answered = opened.respond(randomId(), Date.now());
    if (!answered.ok) return { kind: 'drop', reason: answered.reason };
    this.highestStamp.set(depot, opened.stamp);
    this.sessions.set(answered.session.localId, answered.session);
    return {
      kind: 'handshake',
      depotPublicKey: opened.depotPublicKey,
      stamp: opened.stamp,
      session: answered.session,
      response: answered.datagram,
    };
  }

  /** Every reply carries TIME; events get an ack; a check-in gets the commands the depot has not applied. */
  private answer(frames: readonly Frame[]): Frame[] {
    const reply: Frame[] = [];
    const events = frames.filter((f) => f.kind === FrameKind.Event);
    const last = events.at(-1);
    if (last) reply.push({ kind: FrameKind.EventAck, epoch: last.epoch, sequence: last.sequence });
    reply.push({ kind: FrameKind.Time, nowMs: Date.now() });
    for (const frame of frames) {
      if (frame.kind === FrameKind.Status) {
        for (const command of this.outbox) {
          if (command.id > frame.lastCommandId) reply.push({ kind: FrameKind.Command, ...command });
        }
      }
      if (frame.kind === FrameKind.CommandResult) {
        this.results.push(frame);
        const index = this.outbox.findIndex((c) => c.id === frame.id);
        if (index >= 0) this.outbox.splice(index, 1);
      }
    }
    return reply;
  }
}

// ---------------------------------------------------------------- the demo

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`unexpected: ${message}`);
}

function journalEvent(epoch: string, sequence: number, event: EventKind, subject = ''): Frame {
  return { kind: FrameKind.Event, epoch, sequence, timeMs: Date.now(), event, compartment: 2, subject };
}

async function loadBackend(name: BackendName): Promise<CryptoBackend> {
  const backend = await loadCryptoBackend(name);
  expect(backend.name === name, `backend ${name} loaded as ${backend.name}`);
  return backend;
}

async function run(endpoints: Endpoint[]): Promise<{ datagrams: number; drops: number }> {
  let datagrams = 0;
  let drops = 0;
  const portSetting = process.env.KEYDEPOT_DEMO_PORT;
  const relayPort = portSetting ? Number(portSetting) : 0;
  if (!Number.isInteger(relayPort) || relayPort < 0 || relayPort > 65535) {
    throw new RangeError(`KEYDEPOT_DEMO_PORT must be a port number, got '${portSetting}'`);
  }

  say(bold('keydepot protocol demo') + dim(' — a relay and a depot on real UDP sockets, both built from shared/'));

  // ------------------------------------------------------------ keys
  step('Keys');
  const relayBackend = await loadBackend('sodium-native');
  const depotBackend = await loadBackend('libsodium-wrappers');
  const relayKeys = generateKeyPair(relayBackend);
  const depotKeys = generateKeyPair(depotBackend);
  note('relay', `static X25519 key ${shortKey(relayKeys.publicKey)}  ${dim(`(backend ${relayBackend.name})`)}`);
  note('depot', `static X25519 key ${shortKey(depotKeys.publicKey)}  ${dim(`(backend ${depotBackend.name})`)}`);
  note('depot', dim("knows the relay's public key in advance (Noise IK); the relay learns the depot's key below"));

  const relaySocket = await Endpoint.bind(relayPort);
  endpoints.push(relaySocket);
  const depotSocket = await Endpoint.bind(0);
  endpoints.push(depotSocket);
  note('relay', `listening on udp://${HOST}:${relaySocket.port}`);
  note('depot', `dials out from udp://${HOST}:${depotSocket.port}`);

  const relay = new DemoRelay(relayBackend, relayKeys);
  relay.outbox.push({
    id: 1,
    notAfterMs: Date.now() + 60 * 60_000,
    body: {
      command: CommandKind.PinAdd,
      pinId: 2001,
      pinKind: PinKind.TimeWindow,
      compartment: 2,
      digits: '482916',
      validFromMs: Date.now(),
      validUntilMs: Date.now() + 24 * 60 * 60_000,
      schedule: [],
    },
  });

  /** Sends depot → relay, lets the relay handle it and returns the relay's verdict. */
  const toRelay = async (datagram: Uint8Array, from: Role, label: string): Promise<RelayOutcome> => {
    datagramLine(from, 'relay', datagram, label);
    await depotSocket.send(datagram, relaySocket.port);
    datagrams++;
    const packet = await relaySocket.next('datagram at the relay');
    expect(packet.port === depotSocket.port, 'datagram from an unexpected port');
    return relay.handle(packet.data);
  };
  /** Sends the relay's replies and returns them as the depot receives them. */
  const toDepot = async (replies: { datagram: Uint8Array; frames: Frame[] }[]): Promise<Uint8Array[]> => {
    const received: Uint8Array[] = [];
    for (const reply of replies) {
      datagramLine('relay', 'depot', reply.datagram, `transport ${dim(`(counter ${readU32(reply.datagram, 8)})`)}`);
      frameLines(reply.frames);
      await relaySocket.send(reply.datagram, depotSocket.port);
      datagrams++;
      received.push((await depotSocket.next('reply at the depot')).data);
    }
    return received;
  };
  const expectDrop = async (outcome: RelayOutcome, reason: DropReason): Promise<void> => {
    expect(outcome.kind === 'drop', `the relay accepted a datagram it should have dropped (${outcome.kind})`);
    expect(outcome.reason === reason, `dropped for '${outcome.reason}', expected '${reason}'`);
    drops++;
    note(
      'relay',
      `${red('dropped')}, reason '${bold(outcome.reason)}'${outcome.detail ? dim(` (${outcome.detail})`) : ''}`,
    );
    const answer = await depotSocket.receive(SILENCE_MS);
    expect(answer === null, 'the relay answered a dropped datagram');
    note('depot', dim(`no answer within ${SILENCE_MS} ms: drops are silent`));
  };

  // ------------------------------------------------------------ handshake
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
  const opened = await toRelay(
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

  datagramLine('relay', 'depot', opened.response, 'handshake response');
  await relaySocket.send(opened.response, depotSocket.port);
  datagrams++;
  const responsePacket = await depotSocket.next('handshake response');
  const completed = pending.consumeResponse(responsePacket.data, Date.now());
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

  /** Seals depot frames, sends them, and checks the relay accepted them. */
  const depotSends = async (frames: Frame[]): Promise<{ datagram: Uint8Array; replies: Frame[][] }> => {
    const [plaintext, ...rest] = packFrames(frames);
    expect(rest.length === 0, 'demo batch does not fit one telegram');
    const datagram = depotSession.seal(plaintext);
    const outcome = await toRelay(datagram, 'depot', `transport ${dim(`(counter ${depotSession.sendCounter - 1})`)}`);
    frameLines(frames);
    if (outcome.kind !== 'transport')
      throw new Error(`unexpected: relay dropped a genuine telegram: ${JSON.stringify(outcome)}`);
    note('relay', `${green('accepted')} counter ${outcome.counter}, ${outcome.frames.length} frame(s)`);
    const replies: Frame[][] = [];
    for (const received of await toDepot(outcome.replies)) {
      const result = depotSession.open(received);
      if (!result.ok) throw new Error(`unexpected: depot dropped the relay's reply: ${result.reason}`);
      replies.push(decodeFrames(result.plaintext));
    }
    return { datagram, replies };
  };

  // ------------------------------------------------------------ check-in
  step('Check-in: status and three events');
  const epoch = toHex(randomBytes(8));
  const compartments = [1, 2, 3, 4].map((n) => ({
    doorOpen: n === 2,
    keyPresent: n !== 2,
    keySensor: true,
    locked: n !== 2,
  }));
  const checkIn = await depotSends([
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
  note('depot', `events #1…#${ack.sequence} acknowledged: the journal may forget them`);
  note('depot', `applies command #${command.id} (${COMMAND_NAMES.get(command.body.command)})`);

  // ------------------------------------------------------------ command result
  step('Command result');
  await depotSends([
    { kind: FrameKind.CommandResult, id: command.id, status: CommandStatus.Applied, detail: 'PIN 2001 stored' },
  ]);
  expect(relay.results.length === 1 && relay.outbox.length === 0, 'relay did not record the command result');
  note('relay', `command #${command.id} is done`);

  // ------------------------------------------------------------ keepalive
  step('Keepalive');
  await depotSends([{ kind: FrameKind.Keepalive }]);

  // ------------------------------------------------------------ replay and tamper protection
  step('Replay and tamper protection');
  note('attacker', `resends the check-in captured in step 3 ${dim(`(counter 0)`)}`);
  await expectDrop(await toRelay(checkIn.datagram, 'attacker', 'old transport telegram'), 'replay');

  const genuine = depotSession.seal(packFrames([{ kind: FrameKind.Keepalive }])[0]);
  const tampered = genuine.slice();
  const flipAt = TRANSPORT_HEADER_BYTES + 1;
  tampered[flipAt] ^= 0x04;
  note('attacker', `intercepts a fresh keepalive and flips bit 2 of byte ${flipAt}`);
  await expectDrop(await toRelay(tampered, 'attacker', 'tampered transport telegram'), 'tag');

  note('depot', 'the genuine keepalive arrives after the forgery');
  const late = await toRelay(genuine, 'depot', `transport ${dim(`(counter ${depotSession.sendCounter - 1})`)}`);
  expect(late.kind === 'transport', `the genuine telegram was dropped after the forgery (${JSON.stringify(late)})`);
  note('relay', `${green('accepted')} counter ${late.counter}: the forgery moved nothing`);
  for (const received of await toDepot(late.replies)) expect(depotSession.open(received).ok, 'depot dropped a reply');

  note('attacker', 'replays the handshake initiation from step 2');
  await expectDrop(await toRelay(initiation, 'attacker', 'old handshake initiation'), 'replay');

  return { datagrams, drops };
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
        `: ${datagrams} datagrams over UDP, ${drops} dropped as expected (replay, tag, replay), ${seconds} s`,
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
