import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { generateKeyPair } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { udpSocketDrops } from '../../src/metrics.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';
import { backend, startTestRelay } from './fixtures.js';

// The relay's receive buffer (SO_RCVBUF) is set from its options and reported in /metrics together
// with the kernel's count of datagrams dropped because that buffer was full.

const metric = (text: string, name: string) => {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
};

describe('udpSocketDrops', () => {
  const table = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    ' 1: 0100007F:9C40 00000000:0000 07 00000000:00000000 00 00000000:00000000 00000000  1000        0 4711 2 0000000000000000 17',
    ' 2: 0101017F:9C40 00000000:0000 07 00000000:00000000 00 00000000:00000000 00000000  1000        0 4712 2 0000000000000000 3',
    ' 3: 00000000:0035 00000000:0000 07 00000000:00000000 00 00000000:00000000 00000000     0        0 4713 2 0000000000000000 0',
  ].join('\n');

  it('finds the socket by address and port, not by port alone', () => {
    expect(udpSocketDrops(table, { address: '127.0.0.1', port: 40_000 })).toBe(17);
    expect(udpSocketDrops(table, { address: '127.1.1.1', port: 40_000 })).toBe(3);
    expect(udpSocketDrops(table, { address: '0.0.0.0', port: 53 })).toBe(0);
    expect(udpSocketDrops(table, { address: '127.0.0.2', port: 40_000 })).toBeNull();
  });
});

describe.skipIf(!existsSync('/proc/net/udp'))('relay receive buffer', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('reports the granted buffer and counts what the kernel dropped when it was full', async () => {
    db = await createTestDatabase('sqlite');
    const relay = await startTestRelay(db, generateKeyPair(await backend()), { receiveBufferBytes: 64 << 10 });
    try {
      const before = await relay.metrics.text();
      // Linux grants twice the request (bookkeeping included) when below net.core.rmem_max.
      expect(metric(before, 'keydepot_relay_udp_receive_buffer_bytes')).toBe(128 << 10);
      expect(metric(before, 'keydepot_relay_udp_receive_buffer_drops')).toBe(0);
      // 3,000 full-size datagrams (3.6 MB) leave in one flush of the sender's queue, before the relay
      // reads any: most find the 128 KiB buffer full.
      const flood = dgram.createSocket('udp4');
      const junk = new Uint8Array(1200);
      await new Promise<void>((resolve) => {
        let left = 3_000;
        for (let i = 0; i < 3_000; i++) flood.send(junk, relay.port, '127.0.0.1', () => --left === 0 && resolve());
      });
      flood.close();
      const after = await relay.metrics.text();
      const drops = metric(after, 'keydepot_relay_udp_receive_buffer_drops') ?? 0;
      expect(drops).toBeGreaterThan(0);
      // Every datagram either reached the relay or was counted as dropped by the kernel.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const received = metric(await relay.metrics.text(), 'keydepot_relay_datagrams_received_total') ?? 0;
      expect(received + drops).toBe(3_000);
    } finally {
      await relay.close();
    }
  });
});
