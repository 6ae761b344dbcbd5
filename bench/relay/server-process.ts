/**
 * The benchmark's server in its own process (so that it does not share an
 * event loop with the simulated depots): either the real relay over a store,
 * or the ceiling, a bare UDP echo that does the same handshake, open and seal
 * work with no store at all. Prints {"port": n} once listening.
 *
 *   BENCH_MODE=relay|echo  BENCH_DB_URL=…  BENCH_RELAY_SECRET_KEY=hex  [BENCH_LANES=n BENCH_MAX_BATCH=n]
 */
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataSealer } from '../../cloud/src/keys/data-key.js';
import { silentLogger } from '../../cloud/src/log.js';
import { startRelay } from '../../cloud/src/relay/relay.js';
import { openDatabase } from '../../cloud/src/store/database.js';
import {
  classifyDatagram,
  encodeFrames,
  FrameKind,
  fromHex,
  HandshakeResponder,
  keyPairFromSecret,
  loadCryptoBackend,
  receiveTransport,
  TelegramType,
  type TransportSession,
} from '../../shared/src/index.js';

const backend = await loadCryptoBackend('sodium-native');
const keys = keyPairFromSecret(backend, fromHex(process.env.BENCH_RELAY_SECRET_KEY ?? ''));

if (process.env.BENCH_MODE === 'echo') {
  const responder = new HandshakeResponder(backend, keys);
  const sessions = new Map<number, TransportSession>();
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  socket.on('message', (buffer, rinfo) => {
    const datagram = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return;
    if (shape.type === TelegramType.HandshakeInitiation) {
      const opened = responder.openInitiation(datagram);
      if (!opened.ok) return;
      const answered = opened.respond(sessions.size + 1, Date.now());
      if (!answered.ok) return;
      sessions.set(answered.session.localId, answered.session);
      socket.send(answered.datagram, rinfo.port, rinfo.address);
      return;
    }
    const received = receiveTransport(datagram, (id) => sessions.get(id), Date.now());
    if (!received.ok) return;
    const reply = received.session.seal(encodeFrames([{ kind: FrameKind.Time, nowMs: Date.now() }]));
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ port: socket.address().port })}\n`);
} else {
  // The relay seals each session's keys at its handshake (one relay process here: a key of its own will do).
  const sealer = await loadDataSealer(join(mkdtempSync(join(tmpdir(), 'keydepot-bench-key-')), 'data.key'));
  const store = openDatabase(process.env.BENCH_DB_URL ?? '', { mysqlPoolSize: 4, sealer });
  const relay = await startRelay({
    store,
    relayKeys: keys,
    backend,
    logger: silentLogger(),
    rateLimitBy: 'ip-port',
    storeLanes: process.env.BENCH_LANES ? Number(process.env.BENCH_LANES) : undefined,
    maxBatch: process.env.BENCH_MAX_BATCH ? Number(process.env.BENCH_MAX_BATCH) : undefined,
    // 1000 depots share 16 client sockets here; real depots each have their own address.
    handshakeLimits: { globalPerSecond: 100_000, perSecond: 100_000, burst: 100_000 },
  });
  process.stdout.write(`${JSON.stringify({ port: relay.port })}\n`);
  // The driver asks for the relay's own figures (errors, batch sizes) before it stops it.
  process.on('message', async (message) => {
    if (message !== 'metrics') return;
    const text = await relay.metrics.text();
    process.send?.(text);
  });
}
// CPU time used by this process (µs), asked at the start and end of the measured span: CPU per
// check-in is steadier than check-ins per second when neighbours share the cores.
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.send?.(String(user + system));
});
process.on('SIGTERM', () => process.exit(0));
