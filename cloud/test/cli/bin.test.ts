import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const bin = join(root, 'cloud', 'bin', 'keydepot-cloud.ts');

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      [bin, ...args],
      { env: { ...process.env, ...env }, cwd: env.KEYDEPOT_DATA_DIR },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

describe('the keydepot-cloud executable', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true });
    dir = undefined;
  });

  it('passes runCli exit codes to the process and exits on its own (no open handles)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keydepot-bin-'));
    const env = { KEYDEPOT_DATA_DIR: dir };
    const created = await run(['org', 'create', '--name', 'Werkstatt'], env);
    expect(created).toEqual({ code: 0, stdout: '1\n', stderr: '' });
    const missing = await run(['depot', 'revoke', '--depot', '7'], env);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'error: there is no depot 7\n' });
    expect((await run(['depot', 'list', '--bogus'], env)).code).toBe(2);
  });
});
