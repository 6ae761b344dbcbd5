import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { passwordTokenUser } from '../../src/portal/session/password-tokens.js';
import { listAudit } from '../../src/store/audit.js';
import { listDepotsForUser } from '../../src/store/grants.js';
import { organisationsOfUser } from '../../src/store/organisations.js';
import { findUserByUsername, verifyPassword } from '../../src/store/users.js';
import { testDialects } from '../databases.js';
import { type CliHarness, createCliHarness } from './cli-harness.js';

describe.each(testDialects())('accounts, lists and help on %s', (dialect) => {
  let cli: CliHarness;
  beforeEach(async () => {
    cli = await createCliHarness(dialect);
  });
  afterEach(() => cli.dispose());

  it('migrate reports an up-to-date database', async () => {
    expect(await cli.run(['migrate'])).toEqual({
      code: 0,
      stdout: `The ${dialect} database is up to date.\n`,
      stderr: '',
    });
  });

  it('user create reads the password from standard input or a file, with an Argon2id hash', async () => {
    await cli.run(['org', 'create', '--name', 'Werkstatt']);
    const anna = await cli.run(
      ['user', 'create', '--username', 'anna', '--operator', '--org', 'Werkstatt', '--password-stdin'],
      {
        stdin: 'correct horse battery\nignored second line\n',
      },
    );
    expect(anna).toEqual({
      code: 0,
      stdout: 'Created service operator anna (id 1) in organisation 1 "Werkstatt".\n',
      stderr: '',
    });
    const { db } = cli.database;
    expect(await verifyPassword(db, 'anna', 'correct horse battery')).toMatchObject({
      username: 'anna',
      isOperator: true,
    });
    expect(await organisationsOfUser(db, 1)).toEqual([1]);

    writeFileSync(join(cli.cwd, 'pw.txt'), 'another long password\r\n', { mode: 0o600 });
    const bert = await cli.run([
      'user',
      'create',
      '--username',
      'bert',
      '--password-file',
      'pw.txt',
      '--language',
      'en',
    ]);
    expect(bert.code).toBe(0);
    expect(await verifyPassword(db, 'bert', 'another long password')).toMatchObject({
      isOperator: false,
      language: 'en',
    });

    const actions = (await listAudit(db, { actor: 'cli' })).map((e) => e.action);
    expect(actions).toEqual(['user.create', 'organisation.member.add', 'user.create', 'organisation.create']);
    const audits = JSON.stringify(await listAudit(db));
    expect(audits).not.toContain('argon2');
    expect(audits).not.toContain('correct horse');
  });

  it('user create generates a password and shows it once when none is given', async () => {
    const run = await cli.run(['user', 'create', '--username', 'carl']);
    expect(run.code).toBe(0);
    const password = /^Password \(shown only now\): (\S{24})$/m.exec(run.stdout)?.[1];
    expect(password).toBeDefined();
    expect(await verifyPassword(cli.database.db, 'carl', password as string)).not.toBeNull();
  });

  it('user create refuses a taken name, a short password, and two password sources', async () => {
    await cli.run(['user', 'create', '--username', 'dora']);
    expect(await cli.run(['user', 'create', '--username', 'dora'])).toMatchObject({
      code: 1,
      stderr: "error: a user named 'dora' exists already\n",
    });
    expect(
      await cli.run(['user', 'create', '--username', 'emil', '--password-stdin'], { stdin: 'short\n' }),
    ).toMatchObject({
      code: 1,
      stderr: 'error: the password must have at least 12 characters\n',
    });
    const both = await cli.run(['user', 'create', '--username', 'emil', '--password-stdin', '--password-file', 'x']);
    expect(both.code).toBe(2);
    expect(await findUserByUsername(cli.database.db, 'emil')).toBeNull();
  });

  it('depot grant gives a user a role, depot list shows depots as a table or JSON', async () => {
    await cli.run(['org', 'create', '--name', 'Werkstatt']);
    await cli.run(['org', 'create', '--name', 'Andere']);
    await cli.run(['depot', 'create', '--org', 'Werkstatt', '--name', 'Hof', '--compartments', '6']);
    await cli.run(['depot', 'create', '--org', 'Andere', '--name', 'Markt', '--compartments', '3']);
    await cli.run(['user', 'create', '--username', 'anna']);
    const grant = await cli.run(['depot', 'grant', '--depot', '1', '--user', 'anna', '--role', 'owner']);
    expect(grant).toEqual({ code: 0, stdout: 'anna is now owner of depot 1 "Hof".\n', stderr: '' });
    const change = await cli.run(['depot', 'grant', '--depot', '1', '--user', 'anna', '--role', 'viewer']);
    expect(change.stdout).toBe('anna is now viewer (was owner) of depot 1 "Hof".\n');
    expect((await listDepotsForUser(cli.database.db, 1)).map((g) => [g.depot.id, g.role])).toEqual([[1, 'viewer']]);
    expect((await cli.run(['depot', 'grant', '--depot', '1', '--user', 'nobody', '--role', 'owner'])).code).toBe(1);
    expect((await cli.run(['depot', 'grant', '--depot', '1', '--user', 'anna', '--role', 'boss'])).code).toBe(2);

    const table = await cli.run(['depot', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^ID\s+ORGANISATION\s+NAME\s+COMPARTMENTS\s+STATE\s+LAST SEEN\s+PUBLIC KEY$/,
    );
    expect(table.stdout).toMatch(/^1\s+Werkstatt\s+Hof\s+6\s+never seen/m);
    expect(table.stdout).toMatch(/^2\s+Andere\s+Markt\s+3\s+never seen/m);
    const json = JSON.parse((await cli.run(['depot', 'list', '--org', 'Andere', '--json'])).stdout);
    expect(json).toEqual([expect.objectContaining({ id: 2, name: 'Markt', state: 'never seen', compartmentCount: 3 })]);
    expect(json[0].publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli.run(['org', 'list'])).stdout).toBe('1\tWerkstatt\n2\tAndere\n');
  });

  it('answers --help for the program and each command, and names unknown commands', async () => {
    const overview = await cli.run(['--help']);
    expect(overview.code).toBe(0);
    for (const name of [
      'migrate',
      'org create',
      'depot create',
      'depot rekey',
      'depot revoke',
      'depot list',
      'user create',
    ]) {
      expect(overview.stdout).toContain(`  ${name} `);
    }
    const help = await cli.run(['depot', 'create', '--help'], { env: { KEYDEPOT_UDP_PORT: 'abc' } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--compartments <1-64>');
    expect((await cli.run([])).code).toBe(2);
    expect(await cli.run(['depot'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("'depot' needs one of: depot create"),
    });
    expect(await cli.run(['fly'])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'fly'") });
  });

  it('reports bad settings plainly before doing anything', async () => {
    const run = await cli.run(['depot', 'list'], { env: { KEYDEPOT_UDP_PORT: 'abc', KEYDEPOT_LOG_LEVEL: 'loud' } });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: the configuration is wrong:\n' +
        "  KEYDEPOT_UDP_PORT must be a port number, got 'abc'\n" +
        "  KEYDEPOT_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'\n",
    });
  });

  it('user reset-password prints a one-time link that sets a new password through the portal', async () => {
    await cli.run(['user', 'create', '--username', 'fritz']);
    const run = await cli.run([
      'user',
      'reset-password',
      '--username',
      'fritz',
      '--portal-url',
      'https://portal.example.org/',
    ]);
    expect(run.code).toBe(0);
    const token = /^https:\/\/portal\.example\.org\/set-password\/(\S+)$/m.exec(run.stdout)?.[1];
    expect(token).toBeDefined();
    const { db } = cli.database;
    expect(await passwordTokenUser(db, token as string, cli.nowMs)).toBe((await findUserByUsername(db, 'fritz'))?.id);
    expect(await cli.run(['user', 'reset-password', '--username', 'nobody'])).toMatchObject({
      code: 1,
      stderr: "error: there is no user named 'nobody'\n",
    });
    expect((await cli.run(['user', 'reset-password', '--username', 'fritz', '--portal-url', 'ftp://x'])).code).toBe(1);
    expect(await listAudit(db, { action: 'user.password-reset' })).toHaveLength(1);
  });
});
