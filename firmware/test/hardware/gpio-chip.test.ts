import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GpioChipError, listGpioChips, loadGpioLineMap } from '../../src/hardware/gpio-chip.js';

/** Fake sysfs trees as the kernels write them, in a temp dir. */
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'keydepot-sysfs-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function chip(base: number, label: string, ngpio: number): Promise<void> {
  const dir = join(root, `gpiochip${base}`);
  await mkdir(dir);
  await writeFile(join(dir, 'base'), `${base}\n`);
  await writeFile(join(dir, 'label'), `${label}\n`);
  await writeFile(join(dir, 'ngpio'), `${ngpio}\n`);
  await mkdir(join(dir, 'device'));
}

describe('GPIO line mapping from sysfs', () => {
  it('maps BCM numbers one to one on kernels before 6.6 (base 0)', async () => {
    await chip(0, 'pinctrl-bcm2835', 54);
    await chip(504, 'raspberrypi-exp-gpio', 8);
    await writeFile(join(root, 'export'), '');
    const map = await loadGpioLineMap({ sysfsRoot: root });
    expect(map.chip.name).toBe('gpiochip0');
    expect(map.kernelLine(17)).toBe(17);
  });

  it('adds base 512 on a Pi 4 with kernel 6.6 or later', async () => {
    await chip(512, 'pinctrl-bcm2711', 58);
    await chip(570, 'raspberrypi-exp-gpio', 8);
    const map = await loadGpioLineMap({ sysfsRoot: root });
    expect(map.kernelLine(17)).toBe(529);
    expect(map.kernelLine(0)).toBe(512);
  });

  it('picks the rp1 chip on a Pi 5 over the SoC chips listed before it', async () => {
    await chip(512, 'gpio-brcmstb@107d508500', 32);
    await chip(544, 'gpio-brcmstb@107d508520', 4);
    await chip(548, 'pinctrl-bcm2712', 17);
    await chip(571, 'pinctrl-rp1', 54);
    const chips = await listGpioChips(root);
    expect(chips).toHaveLength(4);
    const map = await loadGpioLineMap({ sysfsRoot: root });
    expect(map.chip.label).toBe('pinctrl-rp1');
    expect(map.kernelLine(17)).toBe(588);
  });

  it('takes a chip label from config', async () => {
    await chip(0, 'pinctrl-bcm2835', 54);
    await chip(100, 'my-expander', 16);
    const map = await loadGpioLineMap({ sysfsRoot: root, label: 'my-expander' });
    expect(map.kernelLine(3)).toBe(103);
  });

  it('says which chips it found when the header chip is missing', async () => {
    await chip(504, 'raspberrypi-exp-gpio', 8);
    await expect(loadGpioLineMap({ sysfsRoot: root })).rejects.toThrow(
      /no GPIO chip labelled pinctrl-rp1 or pinctrl-bcm2711 or pinctrl-bcm2835 \(found: gpiochip504 'raspberrypi-exp-gpio' base 504\)/,
    );
  });

  it('fails with a clear error without a sysfs GPIO directory', async () => {
    const error = await loadGpioLineMap({ sysfsRoot: join(root, 'missing') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpioChipError);
    expect((error as Error).message).toMatch(/cannot read .*missing.*Raspberry Pi/);
  });

  it('refuses a pin the chip does not have', async () => {
    await chip(512, 'pinctrl-bcm2711', 58);
    const map = await loadGpioLineMap({ sysfsRoot: root });
    expect(() => map.kernelLine(58)).toThrow(GpioChipError);
    expect(() => map.kernelLine(-1)).toThrow(GpioChipError);
  });

  it('refuses a chip whose base is not a number', async () => {
    await chip(0, 'pinctrl-bcm2835', 54);
    await writeFile(join(root, 'gpiochip0', 'base'), 'garbage\n');
    await expect(listGpioChips(root)).rejects.toThrow(GpioChipError);
  });
});
