import {
  type Address,
  CookieChecker,
  type CryptoBackend,
  classifyDatagram,
  type DatagramEndpoint,
  decodeFrames,
  HandshakeResponder,
  isProtocolError,
  type KeyPair,
  TelegramType,
} from '@keydepot/shared';
import type { Logger } from 'pino';
import { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { scrubbingSqlite } from '../store/migrate.js';
import { sealClearCommandSecrets } from '../store/relay/commands.js';
import { LastSeenWrites } from '../store/relay/presence.js';
import { LastAppliedWrites } from '../store/relay/uplinks.js';
import { CommandCache } from './command-cache.js';
import { CookieReplyBudget } from './cookie-reply-budget.js';
import { HandshakeRateLimiter, type HandshakeRateLimiterOptions } from './handshake-rate-limiter.js';
import { handleInitiation } from './handshakes.js';
import type { RelaySession } from './relay-session.js';
import { DEFAULT_OFFLINE_AFTER_MS, RelayTimers } from './relay-timers.js';
import { Replies } from './replies.js';
import { SessionIds } from './session-ids.js';
import { SessionTable } from './session-table.js';
import { bindUdpEndpoint } from './udp-endpoint.js';
import { UplinkBatcher } from './uplink-batcher.js';
import { type AcceptedUplink, UplinkCommitter } from './uplink-committer.js';
import { UplinkScreen } from './uplink-screen.js';

export interface RelayOptions {
  /** Opened with the data key (`openDatabase(url, { sealer })`): session keys and PIN digits are stored sealed. */
  readonly store: StoreDatabase;
  /** The relay's static key pair (the same in every relay process of a deployment). */
  readonly relayKeys: KeyPair;
  readonly backend: CryptoBackend;
  readonly logger: Logger;
  readonly metrics?: RelayMetrics;
  /**
   * Where datagrams come and go, closed when the relay stops: an endpoint of the
   * simulator's in-memory network in tests and simulations; without it, a UDP
   * socket bound to `host:port` (default 127.0.0.1 and a free port).
   */
  readonly socket?: DatagramEndpoint;
  readonly host?: string;
  readonly port?: number;
  readonly clock?: () => number;
  /** Per-source handshake limit keyed by IP (default) or IP and port (tests and benchmarks on one host). */
  readonly rateLimitBy?: 'ip' | 'ip-port';
  readonly handshakeLimits?: HandshakeRateLimiterOptions;
  /** Send counters reserved per block (default 64). */
  readonly counterBlock?: number;
  /** A block unused this long is given up (default 10 s). */
  readonly counterBlockMaxAgeMs?: number;
  /** How often the store is polled for new commands, expiries and revocations (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** How often depots are checked for going offline (default 5 s). */
  readonly offlineSweepIntervalMs?: number;
  /** Silence after which a depot is offline (default 3 check-ins + jitter = 185 s). */
  readonly offlineAfterMs?: number;
  /**
   * A depot's last seen is written at most this often (default 1 s, at most a
   * tenth of `offlineAfterMs`); every telegram still moves the session's counters.
   */
  readonly lastSeenEveryMs?: number;
  /** Uplinks per group commit at most (default 500). */
  readonly maxBatch?: number;
  /** Uplink batches stored at once, for disjoint depots (default: 2 on MySQL, 1 on SQLite). */
  readonly storeLanes?: number;
  readonly sessionLookupsPerSecond?: number;
  /** A depot repeating a protocol violation gets one alert row per this interval (default 10 min). */
  readonly violationAlertEveryMs?: number;
  /** Called after a batch has committed and before its replies go out (tests use it to crash there). */
  readonly afterCommit?: () => void;
}

/** A running relay. */
export interface Relay {
  readonly host: string;
  readonly port: number;
  readonly metrics: RelayMetrics;
  readonly sessionCount: number;
  /** Polls the store for commands now (call after queueing one in the same process). */
  poke(): void;
  /** Stops taking datagrams, finishes in-flight writes and replies, stops timers. Leaves the store open. */
  close(): Promise<void>;
}

const endpointOf = (from: Address) => `${from.host}:${from.port}`;

/** Starts the relay (protocol §6–§12) on `options.socket`, or on UDP at `host:port`. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? new RelayMetrics();
  const logger = options.logger;
  // Session keys and PIN digits are stored sealed: without the data key the relay could not keep either.
  if (!options.store.sealer) throw new Error('the relay needs a store opened with the data key (its sealer)');
  const sealedNow = await scrubbingSqlite(
    options.store,
    () => sealClearCommandSecrets(options.store),
    (n) => n > 0,
  );
  if (sealedNow > 0) logger.info({ commands: sealedNow }, 'sealed the PIN digits of commands queued before 010');
  const counterBlock = options.counterBlock ?? 64;
  const ids = new SessionIds(options.backend, options.relayKeys.secretKey);
  const sessions = new SessionTable({
    store: options.store,
    backend: options.backend,
    ids,
    lookupsPerSecond: options.sessionLookupsPerSecond,
  });
  const limiter = new HandshakeRateLimiter(options.handshakeLimits);
  const responder = new HandshakeResponder(options.backend, options.relayKeys);
  const cookies = new CookieChecker(options.backend, options.relayKeys.publicKey);
  const commands = new CommandCache();
  let closing = false;

  const drop = (reason: string) => metrics.drops.inc({ reason });
  const failed = (where: string) => (error: unknown) => {
    metrics.errors.inc({ where });
    logger.debug({ err: error, where }, 'relay error');
  };
  // Hot path (one per reply): the labelled counters looked up once.
  const sendErrors = metrics.errors.labels('send');
  const socket =
    options.socket ??
    (await bindUdpEndpoint({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      onError: (where, error) => (where === 'send' ? sendErrors.inc() : failed(where)(error)),
    }));
  let socketOpen = true;
  const sentByKind = new Map<string, ReturnType<typeof metrics.telegramsOut.labels>>();
  const send = (datagram: Uint8Array, endpoint: string, kind: string) => {
    if (!socketOpen) return;
    const at = endpoint.lastIndexOf(':');
    socket.send(datagram, { host: endpoint.slice(0, at), port: Number(endpoint.slice(at + 1)) });
    let sent = sentByKind.get(kind);
    if (sent === undefined) {
      sent = metrics.telegramsOut.labels(kind);
      sentByKind.set(kind, sent);
    }
    sent.inc();
  };
  const replies = new Replies({
    store: options.store,
    sessions,
    commands,
    metrics,
    clock,
    counterBlock,
    counterBlockMaxAgeMs: options.counterBlockMaxAgeMs ?? 10_000,
    send,
  });
  const committer = new UplinkCommitter({
    store: options.store,
    commands,
    replies,
    metrics,
    clock,
    afterCommit: options.afterCommit,
    lastSeen: new LastSeenWrites(
      options.lastSeenEveryMs ?? Math.min(1_000, (options.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS) / 10),
    ),
    lastApplied: new LastAppliedWrites(),
    screen: new UplinkScreen({ store: options.store, metrics, clock, alertEveryMs: options.violationAlertEveryMs }),
  });
  const batcher = new UplinkBatcher<AcceptedUplink>(
    (batch) => committer.commitAndAnswer(batch).catch(failed('batch')),
    options.maxBatch ?? 500,
    {
      // MariaDB: a second batch runs while the first waits for its commit (redo log flush, round trips).
      // SQLite writes synchronously on one connection: a second lane would only wait.
      lanes: options.storeLanes ?? (options.store.dialect === 'mysql' ? 2 : 1),
      keyOf: (uplink) => uplink.session.depotId,
    },
  );
  const handshakeContext = {
    store: options.store,
    backend: options.backend,
    responder,
    limiter,
    cookies,
    cookieReplies: new CookieReplyBudget(),
    ids,
    sessions,
    metrics,
    logger,
    counterBlock,
    clock,
    send,
    drop,
  };

  const accept = (session: RelaySession, datagram: Uint8Array, endpoint: string, sourceKey: string) => {
    const nowMs = clock();
    if (session.isExpired(nowMs)) return drop('expired-session');
    const opened = session.open(datagram);
    if (!opened.ok) return drop(opened.reason);
    let frames: ReturnType<typeof decodeFrames>;
    try {
      frames = decodeFrames(opened.plaintext);
    } catch (error) {
      if (isProtocolError(error)) return drop('frames');
      throw error;
    }
    // The endpoint moves only with the newest authenticated counter (protocol §7).
    if (opened.newest) session.endpoint = endpoint;
    const confirms = !session.confirmed;
    session.confirmed = true;
    limiter.trust(sourceKey, nowMs);
    // The cookie lane trusts by address and port: another host behind the same NAT address gains nothing.
    if (sourceKey !== endpoint) limiter.trust(endpoint, nowMs);
    replies.heardFrom(session.depotId, nowMs);
    metrics.telegramsIn.inc();
    batcher.add({ session, counter: opened.counter, endpoint, newest: opened.newest, confirms, frames });
  };

  socket.onDatagram((datagram, from) => {
    metrics.datagramsIn.inc();
    if (closing) return;
    try {
      const shape = classifyDatagram(datagram);
      if (!shape.ok) return drop(shape.reason);
      const endpoint = endpointOf(from);
      const sourceKey = options.rateLimitBy === 'ip-port' ? endpoint : from.host;
      if (shape.type === TelegramType.HandshakeInitiation) {
        handleInitiation(handshakeContext, datagram, endpoint, sourceKey).catch(failed('handshake'));
        return;
      }
      if (shape.type !== TelegramType.Transport) return drop('type');
      const known = sessions.get(shape.sessionId);
      if (known) return accept(known, datagram, endpoint, sourceKey);
      sessions
        .load(shape.sessionId, clock())
        .then((loaded) => {
          if (closing) return;
          if (!loaded) return drop('unknown-session');
          metrics.sessions.set(sessions.size);
          accept(loaded, datagram, endpoint, sourceKey);
        })
        .catch(failed('session-load'));
    } catch (error) {
      failed('datagram')(error);
    }
  });

  const timers = new RelayTimers({
    store: options.store,
    sessions,
    commands,
    replies,
    metrics,
    logger,
    clock,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    offlineSweepIntervalMs: options.offlineSweepIntervalMs ?? 5_000,
    offlineAfterMs: options.offlineAfterMs,
  });
  timers.start();
  const { host, port } = socket.address;
  logger.info({ host, port }, 'relay listening');

  return {
    host,
    port,
    metrics,
    get sessionCount() {
      return sessions.size;
    },
    poke: () => timers.pollSoon(),
    async close() {
      if (closing) return;
      // Stop taking datagrams first; then let stored uplinks be answered before the socket goes.
      closing = true;
      await timers.stop();
      await batcher.drain();
      await replies.drain();
      socketOpen = false;
      socket.close();
      logger.info('relay stopped');
    },
  };
}
