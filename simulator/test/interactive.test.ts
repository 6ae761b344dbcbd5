/**
 * The interactive mode as a tester uses it, driven through streams instead of
 * a terminal: `sim interactive` starts its own cloud and the demo's three
 * depots on the real firmware, and each typed line runs through the command
 * table, printing the display, lock, door and key states as they change.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runInteractiveCli } from '../src/interactive/cli.js';

const SESSION = [
  'help',
  'depot service',
  'compartment 2',
  'pin customer 48291377',
  'expect-pin customer on-depot',
  'type 123456#',
  'type 48291377#',
  'open-door',
  'take-key',
  'close-door',
  'expect-event key-removed compartment=2 count=1',
  'open-door 4',
  'expect-lockout on',
  'bogus',
  'cut-network',
  'power-cycle',
  'status',
  'quit',
  'type 1#',
];

describe('sim interactive', () => {
  it('drives a depot line by line and shows what changed', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const done = runInteractiveCli([], { input, output });
    input.end(`${SESSION.join('\n')}\n`);
    expect(await done).toBe(0);

    // The banner names the depots, help lists the table.
    expect(text).toMatch(/service +depot 2 {2}Autohaus Kern – Service, 6 compartments/);
    expect(text).toContain('expect-event <event> [count] [compartment] [pin] [subject] [within] [depot]');
    // The prompt follows the selection.
    expect(text).toContain('service/2> ');
    expect(text).toContain("PIN 'customer' (48291377) for service compartment 2 queued as command 1");
    expect(text).toContain('it is on-depot');
    // The keypad answers and the compartment changes, step by step.
    expect(text).toContain('display: Falsche PIN');
    expect(text).toContain('display: Fach 2 offen');
    expect(text).toContain('>  2  UNLOCKED  door closed  key present');
    expect(text).toContain('>  2  UNLOCKED  door OPEN    key taken');
    expect(text).toContain('key-removed in compartment 2 from service: 1 in the cloud');
    // What cannot be done, and an expectation that does not hold, are answered, not fatal.
    expect(text).toContain('! compartment 4 is locked: the door does not open');
    expect(text).toContain('! expected the keypad lockout on, but it is off');
    expect(text).toContain("! unknown command 'bogus'; 'help' lists them");
    expect(text).toContain('service: network cut');
    expect(text).toContain('service: power cut, booted again');
    expect(text).toMatch(/service: Autohaus Kern – Service \(depot 2\) {2}powered {2}network CUT/);
    expect(text).toContain('>  2  locked    door closed  key taken');
    // The cloud's event feed printed what the store received; nothing after quit ran.
    expect(text).toMatch(/cloud: +\S+ +service +compartment 2: key taken/);
    expect(text).toMatch(/cloud: +\S+ +service: wrong PIN/);
    expect(text).not.toContain('display: PIN zu kurz');
    expect(text.trimEnd().endsWith('Stopped.')).toBe(true);
  });
});

describe('pnpm sim --quiet', () => {
  it('opens the prompt without the event feed, as docs/simulator.md says', { timeout: 60_000 }, async () => {
    const root = join(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'simulator', 'bin', 'sim.ts'), '--quiet'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.stdin.end('depot hof\ntype 123456#\nwait 2s\nquit\n');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(text).not.toContain('usage: pnpm sim');
    expect(text).toContain('display: Falsche PIN');
    expect(text).not.toMatch(/cloud: /);
    expect(text.trimEnd().endsWith('Stopped.')).toBe(true);
    expect(code).toBe(0);
  });
});
