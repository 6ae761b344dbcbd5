import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, loadCryptoBackend } from '@keydepot/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type Running, type StartCloudOptions, startCloud } from './start-cloud.js';

/**
 * Runs startCloud() on a SQLite store in a fresh folder, with the OS choosing the
 * ports, hands it to `check`, then shuts it down and removes the folder
 * (also when a check fails).
 */
async function withServer(
  extra: (dir: string) => Partial<StartCloudOptions>,
  check: (running: Running, dir: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keydepot-serve-'));
  try {
    const backend = await loadCryptoBackend('sodium-native');
    const running = await startCloud({
      databaseUrl: `sqlite:${join(dir, 'store.sqlite')}`,
      dataKeyFile: join(dir, 'data.key'),
      relayKeys: generateKeyPair(backend),
      backend,
      logger: pino({ level: 'silent' }),
      udpHost: '127.0.0.1',
      udpPort: 0,
      httpPort: 0,
      portal: { offlineMasterKeyFile: join(dir, 'offline-master.key') },
      ...extra(dir),
    });
    try {
      await check(running, dir);
    } finally {
      await running.shutdown();
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** A throwaway self-signed P-256 certificate for localhost, valid for a day. */
function selfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

describe('startCloud', () => {
  it('migrates the store, serves HTTP and UDP, and shuts down cleanly', async () => {
    await withServer(
      () => ({}),
      async (running, dir) => {
        const page = await fetch(`http://127.0.0.1:${running.httpPort}/login`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('Anmelden');
        expect(statSync(join(dir, 'data.key')).mode & 0o077).toBe(0);
        const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
        expect(metrics).toContain('keydepot_relay_datagrams_received_total');
        expect(running.relay.port).toBeGreaterThan(0);
      },
    );
  });

  it('serves the portal over HTTPS with HSTS when given a certificate', async () => {
    await withServer(
      (dir) => ({ tls: selfSignedCertificate(dir) }),
      async (running) => {
        const response = await new Promise<{ status: number; hsts: unknown }>((resolve, reject) => {
          get(`https://127.0.0.1:${running.httpPort}/login`, { rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] });
          }).on('error', reject);
        });
        expect(response.status).toBe(200);
        expect(response.hsts).toMatch(/max-age=\d+/);
      },
    );
  });
});
