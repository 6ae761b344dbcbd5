import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Labels of the chip that drives the 40-pin header, best first. A Pi 5 also shows
 * pinctrl-bcm2712 chips (the SoC's own GPIOs, not the header), so rp1 must win.
 */
const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

/** A GPIO chip as sysfs describes it. */
export interface GpioChip {
  /** The sysfs directory name, e.g. gpiochip512. */
  readonly name: string;
  readonly label: string;
  /** The kernel GPIO number of the chip's line 0: 0 on old kernels, 512 from 6.6 on. */
  readonly base: number;
  readonly ngpio: number;
}

/** No usable GPIO chip, or a pin the chip does not have. */
export class GpioChipError extends Error {
  override readonly name = 'GpioChipError';
}

/** Reads every gpiochip* under the sysfs GPIO root (default /sys/class/gpio). */
export async function listGpioChips(sysfsRoot = '/sys/class/gpio'): Promise<GpioChip[]> {
  let entries: string[];
  try {
    entries = await readdir(sysfsRoot);
  } catch (error) {
    throw new GpioChipError(`cannot read ${sysfsRoot} (${(error as Error).message}); is this a Raspberry Pi?`);
  }
  const chips: GpioChip[] = [];
  for (const name of entries.filter((entry) => /^gpiochip\d+$/.test(entry)).sort()) {
    const read = (file: string): Promise<string> =>
      readFile(join(sysfsRoot, name, file), 'utf8').then((text) => text.trim());
    const [label, base, ngpio] = await Promise.all([read('label'), read('base'), read('ngpio')]);
    const chip = { name, label, base: Number(base), ngpio: Number(ngpio) };
    if (!Number.isInteger(chip.base) || !Number.isInteger(chip.ngpio)) {
      throw new GpioChipError(`${name}: base '${base}' or ngpio '${ngpio}' is not a number`);
    }
    chips.push(chip);
  }
  return chips;
}

/**
 * Finds the header's chip: the one labelled `label` if given, else the first of
 * HEADER_CHIP_LABELS present. The error lists what was found, for the technician.
 */
function pickHeaderChip(chips: readonly GpioChip[], label?: string): GpioChip {
  const wanted = label ? [label] : HEADER_CHIP_LABELS;
  for (const candidate of wanted) {
    const chip = chips.find((c) => c.label === candidate);
    if (chip) return chip;
  }
  const found = chips.map((c) => `${c.name} '${c.label}' base ${c.base}`).join(', ') || 'none';
  throw new GpioChipError(`no GPIO chip labelled ${wanted.join(' or ')} (found: ${found})`);
}

/** Maps BCM pin numbers (as on the pinout and in config) to the kernel's GPIO numbers. */
export class GpioLineMap {
  constructor(readonly chip: GpioChip) {}

  /** The kernel GPIO number that onoff (sysfs) needs for a BCM pin. */
  kernelLine(bcm: number): number {
    if (!Number.isInteger(bcm) || bcm < 0 || bcm >= this.chip.ngpio) {
      throw new GpioChipError(`BCM ${bcm} is not a line of ${this.chip.label} (0-${this.chip.ngpio - 1})`);
    }
    return this.chip.base + bcm;
  }
}

/** Reads sysfs and returns the line map for the header's chip. */
export async function loadGpioLineMap(options: { sysfsRoot?: string; label?: string } = {}): Promise<GpioLineMap> {
  return new GpioLineMap(pickHeaderChip(await listGpioChips(options.sysfsRoot), options.label));
}
