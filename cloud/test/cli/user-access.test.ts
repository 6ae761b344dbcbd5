import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { listAudit } from '../../src/store/audit.js';
import { findUserByUsername } from '../../src/store/users.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalHarness } from '../portal/portal-harness.js';

describe.each(testDialects())('user disable and user enable on %s', (dialect) => {
  let h: PortalHarness;
  let dataDir: string;
  beforeEach(async () => {
    h = await createPortalHarness(dialect);
    dataDir = mkdtempSync(join(tmpdir(), 'keydepot-cli-'));
  });
  afterEach(async () => {
    await h.dispose();
    rmSync(dataDir, { recursive: true });
  });

  /** The CLI on the portal's own database, at the portal's clock. */
  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: { KEYDEPOT_DATA_DIR: dataDir, KEYDEPOT_DATABASE_URL: h.db.url },
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Readable.from([]),
      cwd: dataDir,
      now: () => h.now,
    });
    return { code, stdout, stderr };
  }

  it('disabling ends a live portal session at once; enabling lets the user log in again', async () => {
    await h.user('ops', { operator: true });
    await h.user('dora');
    const dora = h.client('192.0.2.64');
    await dora.login('dora');
    expect((await dora.get('/account')).status).toBe(200);

    h.now += 1_000;
    expect(await cli(['user', 'disable', '--username', 'dora'])).toEqual({
      code: 0,
      stdout: 'Disabled dora: logged out of the portal now, no new logins until user enable.\n',
      stderr: '',
    });
    // The same cookie, the next request: out.
    expect((await dora.get('/account')).status).toBe(303);
    await expect(h.client('192.0.2.65').login('dora')).rejects.toThrow(/401/);
    const dbUser = await findUserByUsername(h.db.db, 'dora');
    expect(dbUser?.disabledAtMs).toBe(h.now);
    // Ended, not only refused while disabled: the session stays dead after enable.
    const sessions = await h.db.db
      .selectFrom('portal_sessions')
      .select('ended_at_ms')
      .where('user_id', '=', dbUser?.id ?? 0)
      .execute();
    expect(sessions.map((s) => Number(s.ended_at_ms))).toEqual([h.now]);
    const [disabled] = await listAudit(h.db.db, { action: 'user.disable' });
    expect(disabled).toMatchObject({
      actor: 'cli',
      actorUserId: null,
      atMs: h.now,
      subject: 'dora',
      before: { disabled: false },
      after: { disabled: true },
      address: null,
    });

    expect((await cli(['user', 'disable', '--username', 'dora'])).stdout).toBe(
      'dora was already disabled; nothing changed.\n',
    );
    expect(await listAudit(h.db.db, { action: 'user.disable' })).toHaveLength(1);

    h.now += 1_000;
    expect(await cli(['user', 'enable', '--username', 'dora'])).toEqual({
      code: 0,
      stdout: 'Enabled dora: can log in again with their password.\n',
      stderr: '',
    });
    expect((await dora.get('/account')).status).toBe(303);
    await h.client('192.0.2.66').login('dora');
    expect((await findUserByUsername(h.db.db, 'dora'))?.disabledAtMs).toBeNull();
    expect(await listAudit(h.db.db, { action: 'user.enable' })).toMatchObject([
      { actor: 'cli', subject: 'dora', before: { disabled: true }, after: { disabled: false } },
    ]);
    expect((await cli(['user', 'enable', '--username', 'dora'])).stdout).toBe(
      'dora was already enabled; nothing changed.\n',
    );
  });

  it('refuses to disable the last enabled operator, and allows it while another one is enabled', async () => {
    await h.user('ops', { operator: true });
    await h.user('olga', { operator: true });
    const ops = h.client();
    await ops.login('ops');

    expect((await cli(['user', 'disable', '--username', 'olga'])).code).toBe(0);
    const last = await cli(['user', 'disable', '--username', 'ops']);
    expect(last).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: ops is the last enabled service operator; create or enable another operator first\n',
    });
    expect((await findUserByUsername(h.db.db, 'ops'))?.disabledAtMs).toBeNull();
    expect((await ops.get('/account')).status).toBe(200);
    expect(await listAudit(h.db.db, { action: 'user.disable' })).toHaveLength(1);

    // With olga enabled again, ops may go.
    expect((await cli(['user', 'enable', '--username', 'olga'])).code).toBe(0);
    expect((await cli(['user', 'disable', '--username', 'ops'])).code).toBe(0);
    expect((await ops.get('/account')).status).toBe(303);
  });

  it('an unknown user fails with a message; a missing --username is a usage error', async () => {
    await h.user('ops', { operator: true });
    expect(await cli(['user', 'disable', '--username', 'nobody'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: there is no user named 'nobody'\n",
    });
    expect((await cli(['user', 'enable', '--username', 'nobody'])).code).toBe(1);
    const missing = await cli(['user', 'disable']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--username is required');
    expect(await listAudit(h.db.db, {})).toEqual([]);
  });
});
