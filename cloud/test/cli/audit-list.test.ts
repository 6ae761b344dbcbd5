import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/cli/audit-list.js';
import { verifyExport } from '../../src/exports/export-integrity.js';
import { appendAudit } from '../../src/store/audit.js';
import { createDepot } from '../../src/store/depots.js';
import { createOrganisation } from '../../src/store/organisations.js';
import { createUser } from '../../src/store/users.js';
import { testDialects } from '../databases.js';
import { type CliHarness, createCliHarness } from './cli-harness.js';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const HOUR = 3_600_000;

describe('audit list helpers', () => {
  it('reads ISO dates and times with their zone, and refuses the rest', () => {
    expect(parseInstant('2026-03-01')).toEqual({ ms: Date.UTC(2026, 2, 1), dateOnly: true });
    expect(parseInstant('2026-03-01T08:30:00Z')).toEqual({ ms: Date.UTC(2026, 2, 1, 8, 30), dateOnly: false });
    expect(parseInstant('2026-03-01T08:30Z')?.ms).toBe(Date.UTC(2026, 2, 1, 8, 30));
    expect(parseInstant('2026-03-01T09:30:00.5+01:00')?.ms).toBe(Date.UTC(2026, 2, 1, 8, 30, 0, 500));
    expect(parseInstant('2026-03-01T03:30:00-05:00')?.ms).toBe(Date.UTC(2026, 2, 1, 8, 30));
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '2026-03-01T08:30:00', '2026-03-01T25:00Z', '']) {
      expect(parseInstant(bad), bad).toBeNull();
    }
  });
});

