/**
 * The Quick start demo: relay + portal on the embedded SQLite store, an admin
 * user, and three simulated depots running the real firmware. `--once` runs
 * the scripted movements and exits (used by the test suite).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo } from '../simulator/src/demo/run-demo.js';

const { values } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: 'data/demo' },
    'http-port': { type: 'string', default: process.env.KEYDEPOT_HTTP_PORT ?? '8080' },
    'udp-port': { type: 'string', default: process.env.KEYDEPOT_UDP_PORT ?? '47900' },
  },
});
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

runDemo({
  dataDir: resolve(values['data-dir']),
  httpPort: Number(values['http-port']),
  udpPort: Number(values['udp-port']),
  once: values.once,
  stop: stop.signal,
  print: (line) => console.log(line),
}).then(
  () => process.exit(0),
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
