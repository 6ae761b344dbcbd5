import { z } from 'zod';

/** BCM numbers of the 40-pin header's GPIOs. */
const bcmPin = z.number().int().min(0).max(27);

/** One compartment's wiring (docs/hardware.md has the default table). */
const compartmentWiringSchema = z.object({
  /** 1-based, as on the wire. */
  number: z.number().int().min(1).max(255),
  /** Relay input driving the lock. */
  lockPin: bcmPin,
  /** Door reed contact. */
  doorPin: bcmPin,
  /** Key-presence sensor, if fitted. */
  keyPin: bcmPin.optional(),
});

/**
 * The default wiring for six compartments: relays on 17/27/22/23/24/25, door
 * contacts on 5/6/13/19/26/12, key sensors on 16/20/21/4/18/7. I2C (2, 3), the
 * UART (14, 15) and the HAT ID pins (0, 1) stay free; 7 is SPI CE1, free while SPI
 * is off (the default).
 */
export const DEFAULT_WIRING: readonly z.infer<typeof compartmentWiringSchema>[] = [
  { number: 1, lockPin: 17, doorPin: 5, keyPin: 16 },
  { number: 2, lockPin: 27, doorPin: 6, keyPin: 20 },
  { number: 3, lockPin: 22, doorPin: 13, keyPin: 21 },
  { number: 4, lockPin: 23, doorPin: 19, keyPin: 4 },
  { number: 5, lockPin: 24, doorPin: 26, keyPin: 18 },
  { number: 6, lockPin: 25, doorPin: 12, keyPin: 7 },
];

/** The `hardware` section of the depot config. */
export const hardwareConfigSchema = z
  .object({
    /** The header's gpiochip label; omitted = detect (pinctrl-rp1, -bcm2711, -bcm2835). */
    gpioChipLabel: z.string().min(1).optional(),
    sysfsGpioRoot: z.string().min(1).default('/sys/class/gpio'),
    /** Most relay boards switch on a low input. */
    relayActiveLow: z.boolean().default(true),
    /** false: a high door line means open (contact to ground, pull-up: a cut wire reads open). */
    doorInverted: z.boolean().default(false),
    /** true: a low key line means present (microswitch or hall sensor pulling low). */
    keyInverted: z.boolean().default(true),
    /** Contact bounce of reed contacts and microswitches settles well within 50 ms. */
    debounceMs: z.number().int().min(0).max(1_000).default(50),
    compartments: z
      .array(compartmentWiringSchema)
      .min(1)
      .default(() => DEFAULT_WIRING.map((c) => ({ ...c }))),
    keypad: z
      .object({
        /** Prefer the stable /dev/serial/by-id/… name over ttyACM0, which can change on replug. */
        path: z.string().min(1).default('/dev/ttyACM0'),
        baudRate: z.number().int().positive().default(115_200),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const numbers = new Set<number>();
    const pins = new Map<number, string>();
    config.compartments.forEach((c, index) => {
      if (numbers.has(c.number)) {
        ctx.addIssue({
          code: 'custom',
          path: ['compartments', index, 'number'],
          message: `compartment ${c.number} twice`,
        });
      }
      numbers.add(c.number);
      for (const [role, pin] of [
        ['lockPin', c.lockPin],
        ['doorPin', c.doorPin],
        ['keyPin', c.keyPin],
      ] as const) {
        if (pin === undefined) continue;
        const other = pins.get(pin);
        if (other) {
          ctx.addIssue({
            code: 'custom',
            path: ['compartments', index, role],
            message: `BCM ${pin} is already ${other}`,
          });
        }
        pins.set(pin, `compartment ${c.number} ${role}`);
      }
    });
  });

export type HardwareConfig = z.infer<typeof hardwareConfigSchema>;
