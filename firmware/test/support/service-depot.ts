/**
 * The depot daemon as `keydepot-depot run` runs it (runDepotService: crash
 * handlers, sd_notify, graceful stop on SIGTERM), in a child process of the
 * test, with the real GPIO drivers on file-backed lines (file-gpio.ts) and a
 * mock serial keypad. stdin: `throw` or `reject` injects a driver fault,
 * `keys 1234#` types on the keypad board, `board dead` / `board alive` stops
 * and resumes the board's PONG answers (it answers PING while alive).
 */
import { createInterface } from 'node:readline';
import { SerialPortMock } from 'serialport';
import { createLogger } from '../../src/cli/logger.js';
import { loadDepotConfig } from '../../src/config.js';
import type { DaemonOptions } from '../../src/daemon.js';
import { RealClock } from '../../src/hardware/clock.js';
import { createRealHardware } from '../../src/hardware/real-hardware.js';
import { type RenewingSocketOptions, renewingUdpSocket } from '../../src/service/renewing-socket.js';
import { runDepotService } from '../../src/service/run-service.js';
import { fileGpio, injectFault } from './file-gpio.js';

export interface ServiceDepotSpec {
  readonly configDir: string;
  readonly linesDir: string;
  /** Daemon settings for the test (default: no status file rewrites). */
  readonly daemon?: Pick<DaemonOptions, 'statusIntervalMs' | 'diskCheckIntervalMs' | 'keypadPingIntervalMs' | 'rhythm'>;
  /** When the relay socket is renewed (default: as the daemon does). */
  readonly socket?: Pick<RenewingSocketOptions, 'errorsToRenew' | 'silenceToRenewMs' | 'checkMs'>;
}

const spec = JSON.parse(process.argv[2] ?? '') as ServiceDepotSpec;
const config = loadDepotConfig(spec.configDir, { statusDir: process.env.KEYDEPOT_STATUS_DIR || undefined });
SerialPortMock.binding.createPort(config.hardware.keypad.path, { echo: false, record: true });
let keypadPort: SerialPortMock | undefined;
const clock = new RealClock();
const hardware = await createRealHardware({
  config: config.hardware,
  clock,
  Gpio: fileGpio(spec.linesDir),
  openSerialPort: (path, baudRate) => {
    keypadPort = new SerialPortMock({ path, baudRate });
    return keypadPort;
  },
});
const board = (text: string) => keypadPort?.port?.emitData(Buffer.from(text, 'latin1'));
// The keypad board: answers each PING the depot wrote, while alive.
let boardAlive = true;
let pingsSeen = 0;
setInterval(() => {
  const pings = keypadPort?.port?.recording.toString('latin1').split('PING\n').length ?? 1;
  for (; pingsSeen < pings - 1; pingsSeen++) if (boardAlive) board('PONG\n');
}, 20).unref();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'throw' || line === 'reject') injectFault(line);
  else if (line.startsWith('keys ')) board([...line.slice(5)].map((key) => `K${key}\n`).join(''));
  else if (line === 'board dead' || line === 'board alive') boardAlive = line === 'board alive';
});
const logger = createLogger(process.env.KEYDEPOT_LOG_LEVEL ?? 'info');
await runDepotService({
  config,
  hardware,
  logger,
  env: process.env,
  hooks: process,
  untilStopSignal: () => new Promise((resolve) => process.once('SIGTERM', () => resolve('SIGTERM'))),
  socketFactory: (relay) => renewingUdpSocket(relay, clock, logger, spec.socket),
  daemon: { statusIntervalMs: 0, ...spec.daemon },
});
process.exit(0);
