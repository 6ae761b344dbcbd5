/**
 * The depot daemon as `keydepot-depot run` runs it (runDepotService: crash
 * handlers, sd_notify, graceful stop on SIGTERM), in a child process of the
 * test, with the real GPIO drivers on file-backed lines (file-gpio.ts) and a
 * mock serial keypad. stdin: `throw` or `reject` injects a driver fault.
 */
import { createInterface } from 'node:readline';
import { SerialPortMock } from 'serialport';
import { createLogger } from '../../src/cli/logger.js';
import { loadDepotConfig } from '../../src/config.js';
import { RealClock } from '../../src/hardware/clock.js';
import { createRealHardware } from '../../src/hardware/real-hardware.js';
import { udpLinkSocket } from '../../src/link/udp-socket.js';
import { runDepotService } from '../../src/service/run-service.js';
import { fileGpio, injectFault } from './file-gpio.js';

export interface ServiceDepotSpec {
  readonly configDir: string;
  readonly linesDir: string;
}

const spec = JSON.parse(process.argv[2] ?? '') as ServiceDepotSpec;
const config = loadDepotConfig(spec.configDir);
SerialPortMock.binding.createPort(config.hardware.keypad.path, { echo: false, record: false });
const hardware = await createRealHardware({
  config: config.hardware,
  clock: new RealClock(),
  Gpio: fileGpio(spec.linesDir),
  openSerialPort: (path, baudRate) => new SerialPortMock({ path, baudRate }),
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'throw' || line === 'reject') injectFault(line);
});
await runDepotService({
  config,
  hardware,
  logger: createLogger('info'),
  env: process.env,
  hooks: process,
  untilStopSignal: () => new Promise((resolve) => process.once('SIGTERM', () => resolve('SIGTERM'))),
  socketFactory: (relay) => udpLinkSocket(relay),
  daemon: { statusIntervalMs: 0 },
});
process.exit(0);
