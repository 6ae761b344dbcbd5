/**
 * A link and a relay in one process on a SimulatedClock: datagrams travel
 * through clock timers (a few ms of latency), so a test can step through hours
 * of rhythm with advance() and look at every telegram.
 */
import { type CryptoBackend, generateKeyPair, loadCryptoBackend } from '@keydepot/shared';
import { SimulatedClock } from '../../src/hardware/simulated/clock.js';
import { Link } from '../../src/link/link.js';
import type { LinkSocket } from '../../src/link/link-socket.js';
import type { RhythmSettings } from '../../src/link/rhythm.js';
import { seededRandom } from '../../src/link/seeded-random.js';
import { memoryStampStore, type StampStore } from '../../src/link/stamp-store.js';
import { FakeDepotPort } from './fake-depot-port.js';
import { RelayCore } from './relay-core.js';

const LATENCY_MS = 5;

export interface SentDatagram {
  readonly atMs: number;
  readonly bytes: Uint8Array;
}

export interface MemoryLinkHarness {
  readonly clock: SimulatedClock;
  readonly relay: RelayCore;
  readonly depot: FakeDepotPort;
  readonly link: Link;
  readonly stamps: StampStore;
  /** Every datagram the depot sent, with the monotonic time it left. */
  readonly sent: SentDatagram[];
  /** Transport telegrams only (type 3). */
  transports(): SentDatagram[];
  /** Sends the relay's pending commands to the depot now, as a relay push would. */
  push(): void;
}

let cachedBackend: CryptoBackend | undefined;

export async function memoryLinkHarness(
  options: { rhythm?: Partial<RhythmSettings>; seed?: number; depot?: FakeDepotPort; stamps?: StampStore } = {},
): Promise<MemoryLinkHarness> {
  cachedBackend ??= await loadCryptoBackend('libsodium-wrappers');
  const backend = cachedBackend;
  const clock = new SimulatedClock();
  const relayKeys = generateKeyPair(backend);
  const relay = new RelayCore({
    backend,
    keys: relayKeys,
    wallMs: () => clock.wallMs(),
    monotonicMs: () => clock.monotonicMs(),
  });
  const depot = options.depot ?? new FakeDepotPort();
  const stamps = options.stamps ?? memoryStampStore();
  const sent: SentDatagram[] = [];
  let deliver: (datagram: Uint8Array) => void = () => {};
  const toDepot = (datagrams: Uint8Array[]) => {
    for (const datagram of datagrams) clock.after(LATENCY_MS, () => deliver(datagram));
  };
  const socket: LinkSocket = {
    send(datagram) {
      const copy = datagram.slice();
      sent.push({ atMs: clock.monotonicMs(), bytes: copy });
      clock.after(LATENCY_MS, () => toDepot(relay.handle(copy)));
    },
    onMessage(handler) {
      deliver = handler;
    },
    close() {},
  };
  const link = new Link({
    backend,
    staticKeys: generateKeyPair(backend),
    relayPublicKey: relayKeys.publicKey,
    socket,
    clock,
    depot,
    stamps,
    rhythm: options.rhythm,
    random: seededRandom(options.seed ?? 1),
  });
  return {
    clock,
    relay,
    depot,
    link,
    stamps,
    sent,
    transports: () => sent.filter((d) => d.bytes[0] === 3),
    push: () => toDepot(relay.pushDatagrams()),
  };
}
