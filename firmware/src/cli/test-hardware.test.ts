import { describe, expect, it } from 'vitest';
import { createSimulatedHardware } from '../hardware/simulated/hardware.js';
import { runTestHardware } from './test-hardware.js';

function output() {
  let text = '';
  return {
    stdout: {
      write: (chunk: string) => {
        text += chunk;
      },
    },
    text: () => text,
  };
}

describe('runTestHardware on simulated hardware', () => {
  it('pulses each lock in turn, prints sensor states and changes, echoes keys', async () => {
    const hw = createSimulatedHardware({ compartments: 3, keySensors: [1, 3] });
    const out = output();
    // The technician opens compartment 2 while its lock clicks, then opens 3 and takes its key.
    hw.compartment(2).lock.onStateChange((locked) => {
      if (!locked) hw.compartment(2).openDoor();
    });
    hw.compartment(3).lock.onStateChange((locked) => {
      if (!locked) {
        hw.compartment(3).openDoor();
        hw.compartment(3).takeKey();
      }
    });
    const run = runTestHardware({
      hardware: hw,
      stdout: out.stdout,
      clock: hw.clock,
      pulseMs: 800,
      keyEchoSeconds: 10,
      gapMs: 500,
    });
    await hw.clock.advanceAsync(3 * 1_300);
    expect(hw.compartments.map((c) => c.lock.pulses.map((p) => [p.atMs, p.durationMs]))).toEqual([
      [[0, 800]],
      [[1_300, 800]],
      [[2_600, 800]],
    ]);
    hw.keypad.type('12#');
    await hw.clock.advanceAsync(9_000);
    hw.keypad.press('*');
    await hw.clock.advanceAsync(1_000);
    hw.keypad.press('9'); // after the echo window: not echoed
    const report = await run;

    expect(report.pulsed).toEqual([1, 2, 3]);
    expect(report.failed).toEqual([]);
    expect(report.keys).toEqual(['1', '2', '#', '*']);
    expect(report.sensorChanges).toEqual([
      'compartment 2 door opened',
      'compartment 3 door opened',
      'compartment 3 key taken',
    ]);
    expect(report.keypadAnswered).toBeUndefined();
    const lines = out.text().split('\n');
    expect(lines).toContain('compartment 1: door closed, key present');
    expect(lines).toContain('compartment 2: door closed, no key sensor');
    expect(lines).toContain('compartment 2: door open, no key sensor');
    expect(lines).toContain('compartment 3: door open, key absent');
    expect(lines).toContain('  key #');
    expect(lines.at(-2)).toBe('done: 3 locks pulsed, 0 failed, 3 sensor changes, 4 keys');
    expect(hw.keypad.beeps).toEqual(['key', 'key', 'key', 'key']);
    expect(hw.keypad.displayHistory).toContainEqual(['Tasten druecken', '12#*']);
    expect(hw.keypad.lines).toEqual(['Test beendet', '']);
    expect(hw.keypad.ledColour).toBe('off');
    expect(hw.keypad.listenerCount).toBe(0);
  });

  it('reports a lock that fails and goes on with the next', async () => {
    const hw = createSimulatedHardware({ compartments: 2 });
    hw.compartment(1).lock.failNextPulse(new Error('EIO writing GPIO 529'));
    const out = output();
    const run = runTestHardware({ hardware: hw, stdout: out.stdout, clock: hw.clock, pulseMs: 500, keyEchoSeconds: 0 });
    await hw.clock.advanceAsync(5_000);
    const report = await run;
    expect(report.failed).toEqual([{ number: 1, error: 'EIO writing GPIO 529' }]);
    expect(report.pulsed).toEqual([2]);
    expect(out.text()).toContain('compartment 1: FAILED: EIO writing GPIO 529');
    expect(hw.compartments.every((c) => c.lock.locked)).toBe(true);
  });
});
