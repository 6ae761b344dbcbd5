/**
 * Runs test/support/service-depot.ts (the daemon as `keydepot-depot run` runs
 * it) in a child process for a provisioned fixture: file-backed GPIO lines in
 * the fixture folder, a mock serial keypad board the test types on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DepotFixture } from './depot-fixture.js';
import { readLine } from './file-gpio.js';
import type { ServiceDepotSpec } from './service-depot.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHILD = join(import.meta.dirname, 'service-depot.ts');
/** Relay input of compartment 1-3 in this wiring. */
export const RELAY_LINES = [17, 27, 22];
const RELEASED = 1; // active-low relay board

/** Wires the fixture's depot.json to file-backed GPIO (3 compartments) and merges `extra` into it; returns the lines folder. */
export function wireServiceDepot(fixture: DepotFixture, extra: Record<string, unknown> = {}): string {
  const sysfs = join(fixture.dir, 'sysfs');
  mkdirSync(join(sysfs, 'gpiochip0'), { recursive: true });
  for (const [file, value] of [
    ['base', '0'],
    ['label', 'pinctrl-bcm2835'],
    ['ngpio', '54'],
  ]) {
    writeFileSync(join(sysfs, 'gpiochip0', file), `${value}\n`);
  }
  const linesDir = join(fixture.dir, 'lines');
  mkdirSync(linesDir, { recursive: true });
  const depotFile = join(fixture.dir, 'depot.json');
  const depot = JSON.parse(readFileSync(depotFile, 'utf8'));
  depot.hardware = {
    sysfsGpioRoot: sysfs,
    keypad: { path: `/dev/ttyKEYPAD-${fixture.bundle.depotId}` },
    compartments: [
      { number: 1, lockPin: 17, doorPin: 5, keyPin: 16 },
      { number: 2, lockPin: 27, doorPin: 6, keyPin: 20 },
      { number: 3, lockPin: 22, doorPin: 13, keyPin: 21 },
    ],
  };
  writeFileSync(depotFile, JSON.stringify({ ...depot, ...extra }));
  return linesDir;
}

export interface ServiceChild {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
  /** Types on the keypad board, e.g. `123456#`. */
  type(keys: string): void;
  /** Sends a line to the child's stdin (`board dead`, `board alive`, …). */
  send(line: string): void;
  /** True while compartment `n`'s relay line is energised. */
  energised(n: number): boolean;
}

export function startServiceChild(
  spec: ServiceDepotSpec,
  env: Readonly<Record<string, string>> = {},
  /** A command the child runs under, e.g. `['ip', 'netns', 'exec', 'depot']`. */
  wrap: readonly string[] = [],
): ServiceChild {
  const args = [process.execPath, '--import', 'tsx', CHILD, JSON.stringify(spec)];
  const [program, ...rest] = [...wrap, ...args] as [string, ...string[]];
  const child = spawn(program, rest, {
    cwd: ROOT,
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const send = (line: string) => child.stdin?.write(`${line}\n`);
  return {
    child,
    exited,
    stderr: () => stderr,
    type: (keys) => send(`keys ${keys}`),
    send,
    energised(n) {
      try {
        return readLine(spec.linesDir, RELAY_LINES[n - 1] as number) !== RELEASED;
      } catch {
        return false;
      }
    },
  };
}
