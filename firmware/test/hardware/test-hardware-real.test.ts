import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTestHardware } from '../../src/cli/test-hardware.js';
import { hardwareConfigSchema } from '../../src/hardware/hardware-config.js';
import { createRealHardware } from '../../src/hardware/real-hardware.js';
import { SimulatedClock } from '../../src/hardware/simulated/clock.js';
import { FakeGpioBank } from './fake-gpio.js';

let root: string;
const KEYPAD = '/dev/ttyKEYPAD-install';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'keydepot-sysfs-'));
  await mkdir(join(root, 'gpiochip0'));
  await writeFile(join(root, 'gpiochip0', 'base'), '0\n');
  await writeFile(join(root, 'gpiochip0', 'label'), 'pinctrl-bcm2835\n');
  await writeFile(join(root, 'gpiochip0', 'ngpio'), '54\n');
  SerialPortMock.binding.createPort(KEYPAD, { echo: false, record: true });
});

afterEach(async () => {
  SerialPortMock.binding.reset();
  await rm(root, { recursive: true, force: true });
});

describe('test-hardware over the real drivers (fake GPIO lines, mock serial port)', () => {
  it('pulses relay lines, sees a door contact and echoes keys from the board', async () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const ports: SerialPortMock[] = [];
    const config = hardwareConfigSchema.parse({
      sysfsGpioRoot: root,
      keypad: { path: KEYPAD },
      compartments: [
        { number: 1, lockPin: 17, doorPin: 5, keyPin: 16 },
        { number: 2, lockPin: 27, doorPin: 6 },
      ],
    });
    const hardware = await createRealHardware({
      config,
      clock,
      Gpio: bank.Gpio,
      openSerialPort: (path, baudRate) => {
        const port = new SerialPortMock({ path, baudRate });
        ports.push(port);
        return port;
      },
    });
    const board = ports[0] as SerialPortMock;
    let text = '';
    const run = runTestHardware({
      hardware,
      stdout: { write: (chunk: string) => (text += chunk) },
      clock,
      pulseMs: 1_000,
      keyEchoSeconds: 5,
      gapMs: 1_000,
    });
    for (let turn = 0; turn < 200 && !board.port?.recording.toString().includes('PING'); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(board.port?.recording.toString()).toContain('PING\n');
    board.port?.emitData('PONG\n');
    await clock.advanceAsync(0);
    // Relay of compartment 1 is BCM 17 = kernel line 17 on base 0; active-low.
    expect(bank.line(17).writes).toEqual([0]);
    bank.line(5).input(1); // the technician opens door 1
    await clock.advanceAsync(1_000);
    expect(bank.line(17).writes).toEqual([0, 1]);
    await clock.advanceAsync(2_000);
    expect(bank.line(27).writes).toEqual([0, 1]);
    await clock.advanceAsync(1_000); // the gap after the last lock; the key echo starts
    board.port?.emitData('K7\nK#\n');
    for (let turn = 0; turn < 50 && !text.includes('key #'); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await clock.advanceAsync(5_000);
    const report = await run;
    expect(report.keypadAnswered).toBe(true);
    expect(report.pulsed).toEqual([1, 2]);
    expect(report.keys).toEqual(['7', '#']);
    expect(report.sensorChanges).toEqual(['compartment 1 door opened']);
    expect(text).toContain('keypad board: answers PING');
    expect(board.port?.recording.toString()).toContain('D2 Schloss 2\n');
    expect(board.port?.recording.toString()).toContain('B KEY\n');
    await hardware.close();
  });
});

describe('test-hardware without GPIO', () => {
  it('checks the configuration and the keypad alone, says so, and exits 1', async () => {
    const { provisionedDepot } = await import('../support/depot-fixture.js');
    const { testHardwareCommand } = await import('../../src/cli/test-hardware-command.js');
    const fixture = provisionedDepot({ relayPublicKey: new Uint8Array(32).fill(1), relayPort: 47_900 });
    try {
      const depotFile = join(fixture.dir, 'depot.json');
      const depot = JSON.parse(await readFile(depotFile, 'utf8'));
      await writeFile(depotFile, JSON.stringify({ ...depot, hardware: { keypad: { path: KEYPAD } } }));
      const clock = new SimulatedClock();
      const ports: SerialPortMock[] = [];
      const { Gpio } = new FakeGpioBank();
      let text = '';
      const run = testHardwareCommand(
        ['--config-dir', fixture.dir, '--key-echo-seconds', '2'],
        {
          stdout: { write: (t: string) => (text += t) },
          stderr: { write: () => {} },
          env: {},
          untilStopSignal: () => new Promise(() => {}),
        },
        {
          Gpio: Object.assign(Gpio, { accessible: false }),
          clock,
          openSerialPort: (path, baudRate) => {
            const port = new SerialPortMock({ path, baudRate });
            ports.push(port);
            return port;
          },
        },
      );
      for (let turn = 0; turn < 200 && !ports[0]?.port?.recording.toString().includes('PING'); turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      ports[0]?.port?.emitData('PONG\n');
      for (let turn = 0; turn < 50 && !text.includes('press keys'); turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      ports[0]?.port?.emitData('K5\n');
      for (let turn = 0; turn < 50 && !text.includes('key 5'); turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      await clock.advanceAsync(2_000);
      expect(await run).toBe(1);
      expect(text).toContain(
        `configuration: ${fixture.dir} is valid (depot 4711, 6 compartments wired, keypad ${KEYPAD})`,
      );
      expect(text).toContain('NOTE: GPIO unavailable (GPIO is not accessible');
      expect(text).toContain('Locks and sensors are NOT tested; checking the keypad board alone.');
      expect(text).toContain('keypad board: answers PING');
      expect(text).toContain('  key 5');
      expect(text).toContain('keydepot test-hardware: 0 compartments, 3000 ms pulses');
    } finally {
      fixture.remove();
    }
  });

  it('lists --log-level in the usage text', async () => {
    const { runCli } = await import('../../src/cli/index.js');
    let text = '';
    const code = await runCli(['help'], {
      stdout: { write: (t: string) => (text += t) },
      stderr: { write: () => {} },
      env: {},
      untilStopSignal: () => new Promise(() => {}),
    });
    expect(code).toBe(0);
    expect(text).toMatch(/run \[--simulated-hardware\] \[--log-level level\]/);
  });
});
