import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The protocol demo (`pnpm demo:protocol`) runs end to end over real UDP sockets and exits 0. */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDemo(): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.KEYDEPOT_DEMO_PORT; // a free port, whatever the developer's shell says
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/demo-protocol.ts'],
      { cwd: repoRoot, env, timeout: 10_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('scripts/demo-protocol.ts', () => {
  it('completes the handshake, the exchanges and the replay demo, and exits 0', { timeout: 15_000 }, async () => {
    const run = await runDemo();
    expect(run.code, `demo failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/144 B .*handshake initiation/);
    expect(out).toMatch(/76 B .*handshake response/);
    expect(out).toContain('session established');
    expect(out).toContain('EVENT_ACK');
    expect(out).toContain('COMMAND_RESULT');
    expect(out).toMatch(/dropped, reason 'replay'/);
    expect(out).toMatch(/dropped, reason 'stale-stamp'/);
    expect(out).toMatch(/dropped, reason 'tag'/);
    expect(out).toContain('Demo complete');
    // NO_COLOR and a pipe: plain text only.
    expect(out).not.toContain('\x1b[');
  });
});
