import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { Dialect } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';

/** What one in-process CLI run left behind. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A test database, a data folder and a working folder, and a way to run CLI command lines against them. */
export interface CliHarness {
  readonly database: TestDatabase;
  readonly dataDir: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  nowMs: number;
  run(argv: string[], options?: { stdin?: string; env?: Record<string, string | undefined> }): Promise<CliRun>;
  dispose(): Promise<void>;
}

export async function createCliHarness(dialect: Dialect): Promise<CliHarness> {
  const database = await createTestDatabase(dialect);
  const root = mkdtempSync(join(tmpdir(), 'keydepot-cli-'));
  const dataDir = join(root, 'data');
  const cwd = join(root, 'work');
  const env = {
    KEYDEPOT_DATA_DIR: dataDir,
    KEYDEPOT_DATABASE_URL: database.url,
    KEYDEPOT_PUBLIC_RELAY_HOST: 'relay.example.org',
    KEYDEPOT_PUBLIC_RELAY_PORT: '47901',
  };
  mkdirSync(cwd);
  const harness: CliHarness = {
    database,
    dataDir,
    cwd,
    env,
    nowMs: 1_790_000_000_000,
    async run(argv, options = {}) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, {
        env: { ...env, ...options.env },
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
        cwd,
        now: () => harness.nowMs,
      });
      return { code, stdout, stderr };
    },
    async dispose() {
      await database.dispose();
      rmSync(root, { recursive: true });
    },
  };
  return harness;
}
