import { join } from 'node:path';
import { modeOf, openToOthers } from '@keydepot/shared';
import { loadRelayKey } from '../keys/relay-key.js';
import { categoryLogger, createLogger } from '../log.js';
import { startCloud } from '../start-cloud.js';
import { type CliContext, type Command, HELP_OPTION } from './command.js';

/** `serve`: the UDP relay and HTTP (portal, /metrics) until SIGINT/SIGTERM, then a graceful stop. */
export const serve: Command = {
  name: 'serve',
  summary: 'run the relay (UDP) and the portal (HTTP) until stopped',
  help: [
    'Reads its settings from KEYDEPOT_* variables or the file in KEYDEPOT_CONFIG (see docs/operations.md).',
    'Creates the relay key file on the first start. Ctrl-C stops it cleanly.',
  ],
  options: { ...HELP_OPTION },
  async run(context: CliContext): Promise<void> {
    const { config } = context;
    // Creates the SQLite folder where needed and migrates before anything listens.
    await context.store();
    const backend = await context.crypto();
    const logger = createLogger({ level: config.logLevel });
    // The data folder holds the store, its WAL and (by default) the key files: owner only (docs/operations.md).
    const folderMode = modeOf(config.dataDir);
    if (folderMode !== undefined && openToOthers(folderMode)) {
      context.io.stderr.write(
        `warning: group or others may enter ${config.dataDir}: run chmod 700 ${config.dataDir}\n`,
      );
    }
    const { keyPair, created } = await loadRelayKey({ file: config.relayKeyFile, backend, createIfMissing: true });
    if (created) logger.info({ file: config.relayKeyFile }, 'relay key created');
    const running = await startCloud({
      databaseUrl: config.databaseUrl,
      dataKeyFile: config.dataKeyFile,
      relayKeys: keyPair,
      logger,
      backend,
      udpHost: config.udpHost,
      udpPort: config.udpPort,
      httpHost: config.httpHost,
      httpPort: config.httpPort,
      portal: {
        indexKeyFile: config.indexKeyFile,
        offlineMasterKeyFile: config.offlineMasterKeyFile,
        publicRelay: config.publicRelayHost
          ? { host: config.publicRelayHost, port: config.publicRelayPort }
          : undefined,
        exportDir: join(config.dataDir, 'exports'),
      },
      tls:
        config.tlsCertFile && config.tlsKeyFile
          ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile }
          : undefined,
      behindTlsProxy: config.behindProxy,
    });
    context.print(`Relay listening on udp://${config.udpHost}:${running.relay.port}`);
    const scheme = config.tlsCertFile && config.tlsKeyFile ? 'https' : 'http';
    context.print(`Portal on ${scheme}://${config.httpHost}:${running.httpPort}/ (metrics at /metrics)`);
    await stopRequested(context.io.stop);
    categoryLogger(logger, 'cli').info('stop requested');
    await running.shutdown();
    context.print('Stopped.');
  },
};

function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    return signal.aborted
      ? Promise.resolve()
      : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
