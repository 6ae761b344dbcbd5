import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fromHex, keyPairFromSecret, loadCryptoBackend, parseProvisioningBundle } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { testDialects } from '../databases.js';
import { TestDepot } from '../relay/depot-client.js';
import { type CliHarness, createCliHarness } from './cli-harness.js';

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe.each(testDialects())('keydepot-cloud serve on %s', (dialect) => {
  let cli: CliHarness | undefined;
  afterEach(async () => {
    await cli?.dispose();
    cli = undefined;
  });

  it('serves a depot provisioned by depot create, answers /metrics, and stops on request', async () => {
    cli = await createCliHarness(dialect);
    const udpPort = await freeUdpPort();
    const httpPort = await freeTcpPort();
    const env = {
      KEYDEPOT_UDP_HOST: '127.0.0.1',
      KEYDEPOT_UDP_PORT: String(udpPort),
      KEYDEPOT_HTTP_PORT: String(httpPort),
    };

    expect((await cli.run(['org', 'create', '--name', 'Autohaus Kern'], { env })).code).toBe(0);
    const created = await cli.run(
      ['depot', 'create', '--org', 'Autohaus Kern', '--name', 'Hof', '--compartments', '6', '--out', 'hof.json'],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const bundle = parseProvisioningBundle(JSON.parse(readFileSync(join(cli.cwd, 'hof.json'), 'utf8')));

    const stop = new AbortController();
    let stdout = '';
    const serving = runCli(['serve'], {
      env: { ...cli.env, ...env, KEYDEPOT_LOG_LEVEL: 'silent' },
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      cwd: cli.cwd,
      stop: stop.signal,
    });
    await expect.poll(() => stdout, { timeout: 10_000 }).toContain('Portal on');

    const backend = await loadCryptoBackend('libsodium-wrappers');
    const depot = await TestDepot.open({
      backend,
      keys: keyPairFromSecret(backend, fromHex(bundle.depotSecretKey)),
      relayPublicKey: fromHex(bundle.relay.publicKey),
      relayPort: udpPort,
    });
    try {
      expect(await depot.handshake()).toBe(true);
      const replies = await depot.checkIn();
      expect(replies?.[0]?.[0]?.kind).toBe(6); // every reply starts with TIME
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(metrics).toMatch(/handshake/);
    } finally {
      depot.close();
    }

    stop.abort();
    expect(await serving).toBe(0);
    expect(stdout).toContain('Stopped.');
    const seen = await cli.database.db
      .selectFrom('depots')
      .select(['last_seen_ms', 'online'])
      .where('id', '=', bundle.depotId)
      .executeTakeFirstOrThrow();
    expect(seen.last_seen_ms).not.toBeNull();
  });
});
