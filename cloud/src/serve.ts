import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type ServerType, serve as serveHttp } from '@hono/node-server';
import { type CryptoBackend, type KeyPair, loadCryptoBackend } from '@keydepot/shared';
import type { Logger } from 'pino';
import { createApp } from './http/app.js';
import { loadDataSealer } from './keys/data-key.js';
import { loadOfflineMasterKey } from './keys/offline-master-key.js';
import { RelayMetrics } from './metrics.js';
import { type Relay, type RelayOptions, startRelay } from './relay/relay.js';
import { openDatabase, type StoreDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

export interface ServeOptions {
  /** Store URL: `sqlite:<path>` or `mysql://…`. */
  readonly databaseUrl: string;
  /**
   * The data key file (created on first use): the relay seals session keys and
   * PIN digits with it, the portal PINs it may show again.
   */
  readonly dataKeyFile: string;
  readonly relayKeys: KeyPair;
  readonly logger: Logger;
  readonly udpHost?: string;
  readonly udpPort: number;
  /** HTTP listens on 127.0.0.1 unless told otherwise (a reverse proxy terminates TLS). */
  readonly httpHost?: string;
  readonly httpPort: number;
  readonly backend?: CryptoBackend;
  /** Extra relay settings (rate limits, intervals). */
  readonly relay?: Partial<Omit<RelayOptions, 'store' | 'relayKeys' | 'backend' | 'logger' | 'metrics'>>;
  /** The portal's settings; without them only /metrics is served (relay-only processes and tests). */
  readonly portal?: {
    readonly offlineMasterKeyFile: string;
    /** What provisioning bundles tell a depot to dial; without it the admin pages cannot provision depots. */
    readonly publicRelay?: { readonly host: string; readonly port: number };
  };
  /** Serve HTTPS directly with this certificate and key (PEM files); otherwise HTTP behind a TLS proxy. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** The portal is reached over HTTPS through a reverse proxy: send HSTS even though this process speaks HTTP. */
  readonly behindTlsProxy?: boolean;
  /** Install SIGINT/SIGTERM handlers that shut down gracefully (default true). */
  readonly handleSignals?: boolean;
}

export interface Running {
  readonly store: StoreDatabase;
  readonly relay: Relay;
  readonly httpPort: number;
  /** Stops taking datagrams and requests, finishes in-flight writes, closes the store. */
  shutdown(): Promise<void>;
}

/** Opens and migrates the store, starts the UDP relay and HTTP (placeholder portal, /metrics). */
export async function serve(options: ServeOptions): Promise<Running> {
  const { logger } = options;
  const sealer = await loadDataSealer(options.dataKeyFile);
  const store = openDatabase(options.databaseUrl, { sealer });
  const applied = await migrateToLatest(store);
  if (applied.length > 0) logger.info({ migrations: applied }, 'store migrated');
  const metrics = new RelayMetrics();
  const backend = options.backend ?? (await loadCryptoBackend('sodium-native'));
  const relay = await startRelay({
    ...options.relay,
    store,
    relayKeys: options.relayKeys,
    backend,
    logger: logger.child({ category: 'relay' }),
    metrics,
    host: options.udpHost ?? '0.0.0.0',
    port: options.udpPort,
  });
  const portalKeys = options.portal;
  const app = createApp({
    metricsText: () => metrics.text(),
    portal: portalKeys && {
      store,
      sealer,
      offlineMasterKey: async () =>
        (await loadOfflineMasterKey({ file: portalKeys.offlineMasterKeyFile, createIfMissing: true })).key,
      provisioning:
        portalKeys.publicRelay &&
        (async () => ({
          backend,
          relayPublicKey: options.relayKeys.publicKey,
          offlineMaster: (await loadOfflineMasterKey({ file: portalKeys.offlineMasterKeyFile, createIfMissing: true }))
            .key,
          publicRelayHost: portalKeys.publicRelay?.host,
          publicRelayPort: portalKeys.publicRelay?.port ?? 0,
        })),
      pokeRelay: () => relay.poke(),
      clock: Date.now,
      logger: logger.child({ category: 'portal' }),
      tls: options.tls !== undefined || options.behindTlsProxy === true,
      trustForwardedFor: options.behindTlsProxy === true,
    },
  });
  const tls = options.tls && {
    createServer: createHttpsServer,
    serverOptions: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
  };
  const http = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const server = serveHttp(
      { fetch: app.fetch, hostname: options.httpHost ?? '127.0.0.1', port: options.httpPort, ...tls },
      (info) => resolve({ server, port: info.port }),
    );
  });
  logger.info({ http: http.port, udp: relay.port }, 'keydepot cloud serving');

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const closed = new Promise<void>((resolve) => http.server.close(() => resolve()));
      // close() waits for open responses; a dashboard's live stream never ends by itself,
      // so whatever is still open after a moment is cut (browsers reconnect elsewhere).
      const cut = setTimeout(
        () => (http.server as { closeAllConnections?: () => void }).closeAllConnections?.(),
        1_000,
      );
      await closed;
      clearTimeout(cut);
      await relay.close();
      await store.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        shutdown().then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { store, relay, httpPort: http.port, shutdown };
}
