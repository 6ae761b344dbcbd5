import { describe, expect, it } from 'vitest';
import { GpioLock } from '../../src/hardware/gpio-lock.js';
import { GpioSensor } from '../../src/hardware/gpio-sensor.js';
import { SimulatedClock } from '../../src/hardware/simulated/clock.js';
import { FakeGpioBank } from './fake-gpio.js';

describe('GpioLock', () => {
  it('opens an active-low relay line high, pulls it low for the pulse, then releases', async () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const lock = new GpioLock({ Gpio: bank.Gpio, line: 529, activeLow: true, clock });
    const line = bank.line(529);
    expect(line.direction).toBe('high');
    const pulse = lock.pulse(800);
    expect(line.level).toBe(0);
    clock.advance(799);
    expect(line.level).toBe(0);
    clock.advance(1);
    await pulse;
    expect(line.writes).toEqual([0, 1]);
  });

  it('drives an active-high relay the other way round', async () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const lock = new GpioLock({ Gpio: bank.Gpio, line: 17, activeLow: false, clock });
    expect(bank.line(17).direction).toBe('low');
    const pulse = lock.pulse(100);
    expect(bank.line(17).level).toBe(1);
    clock.advance(100);
    await pulse;
    expect(bank.line(17).level).toBe(0);
  });

  it('does not extend a pulse when pulsed again, and resolves both callers at its end', async () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const lock = new GpioLock({ Gpio: bank.Gpio, line: 5, activeLow: true, clock });
    const first = lock.pulse(1_000);
    clock.advance(500);
    const second = lock.pulse(1_000);
    clock.advance(499);
    expect(bank.line(5).level).toBe(0);
    clock.advance(1);
    await Promise.all([first, second]);
    expect(bank.line(5).level).toBe(1);
    expect(bank.line(5).writes).toEqual([0, 1]);
  });

  it('releases at once on release() and on close(), and frees the line', async () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const lock = new GpioLock({ Gpio: bank.Gpio, line: 6, activeLow: true, clock });
    const pulse = lock.pulse(10_000);
    lock.release();
    await pulse;
    expect(bank.line(6).level).toBe(1);
    const second = lock.pulse(10_000);
    lock.close();
    await second;
    expect(bank.line(6).level).toBe(1);
    expect(bank.line(6).exported).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    await expect(lock.pulse(10)).rejects.toThrow(/closed/);
  });

  it('rejects a pulse whose write fails and tries to release the line', async () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const lock = new GpioLock({ Gpio: bank.Gpio, line: 7, activeLow: true, clock });
    bank.failingWrites.add(7);
    await expect(lock.pulse(500)).rejects.toThrow(/EIO/);
    expect(clock.pendingTimers).toBe(0);
    bank.failingWrites.delete(7);
    const pulse = lock.pulse(500);
    bank.failingWrites.add(7);
    clock.advance(500);
    // The release write failed: the caller must hear of it (the relay may still be on).
    await expect(pulse).rejects.toThrow(/EIO/);
  });
});

describe('GpioSensor', () => {
  it('watches both edges and debounces a bouncing door contact', () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const door = new GpioSensor({ Gpio: bank.Gpio, line: 517, inverted: false, debounceMs: 50, clock });
    const line = bank.line(517);
    expect(line.direction).toBe('in');
    expect(line.edge).toBe('both');
    expect(door.read()).toBe(false);
    const changes: boolean[] = [];
    door.onChange((open) => changes.push(open));
    line.input(1);
    clock.advance(3);
    line.input(0);
    clock.advance(3);
    line.input(1);
    clock.advance(49);
    expect(changes).toEqual([]);
    clock.advance(1);
    expect(changes).toEqual([true]);
    expect(door.read()).toBe(true);
  });

  it('reads inverted logic: a low line means key present', () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const key = new GpioSensor({ Gpio: bank.Gpio, line: 16, inverted: true, debounceMs: 50, clock });
    expect(key.read()).toBe(true);
    bank.line(16).input(1);
    clock.advance(50);
    expect(key.read()).toBe(false);
  });

  it('trusts the line over a stale interrupt value once quiet', () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const door = new GpioSensor({ Gpio: bank.Gpio, line: 6, inverted: false, debounceMs: 50, clock });
    bank.line(6).input(1, 0);
    clock.advance(50);
    expect(door.read()).toBe(true);
  });

  it('reports interrupt errors and keeps the last level', () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const errors: string[] = [];
    const door = new GpioSensor({
      Gpio: bank.Gpio,
      line: 6,
      inverted: false,
      debounceMs: 50,
      clock,
      onError: (e) => errors.push(e.message),
    });
    bank.line(6).interruptError(new Error('EINVAL'));
    clock.advance(100);
    expect(errors).toEqual(['EINVAL']);
    expect(door.read()).toBe(false);
  });

  it('stops watching and frees the line on close', () => {
    const bank = new FakeGpioBank();
    const clock = new SimulatedClock();
    const door = new GpioSensor({ Gpio: bank.Gpio, line: 6, inverted: false, debounceMs: 50, clock });
    const changes: boolean[] = [];
    door.onChange((v) => changes.push(v));
    bank.line(6).input(1);
    door.close();
    clock.advance(100);
    expect(changes).toEqual([]);
    expect(bank.line(6).exported).toBe(false);
    expect(bank.line(6).watchers).toHaveLength(0);
  });
});
