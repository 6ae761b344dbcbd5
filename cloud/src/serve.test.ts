import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, loadCryptoBackend } from '@keydepot/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { serve } from './serve.js';

describe('serve', () => {
  it('migrates the store, serves HTTP and UDP, and shuts down cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-serve-'));
    try {
      const backend = await loadCryptoBackend('sodium-native');
      const running = await serve({
        databaseUrl: `sqlite:${join(dir, 'store.sqlite')}`,
        relayKeys: generateKeyPair(backend),
        backend,
        logger: pino({ level: 'silent' }),
        udpHost: '127.0.0.1',
        udpPort: 0,
        httpPort: 0,
        handleSignals: false,
      });
      const page = await fetch(`http://127.0.0.1:${running.httpPort}/`);
      expect(await page.text()).toContain('portal comes later');
      const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
      expect(metrics).toContain('keydepot_relay_datagrams_received_total');
      expect(running.relay.port).toBeGreaterThan(0);
      await running.shutdown();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
