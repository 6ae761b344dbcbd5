import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GpioChipError } from '../../src/hardware/gpio-chip.js';
import { hardwareConfigSchema } from '../../src/hardware/hardware-config.js';
import { createRealHardware, HardwareUnavailableError } from '../../src/hardware/real-hardware.js';
import { SimulatedClock } from '../../src/hardware/simulated/clock.js';
import { FakeGpioBank } from './fake-gpio.js';

let root: string;
const KEYPAD = '/dev/ttyKEYPAD-real';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'keydepot-sysfs-'));
  // A Pi 4 on kernel 6.6: the header chip starts at 512.
  await mkdir(join(root, 'gpiochip512'));
  await writeFile(join(root, 'gpiochip512', 'base'), '512\n');
  await writeFile(join(root, 'gpiochip512', 'label'), 'pinctrl-bcm2711\n');
  await writeFile(join(root, 'gpiochip512', 'ngpio'), '58\n');
  SerialPortMock.binding.createPort(KEYPAD, { echo: false, record: true });
});

afterEach(async () => {
  SerialPortMock.binding.reset();
  await rm(root, { recursive: true, force: true });
});

function build(bank: FakeGpioBank, overrides: Record<string, unknown> = {}) {
  const config = hardwareConfigSchema.parse({ sysfsGpioRoot: root, keypad: { path: KEYPAD }, ...overrides });
  return createRealHardware({
    config,
    clock: new SimulatedClock(),
    Gpio: bank.Gpio,
    openSerialPort: (path, baudRate) => new SerialPortMock({ path, baudRate }),
  });
}

describe('createRealHardware', () => {
  it('builds six compartments on kernel lines base + BCM, relays released', async () => {
    const bank = new FakeGpioBank();
    const hw = await build(bank);
    expect(hw.compartments.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6]);
    // Compartment 1: relay BCM 17, door BCM 5, key BCM 16.
    expect(bank.line(529).direction).toBe('high');
    expect(bank.line(517)).toMatchObject({ direction: 'in', edge: 'both' });
    expect(bank.line(528)).toMatchObject({ direction: 'in', edge: 'both' });
    expect(bank.lines.size).toBe(18);
    await hw.close();
    for (const line of bank.lines.values()) expect(line.exported).toBe(false);
  });

  it('reads sensors through the configured logic and pulses through the clock', async () => {
    const bank = new FakeGpioBank();
    const hw = await build(bank);
    const one = hw.compartments[0];
    expect(one?.door.read()).toBe(false);
    expect(one?.key?.read()).toBe(true);
    const clock = hw.clock as SimulatedClock;
    const pulse = one?.lock.pulse(1_000);
    expect(bank.line(529).level).toBe(0);
    clock.advance(1_000);
    await pulse;
    expect(bank.line(529).level).toBe(1);
    bank.line(517).input(1);
    clock.advance(50);
    expect(one?.door.read()).toBe(true);
    await hw.close();
  });

  it('leaves out key sensors that are not wired', async () => {
    const bank = new FakeGpioBank();
    const hw = await build(bank, { compartments: [{ number: 1, lockPin: 17, doorPin: 5 }] });
    expect(hw.compartments[0]?.key).toBeUndefined();
    await hw.close();
  });

  it('refuses to start without accessible GPIO', async () => {
    const bank = new FakeGpioBank();
    const Gpio = Object.assign(bank.Gpio, { accessible: false });
    const config = hardwareConfigSchema.parse({ sysfsGpioRoot: root });
    await expect(createRealHardware({ config, Gpio })).rejects.toThrow(HardwareUnavailableError);
    expect(bank.lines.size).toBe(0);
  });

  it('frees the lines it opened when a later one fails', async () => {
    const bank = new FakeGpioBank();
    const config = hardwareConfigSchema.parse({
      sysfsGpioRoot: root,
      gpioChipLabel: 'pinctrl-bcm2711',
      compartments: [
        { number: 1, lockPin: 17, doorPin: 5 },
        { number: 2, lockPin: 27, doorPin: 6 },
      ],
    });
    // Someone else holds compartment 2's door line.
    new bank.Gpio(518, 'in');
    await expect(createRealHardware({ config, Gpio: bank.Gpio, clock: new SimulatedClock() })).rejects.toThrow(/EBUSY/);
    expect(bank.line(529).exported).toBe(false);
    expect(bank.line(517).exported).toBe(false);
    expect(bank.line(539).exported).toBe(false);
  });

  it('names the chips it found when the configured label is absent', async () => {
    const bank = new FakeGpioBank();
    await expect(build(bank, { gpioChipLabel: 'pinctrl-rp1' })).rejects.toThrow(GpioChipError);
  });
});
