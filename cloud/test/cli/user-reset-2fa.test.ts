import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { listAudit } from '../../src/store/audit.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalHarness } from '../portal/portal-harness.js';

describe.each(testDialects())('user reset-2fa on %s', (dialect) => {
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

  it("removes an operator's authenticator app and recovery codes, ends the session, and the next login asks to enrol", async () => {
    await h.user('ops', { operator: true });
    const browser = h.client('192.0.2.70');
    await browser.login('ops');
    await browser.get('/account');
    expect((await browser.post('/account/recovery-codes')).status).toBe(200);
    const run = await cli(['user', 'reset-2fa', '--username', 'ops']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('authenticator app removed');
    expect(await h.db.db.selectFrom('totp_factors').selectAll().execute()).toEqual([]);
    expect(await h.db.db.selectFrom('recovery_codes').selectAll().execute()).toEqual([]);
    expect((await browser.get('/account')).status).toBe(303);
    const audit = await listAudit(h.db.db, { action: 'user.second-factor-reset' });
    expect(audit.map((e) => [e.actor, e.subject])).toEqual([['cli', 'ops']]);
    await browser.get('/login');
    const login = await browser.post('/login', { username: 'ops', password: 'correct horse battery staple' });
    expect(login.headers.get('location')).toBe('/login/enrol');
    expect((await cli(['user', 'reset-2fa', '--username', 'nobody'])).code).not.toBe(0);
  });
});
