/** The shipped daemon is the bundle from scripts/build-depot.ts: it must build and start with bare node. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildDepot } from './build-depot.js';

describe('scripts/build-depot.ts', () => {
  it('bundles the daemon into firmware/dist, and bare node runs its help', async () => {
    const built = await buildDepot();
    expect(built.outfile).toMatch(/firmware[/\\]dist[/\\]keydepot-depot\.mjs$/);
    const run = spawnSync(process.execPath, ['--max-semi-space-size=1', built.outfile, '--help'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('usage: keydepot-depot');
  });
});
