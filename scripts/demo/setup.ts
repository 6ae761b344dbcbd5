/** Step 1 of the demo: keys on both backends, the two sockets, and a relay with one command queued. */
import {
  type BackendName,
  CommandKind,
  type CryptoBackend,
  generateKeyPair,
  type KeyPair,
  loadCryptoBackend,
  PinKind,
} from '../../shared/src/index.js';
import { Endpoint, HOST } from './endpoint.js';
import { expect } from './expect.js';
import { DemoLink } from './link.js';
import { dim, note, shortKey, step } from './presentation.js';
import { DemoRelay } from './relay.js';

/** KEYDEPOT_DEMO_PORT=N makes the relay listen on port N; 0 (the default) picks a free one. */
export function relayPortFromEnv(): number {
  const portSetting = process.env.KEYDEPOT_DEMO_PORT;
  const relayPort = portSetting ? Number(portSetting) : 0;
  if (!Number.isInteger(relayPort) || relayPort < 0 || relayPort > 65535) {
    throw new RangeError(`KEYDEPOT_DEMO_PORT must be a port number, got '${portSetting}'`);
  }
  return relayPort;
}

async function loadBackend(name: BackendName): Promise<CryptoBackend> {
  const backend = await loadCryptoBackend(name);
  expect(backend.name === name, `backend ${name} loaded as ${backend.name}`);
  return backend;
}

export interface DemoSetup {
  readonly link: DemoLink;
  readonly depotBackend: CryptoBackend;
  readonly depotKeys: KeyPair;
  readonly relayKeys: KeyPair;
}

/** Binds the sockets and adds them to `endpoints`, which the caller closes. */
export async function keysStep(relayPort: number, endpoints: Endpoint[]): Promise<DemoSetup> {
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
    previousId: 0,
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
  return { link: new DemoLink(relay, relaySocket, depotSocket), depotBackend, depotKeys, relayKeys };
}
