/** The UDP path between the demo's depot and relay: every datagram is printed, sent, received and counted. */
import { type DropReason, type Frame, readU32 } from '../../shared/src/index.js';
import type { Endpoint } from './endpoint.js';
import { expect } from './expect.js';
import { frameLines } from './frame-lines.js';
import { bold, datagramLine, dim, note, type Role, red } from './presentation.js';
import type { DemoRelay, RelayOutcome } from './relay.js';

/** How long we listen to be sure a dropped datagram got no answer. */
const SILENCE_MS = 120;

export class DemoLink {
  datagrams = 0;
  drops = 0;

  constructor(
    readonly relay: DemoRelay,
    private readonly relaySocket: Endpoint,
    private readonly depotSocket: Endpoint,
  ) {}

  /** Sends depot → relay, lets the relay handle it and returns the relay's verdict. */
  async toRelay(datagram: Uint8Array, from: Role, label: string): Promise<RelayOutcome> {
    datagramLine(from, 'relay', datagram, label);
    await this.depotSocket.send(datagram, this.relaySocket.port);
    this.datagrams++;
    const packet = await this.relaySocket.next('datagram at the relay');
    expect(packet.port === this.depotSocket.port, 'datagram from an unexpected port');
    return this.relay.handle(packet.data);
  }

  /** Sends the relay's handshake response and returns it as the depot receives it. */
  async responseToDepot(response: Uint8Array): Promise<Uint8Array> {
    datagramLine('relay', 'depot', response, 'handshake response');
    await this.relaySocket.send(response, this.depotSocket.port);
    this.datagrams++;
    return (await this.depotSocket.next('handshake response')).data;
  }

  /** Sends the relay's replies and returns them as the depot receives them. */
  async toDepot(replies: { datagram: Uint8Array; frames: Frame[] }[]): Promise<Uint8Array[]> {
    const received: Uint8Array[] = [];
    for (const reply of replies) {
      datagramLine('relay', 'depot', reply.datagram, `transport ${dim(`(counter ${readU32(reply.datagram, 8)})`)}`);
      frameLines(reply.frames);
      await this.relaySocket.send(reply.datagram, this.depotSocket.port);
      this.datagrams++;
      received.push((await this.depotSocket.next('reply at the depot')).data);
    }
    return received;
  }

  /** Checks the relay dropped the datagram for `reason` and that the depot hears nothing back. */
  async expectDrop(outcome: RelayOutcome, reason: DropReason): Promise<void> {
    expect(outcome.kind === 'drop', `the relay accepted a datagram it should have dropped (${outcome.kind})`);
    expect(outcome.reason === reason, `dropped for '${outcome.reason}', expected '${reason}'`);
    this.drops++;
    note(
      'relay',
      `${red('dropped')}, reason '${bold(outcome.reason)}'${outcome.detail ? dim(` (${outcome.detail})`) : ''}`,
    );
    const answer = await this.depotSocket.receive(SILENCE_MS);
    expect(answer === null, 'the relay answered a dropped datagram');
    note('depot', dim(`no answer within ${SILENCE_MS} ms: drops are silent`));
  }
}
