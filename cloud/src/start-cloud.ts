import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, join } from 'node:path';
import { type ServerType, serve as serveHttp } from '@hono/node-server';
import { type CryptoBackend, type KeyPair, loadCryptoBackend } from '@keydepot/shared';
import type { Logger } from 'pino';
import { ExportRunner } from './exports/export-runner.js';
import { createApp } from './http/app.js';
import { loadBlindIndex } from './keys/blind-index.js';
import { loadDataSealer } from './keys/data-key.js';
import { loadOfflineMasterKey } from './keys/offline-master-key.js';
import { RelayMetrics } from './metrics.js';
import { type Relay, type RelayOptions, startRelay } from './relay/relay.js';
import { openDatabase, type StoreDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

export interface StartCloudOptions {
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
    /** The blind index key of customer search; default `index.key` beside the data key file. */
    readonly indexKeyFile?: string;
    readonly offlineMasterKeyFile: string;
    /** What provisioning bundles tell a depot to dial; without it the admin pages cannot provision depots. */
    readonly publicRelay?: { readonly host: string; readonly port: number };
    /** Folder for background export files (docs/operations.md, Exports); without it exports are only downloaded at once. */
    readonly exportDir?: string;
  };
  /** Serve HTTPS directly with this certificate and key (PEM files); otherwise HTTP behind a TLS proxy. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** The portal is reached over HTTPS through a reverse proxy: send HSTS even though this process speaks HTTP. */
  readonly behindTlsProxy?: boolean;
}

export interface Running {
  readonly store: StoreDatabase;
  readonly relay: Relay;
  readonly httpPort: number;
  /** Stops taking datagrams and requests, finishes in-flight writes, closes the store. */
  shutdown(): Promise<void>;
}

/**
 * Opens and migrates the store, starts the UDP relay and HTTP (the portal when
 * its key files are given, and /metrics). Stopping is the caller's: the CLI's
 * `serve` calls `shutdown()` on SIGINT/SIGTERM.
 */
export async function startCloud(options: StartCloudOptions): Promise<Running> {
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
  const exportRunner =
    portalKeys?.exportDir === undefined
      ? undefined
      : new ExportRunner({
          store,
          dir: portalKeys.exportDir,
          clock: Date.now,
          logger: logger.child({ category: 'exports' }),
        });
  // Jobs a previous run left half done are taken up again (or marked failed) right here.
  await exportRunner?.start();
  const app = createApp({
    metricsText: () => metrics.text(),
    portal: portalKeys && {
      store,
      sealer,
      blindIndex: await loadBlindIndex(portalKeys.indexKeyFile ?? join(dirname(options.dataKeyFile), 'index.key')),
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
      ...(exportRunner && portalKeys?.exportDir
        ? { exports: { dir: portalKeys.exportDir, poke: () => exportRunner.poke() } }
        : {}),
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
      await exportRunner?.stop();
      await relay.close();
      await store.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { store, relay, httpPort: http.port, shutdown };
}