describe.each(testDialects())('audit list on %s', (dialect) => {
  let cli: CliHarness;
  let depotA: number;
  let depotB: number;
  beforeEach(async () => {
    cli = await createCliHarness(dialect);
    const { db } = cli.database;
    const orgA = await createOrganisation(db, { name: 'Werkstatt', nowMs: T0 });
    const orgB = await createOrganisation(db, { name: 'Lager', nowMs: T0 });
    const depot = (organisationId: number, name: string) =>
      createDepot(db, {
        organisationId,
        name,
        publicKey: new Uint8Array(randomBytes(32)),
        compartmentCount: 4,
        nowMs: T0,
      });
    depotA = (await depot(orgA.id, 'Halle 1')).id;
    depotB = (await depot(orgB.id, 'Tor 3')).id;
    const anna = await createUser(db, { username: 'anna', password: null, isOperator: true, nowMs: T0 });
    await appendAudit(db, {
      atMs: T0,
      actor: 'cli',
      action: 'organisation.create',
      organisationId: orgA.id,
      subject: 'Werkstatt',
    });
    await appendAudit(db, {
      atMs: T0 + HOUR,
      actor: 'user',
      actorUserId: anna.id,
      action: 'depot.settings',
      organisationId: orgA.id,
      depotId: depotA,
      subject: '=HYPERLINK("http://evil.example","x")',
      before: { name: 'Halle' },
      after: { name: 'Halle, "neu"' },
      address: '192.0.2.7',
    });
    // No organisation on the entry: --org finds it through its depot.
    await appendAudit(db, {
      atMs: T0 + 2 * HOUR,
      actor: 'relay',
      action: 'depot.online',
      depotId: depotB,
      subject: 'Tor 3',
    });
    await appendAudit(db, {
      atMs: T0 + 3 * HOUR,
      actor: 'user',
      actorUserId: anna.id,
      action: 'pin.create',
      organisationId: orgB.id,
      depotId: depotB,
      subject: '-1+2',
    });
    await appendAudit(db, { atMs: T0 + 25 * HOUR, actor: 'cli', action: 'user.disable', subject: '@ops' });
  });
  afterEach(() => cli.dispose());

  async function actions(...options: string[]): Promise<string[]> {
    const run = await cli.run(['audit', 'list', '--format', 'json', ...options]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as Array<{ action: string }>).map((row) => row.action);
  }

  it('prints every entry newest first as a table', async () => {
    const run = await cli.run(['audit', 'list']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+ACTOR\s+ACTION\s+DEPOT\s+SUBJECT\s+CHANGE$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/)[2])).toEqual([
      'user.disable',
      'pin.create',
      'depot.online',
      'depot.settings',
      'organisation.create',
    ]);
    expect(lines[4]).toContain('2026-03-01T09:00:00Z');
    expect(lines[4]).toContain('user anna');
    expect(lines[4]).toContain(`${depotA} Halle 1`);
    expect(lines[4]).toContain('{"name":"Halle"} → {"name":"Halle, \\"neu\\""}');
  });

  it('filters by organisation, depot, actor, action and time', async () => {
    expect(await actions('--org', 'Werkstatt')).toEqual(['depot.settings', 'organisation.create']);
    expect(await actions('--org', '2')).toEqual(['pin.create', 'depot.online']);
    expect(await actions('--depot', String(depotB))).toEqual(['pin.create', 'depot.online']);
    expect(await actions('--actor', 'anna')).toEqual(['pin.create', 'depot.settings']);
    expect(await actions('--actor', 'relay')).toEqual(['depot.online']);
    expect(await actions('--actor', 'cli')).toEqual(['user.disable', 'organisation.create']);
    expect(await actions('--action', 'depot')).toEqual(['depot.online', 'depot.settings']);
    expect(await actions('--action', 'depot.')).toEqual(['depot.online', 'depot.settings']);
    expect(await actions('--action', 'pin.create')).toEqual(['pin.create']);
    expect(await actions('--action', 'pin.cr')).toEqual([]);
    // --since inclusive, --until exclusive.
    expect(await actions('--since', '2026-03-01T09:00:00Z', '--until', '2026-03-01T11:00:00Z')).toEqual([
      'depot.online',
      'depot.settings',
    ]);
    expect(await actions('--since', '2026-03-01T10:00:00+01:00', '--until', '2026-03-01T11:00:00+01:00')).toEqual([
      'depot.settings',
    ]);
    // A date alone as --until counts the whole day.
    expect(await actions('--until', '2026-03-01')).toHaveLength(4);
    expect(await actions('--since', '2026-03-02')).toEqual(['user.disable']);
    expect(await actions('--actor', 'anna', '--org', 'Lager', '--action', 'pin')).toEqual(['pin.create']);
  });

  it('--limit cuts the newest entries and says on stderr that more match', async () => {
    const run = await cli.run(['audit', 'list', '--format', 'json', '--limit', '2']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Array<{ action: string }>).map((r) => r.action)).toEqual([
      'user.disable',
      'pin.create',
    ]);
    expect(run.stderr).toBe('More entries match: raise --limit (now 2) or narrow the filter.\n');
    expect((await cli.run(['audit', 'list', '--limit', '5'])).stderr).toBe('');
  });

  it("writes the portal export's CSV: BOM, formula starts guarded, filter and SHA-256 last, verify-export intact", async () => {
    const run = await cli.run(['audit', 'list', '--format', 'csv', '--limit', '4', '--delimiter', ';']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('\uFEFF')).toBe(true);
    const records = parse(run.stdout.slice(1), { delimiter: ';', relax_column_count: true }) as string[][];
    expect(records[0]?.join(',')).toBe(
      'id,time,time_local,actor,actor_user,action,organisation_id,depot_id,depot,subject,before,after,address',
    );
    expect(records[1]).toEqual([
      '5',
      '2026-03-02T09:00:00.000Z',
      '',
      'cli',
      '',
      'user.disable',
      '',
      '',
      '',
      "'@ops",
      '',
      '',
      '',
    ]);
    expect(records[2]?.slice(0, 10)).toEqual([
      '4',
      '2026-03-01T11:00:00.000Z',
      '2026-03-01T12:00:00+01:00',
      'user',
      'anna',
      'pin.create',
      '2',
      String(depotB),
      'Tor 3',
      "'-1+2",
    ]);
    expect(records[4]?.slice(9)).toEqual([
      `'=HYPERLINK("http://evil.example","x")`,
      '{"name":"Halle"}',
      '{"name":"Halle, \\"neu\\""}',
      '192.0.2.7',
    ]);
    expect(records[5]).toEqual(['']);
    expect(records[6]?.[0]).toBe('filter');
    expect(JSON.parse(records[6]?.[1] as string)).toMatchObject({ export: 'audit', limit: '4' });
    expect(records[7]?.[0]).toBe('sha256');
    expect(verifyExport(Buffer.from(run.stdout))).toMatchObject({ state: 'intact', format: 'csv' });
    expect(verifyExport(Buffer.from(run.stdout.replace('Tor 3', 'Tor 4'))).state).toBe('altered');
  });

  it('verify-export says intact or altered for a file, and refuses what is no export', async () => {
    const run = await cli.run(['audit', 'list', '--format', 'csv']);
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-verify-'));
    const file = join(dir, 'audit.csv');
    writeFileSync(file, run.stdout);
    const intact = await cli.run(['verify-export', file]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/: intact \(CSV, SHA-256 [0-9a-f]{64}\)\nfilter: /);
    writeFileSync(file, run.stdout.replace('anna', 'anne'));
    const altered = await cli.run(['verify-export', file]);
    expect(altered.code).toBe(1);
    expect(altered.stderr).toMatch(/ALTERED/);
    writeFileSync(file, 'a,b\r\n1,2\r\n');
    expect((await cli.run(['verify-export', file])).stderr).toMatch(/not a keydepot export/);
    expect((await cli.run(['verify-export', join(dir, 'missing.csv')])).stderr).toMatch(/cannot read .*ENOENT/);
    expect((await cli.run(['verify-export'])).code).toBe(2);
    expect((await cli.run(['verify-export', file, file])).code).toBe(2);
    rmSync(dir, { recursive: true });
  });

  it('writes JSON with every field', async () => {
    const run = await cli.run(['audit', 'list', '--format', 'json', '--action', 'depot.settings']);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        id: 2,
        time: '2026-03-01T09:00:00.000Z',
        atMs: T0 + HOUR,
        actor: 'user',
        actorUsername: 'anna',
        action: 'depot.settings',
        organisationId: 1,
        depotId: depotA,
        depotName: 'Halle 1',
        subject: '=HYPERLINK("http://evil.example","x")',
        before: { name: 'Halle' },
        after: { name: 'Halle, "neu"' },
        address: '192.0.2.7',
      },
    ]);
    expect((await cli.run(['audit', 'list', '--format', 'json', '--actor', 'nobody-else'])).code).toBe(1);
  });

  it('says so when nothing matches', async () => {
    expect(await cli.run(['audit', 'list', '--since', '2027-01-01'])).toEqual({
      code: 0,
      stdout: 'No audit entries.\n',
      stderr: '',
    });
    const empty = (await cli.run(['audit', 'list', '--format', 'csv', '--since', '2027-01-01'])).stdout;
    expect(empty.split('\r\n')[0]).toBe(
      '\uFEFFid,time,time_local,actor,actor_user,action,organisation_id,depot_id,depot,subject,before,after,address',
    );
    expect(empty.split('\r\n')[1]).toBe('');
  });

  it('refuses bad option values with a message naming the option (exit 2)', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['--since', 'yesterday'],
        "--since must be an ISO date or time like 2026-03-01 or 2026-03-01T08:00:00Z, got 'yesterday'",
      ],
      [['--until', '2026-02-30'], '--until must be an ISO date'],
      [['--since', '2026-03-01T08:00:00'], '--since must be an ISO date'],
      [['--since', '2026-03-02', '--until', '2026-03-01T12:00:00Z'], '--until must be later than --since'],
      [['--limit', '0'], '--limit must be a whole number from 1 to 100000'],
      [['--limit', 'ten'], '--limit must be a whole number'],
      [['--format', 'xml'], "--format must be one of table, csv, json, got 'xml'"],
      [['--action', 'DROP TABLE'], '--action must be an action'],
      [['--depot', 'x'], '--depot must be a whole number'],
    ];
    for (const [options, message] of cases) {
      const run = await cli.run(['audit', 'list', ...options]);
      expect(run.code, options.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`error: ${message}`);
      expect(run.stderr).toContain('see: keydepot-cloud audit list --help');
    }
    expect(await cli.run(['audit', 'list', '--actor', 'nobody'])).toMatchObject({
      code: 1,
      stderr: "error: there is no user named 'nobody' (--actor)\n",
    });
    expect(await cli.run(['audit', 'list', '--depot', '999'])).toMatchObject({
      code: 1,
      stderr: 'error: there is no depot 999\n',
    });
    expect((await cli.run(['audit', 'list', '--org', 'Nirgendwo'])).code).toBe(1);
  });
});
