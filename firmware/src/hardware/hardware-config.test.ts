import { describe, expect, it } from 'vitest';
import { DEFAULT_WIRING, hardwareConfigSchema } from './hardware-config.js';

describe('hardware config', () => {
  it('fills every default from an empty section', () => {
    const config = hardwareConfigSchema.parse({});
    expect(config).toMatchObject({
      sysfsGpioRoot: '/sys/class/gpio',
      relayActiveLow: true,
      doorInverted: false,
      keyInverted: true,
      debounceMs: 50,
      keypad: { path: '/dev/ttyACM0', baudRate: 115_200 },
    });
    expect(config.compartments).toEqual(DEFAULT_WIRING);
    expect(config.gpioChipLabel).toBeUndefined();
  });

  it('keeps the keypad defaults when only the path is given', () => {
    const config = hardwareConfigSchema.parse({ keypad: { path: '/dev/serial/by-id/usb-keydepot-keypad' } });
    expect(config.keypad).toEqual({ path: '/dev/serial/by-id/usb-keydepot-keypad', baudRate: 115_200 });
  });

  it('uses every default pin once, and none of I2C, UART or the HAT ID pins', () => {
    const pins = DEFAULT_WIRING.flatMap((c) => [c.lockPin, c.doorPin, c.keyPin]);
    expect(new Set(pins).size).toBe(18);
    for (const reserved of [0, 1, 2, 3, 14, 15]) expect(pins).not.toContain(reserved);
  });

  it('refuses a pin used twice, naming both uses', () => {
    const result = hardwareConfigSchema.safeParse({
      compartments: [
        { number: 1, lockPin: 17, doorPin: 5 },
        { number: 2, lockPin: 27, doorPin: 17 },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('BCM 17 is already compartment 1 lockPin');
    expect(result.error?.issues[0]?.path).toEqual(['compartments', 1, 'doorPin']);
  });

  it('refuses duplicate compartment numbers, pins off the header and a pulse too short to open a strike', () => {
    expect(
      hardwareConfigSchema.safeParse({
        compartments: [
          { number: 1, lockPin: 17, doorPin: 5 },
          { number: 1, lockPin: 27, doorPin: 6 },
        ],
      }).success,
    ).toBe(false);
    expect(hardwareConfigSchema.safeParse({ compartments: [{ number: 1, lockPin: 40, doorPin: 5 }] }).success).toBe(
      false,
    );
    // The pulse length is the depot setting unlockPulseMs alone; an older depot.json's lockPulseMs is dropped.
    expect(hardwareConfigSchema.parse({ lockPulseMs: 1_500 })).not.toHaveProperty('lockPulseMs');
  });
});
