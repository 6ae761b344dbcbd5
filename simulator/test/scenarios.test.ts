/**
 * Every example scenario in simulator/scenarios/ runs headless as `pnpm sim run`
 * runs it (its own cloud on a temp SQLite store, depots through the cloud CLI,
 * the real firmware on simulated hardware) and passes; a scenario whose
 * expectation fails makes `sim run` exit 1 and name the step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-file.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const examples = join(repoRoot, 'simulator/scenarios');

// A simulated week offline costs ~35 s of real time on an idle machine (the depot keeps
// trying to handshake every few seconds); leave room for a loaded CI runner.
const SCENARIO_TIMEOUT_MS = 180_000;

describe('the example scenarios', () => {
  const files = readdirSync(examples).filter((name) => name.endsWith('.json'));

  it('are the four the issue asks for', () => {
    expect(files.sort()).toEqual([
      'brute-force-lockout.json',
      'holiday-guest-recurring-pin.json',
      'week-offline-resync.json',
      'workshop-after-hours-pickup.json',
    ]);
  });

  it.each(files)('%s passes', { timeout: SCENARIO_TIMEOUT_MS }, async (name) => {
    const scenario = parseScenario(readFileSync(join(examples, name), 'utf8'), name);
    const log: string[] = [];
    const result = await runScenario(scenario, { print: (line) => log.push(line) });
    expect(result.failure?.message, log.join('\n')).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(log.at(-1)).toMatch(new RegExp(`^PASSED: ${scenario.steps.length} steps`));
  });
});

describe('sim run', () => {
  it('exits 1 and names the step whose expectation failed, with what it saw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-scenario-'));
    try {
      const file = join(dir, 'wrong-pin.json');
      writeFileSync(
        file,
        JSON.stringify({
          name: 'A wrong PIN does not open',
          depots: [{ id: 'hof', name: 'Hof', compartments: 4 }],
          steps: [
            { do: 'pin', name: 'customer', digits: '48291377', compartment: 3 },
            { do: 'expect-pin', name: 'customer', state: 'on-depot' },
            { do: 'type', keys: '48291378#' },
            { do: 'expect-event', event: 'pin-accepted', within: '10s' },
            { do: 'type', keys: '48291377#' },
          ],
        }),
      );
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'simulator/bin/sim.ts', 'run', file],
          { cwd: repoRoot, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
        );
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toContain('FAILED at step 4 (expect-event event=pin-accepted within=10s):');
      expect(run.stdout).toMatch(
        /expected a pin-accepted from hof in the cloud, but after 10 s the cloud stored 0 \(its last events: .*pin-rejected/,
      );
      // The run stops at the failed step.
      expect(run.stdout).not.toMatch(/ 5\. type/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on a file that does not check, before starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-scenario-'));
    try {
      const file = join(dir, 'typo.json');
      writeFileSync(
        file,
        JSON.stringify({ name: 'typo', depots: [{ id: 'hof', name: 'Hof' }], steps: [{ do: 'opne-door' }] }),
      );
      const { runScenarioCli } = await import('../src/scenario/cli.js');
      const out: string[] = [];
      expect(await runScenarioCli([file], (line) => out.push(line))).toBe(2);
      expect(out).toEqual([`${file}: step 1: no command 'opne-door' (see \`pnpm sim commands\`)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
