import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The Quick-start demo (`pnpm demo`, scripts/demo-system.ts) in a child
 * process, as a user starts it: relay + portal on SQLite, three depots on the
 * real firmware, the scripted movements; `--once` makes it stop by itself.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('the Quick-start demo', () => {
  it('sets up, runs every scripted movement through the cloud, and stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keydepot-demo-'));
    try {
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            '--import',
            'tsx',
            'scripts/demo-system.ts',
            '--once',
            '--data-dir',
            dataDir,
            '--http-port',
            '0',
            '--udp-port',
            '0',
          ],
          { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
        );
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Portal: {2}http:\/\/127\.0\.0\.1:\d+\//);
      expect(run.stdout).toMatch(/Login: {3}admin \/ \S{12,}/);
      for (const line of [
        'Autohaus Kern – Hof  compartment 3: PIN accepted',
        'Autohaus Kern – Hof  compartment 3: key taken',
        'Autohaus Kern – Service: wrong PIN',
        'Autohaus Kern – Hof  compartment 3: key returned',
        'Ferienwohnung Seeblick  compartment 1: key taken',
        'Stopped cleanly.',
      ]) {
        expect(run.stdout).toContain(line);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
