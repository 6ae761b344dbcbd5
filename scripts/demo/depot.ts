/** The depot's side of the demo: its journal events and how it sends a batch of frames. */
import {
  type EventKind,
  type Frame,
  FrameKind,
  packFrames,
  receiveTransport,
  type TransportSession,
} from '../../shared/src/index.js';
import { expect } from './expect.js';
import { frameLines } from './frame-lines.js';
import type { DemoLink } from './link.js';
import { dim, green, note } from './presentation.js';

export function journalEvent(epoch: string, sequence: number, event: EventKind, subject = ''): Frame {
  return { kind: FrameKind.Event, epoch, sequence, timeMs: Date.now(), event, compartment: 2, subject };
}

/** Seals depot frames, sends them, and checks the relay accepted them; returns the datagram and the replies. */
export async function depotSends(
  link: DemoLink,
  depotSession: TransportSession,
  frames: Frame[],
): Promise<{ datagram: Uint8Array; replies: Frame[][] }> {
  const [plaintext, ...rest] = packFrames(frames);
  expect(rest.length === 0, 'demo batch does not fit one telegram');
  const datagram = depotSession.seal(plaintext);
  const outcome = await link.toRelay(
    datagram,
    'depot',
    `transport ${dim(`(counter ${depotSession.sendCounter - 1})`)}`,
  );
  frameLines(frames);
  if (outcome.kind !== 'transport')
    throw new Error(`unexpected: relay dropped a genuine telegram: ${JSON.stringify(outcome)}`);
  note('relay', `${green('accepted')} counter ${outcome.counter}, ${outcome.frames.length} frame(s)`);
  const replies: Frame[][] = [];
  for (const received of await link.toDepot(outcome.replies)) {
    const result = receiveTransport(
      received,
      (id) => (id === depotSession.localId ? depotSession : undefined),
      Date.now(),
    );
    if (!result.ok) throw new Error(`unexpected: depot dropped the relay's reply: ${result.reason}`);
    replies.push(result.frames);
  }
  return { datagram, replies };
}
