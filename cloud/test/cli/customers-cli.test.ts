import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { listAudit } from '../../src/store/audit.js';
import { createCustomer } from '../../src/store/customers/customers.js';
import { writeSettings } from '../../src/store/invoices/invoice-settings.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalHarness } from '../portal/portal-harness.js';

describe.each(testDialects())('org role and retention run on %s', (dialect) => {
  let h: PortalHarness;
  let dataDir: string;
  let org: number;
  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    dataDir = mkdtempSync(join(tmpdir(), 'keydepot-cli-'));
    org = await h.organisation('Autohaus Kern');
  });
  afterAll(async () => {
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

  it('gives and takes a role on the customers, and the portal follows', async () => {
    await h.user('buchhaltung', { organisationId: org });
    const client = h.client();
    await client.login('buchhaltung');
    expect((await client.get(`/organisations/${org}/customers`)).status).toBe(404);
    expect(await cli(['org', 'role', '--org', 'Autohaus Kern', '--user', 'buchhaltung', '--role', 'viewer'])).toEqual({
      code: 0,
      stdout: 'buchhaltung is now viewer of the customers and invoices of "Autohaus Kern".\n',
      stderr: '',
    });
    expect((await client.get(`/organisations/${org}/customers`)).status).toBe(200);
    expect((await cli(['org', 'role', '--org', String(org), '--user', 'buchhaltung', '--role', 'boss'])).code).not.toBe(
      0,
    );
    expect((await cli(['org', 'role', '--org', String(org), '--user', 'buchhaltung', '--role', 'none'])).code).toBe(0);
    expect((await client.get(`/organisations/${org}/customers`)).status).toBe(404);
    expect((await listAudit(h.db.db, { action: 'organisation.role' })).length).toBe(2);
  });

  it('runs the retention job and reports what it erased', async () => {
    const keys = { sealer: h.deps.sealer, index: h.deps.blindIndex };
    const actor = { organisationId: org, actor: 'cli' as const, userId: null, nowMs: h.now, address: null };
    const person = {
      name: 'Alt Kunde',
      company: '',
      email: '',
      phone: '',
      address: '',
      plate: '',
      note: '',
      language: 'de' as const,
    };
    await createCustomer(h.db.db, keys, actor, person);
    await writeSettings(h.db.db, actor, { invoicePrefix: 'R', invoiceYear: true, customerRetentionMonths: 12 });
    h.now += 400 * 86_400_000;
    const run = await cli(['retention', 'run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Retention run over \d+ organisations?: 1 customer erased, 0 invoice recipients erased\.\n$/,
    );
    expect((await listAudit(h.db.db, { action: 'customer.erase' }))[0]?.actor).toBe('cli');
  });
});
