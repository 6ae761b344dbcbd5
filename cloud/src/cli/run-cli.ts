import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { BundleError, type CryptoBackend, loadCryptoBackend } from '@keydepot/shared';
import { ConfigError, loadConfig } from '../config.js';
import { KeyFileError } from '../keys/secret-key-file.js';
import { openDatabase, type StoreDatabase } from '../store/database.js';
import { DepotNotFoundError, DepotRevokedError } from '../store/depots.js';
import { migrateToLatest } from '../store/migrate.js';
import { OrganisationExistsError } from '../store/organisations.js';
import { UserExistsError } from '../store/users.js';
import { type CliContext, CliError, type CliIo, type Command, UsageError } from './command.js';
import { COMMANDS } from './commands.js';

const PROGRAM = 'keydepot-cloud';

/** Failures a user can act on from the message alone: no "unexpected" label, no stack. */
const EXPECTED_ERRORS = [
  CliError,
  ConfigError,
  KeyFileError,
  BundleError,
  DepotNotFoundError,
  DepotRevokedError,
  OrganisationExistsError,
  UserExistsError,
  RangeError,
];

/**
 * Runs one command line (without `node` and the script) and returns the exit
 * code: 0 done, 1 failed (message on stderr), 2 wrong usage. Never throws and
 * never calls process.exit, so tests run it in-process.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(overview(commands));
    return first === undefined ? 2 : 0;
  }
  const command =
    commands.find((c) => second !== undefined && c.name === `${first} ${second}`) ??
    commands.find((c) => c.name === first);
  if (!command) {
    const group = commands.filter((c) => c.name.startsWith(`${first} `));
    const known = group.length > 0 ? group : commands;
    const what = group.length > 0 ? `'${first}' needs one of` : `unknown command '${first}'; commands are`;
    io.stderr.write(`error: ${what}: ${known.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);

  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: command.options,
      strict: true,
      allowPositionals: command.positional !== undefined,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
    if (parsed.positionals.length > 1) throw new Error(`only one ${command.positional} may be given`);
    if (command.positional && parsed.positionals[0] !== undefined) values[command.positional] = parsed.positionals[0];
  } catch (error) {
    return usageFailure(io, command, (error as Error).message);
  }
  if (values.help === true) {
    io.stdout.write(commandHelp(command));
    return 0;
  }

  let context: ContextWithClose | undefined;
  try {
    context = createContext(io);
    await command.run(context, values);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, command, error.message);
    if (error instanceof ConfigError) {
      io.stderr.write(`error: the configuration is wrong:\n${error.problems.map((p) => `  ${p}\n`).join('')}`);
      return 1;
    }
    const expected = EXPECTED_ERRORS.some((kind) => error instanceof kind);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${expected ? '' : 'unexpected failure: '}${message}\n`);
    if (!expected && error instanceof Error && /debug|trace/.test(io.env.KEYDEPOT_LOG_LEVEL ?? '')) {
      io.stderr.write(`${error.stack}\n`);
    }
    return 1;
  } finally {
    await context?.close();
  }
}

interface ContextWithClose extends CliContext {
  close(): Promise<void>;
}

function createContext(io: CliIo): ContextWithClose {
  const config = loadConfig(io.env);
  let store: Promise<StoreDatabase> | undefined;
  let migrated = false;
  let backend: Promise<CryptoBackend> | undefined;
  return {
    config,
    io,
    cwd: io.cwd ?? process.cwd(),
    now: io.now ?? Date.now,
    async store(options = {}) {
      store ??= openStore(config.databaseUrl);
      const opened = await store;
      if (options.migrate !== false && !migrated) {
        await migrateToLatest(opened);
        migrated = true;
      }
      return opened;
    },
    crypto() {
      backend ??= loadCryptoBackend(config.cryptoBackend);
      return backend;
    },
    print(line = '') {
      io.stdout.write(`${line}\n`);
    },
    async close() {
      if (store) await (await store.catch(() => undefined))?.close();
    },
  };
}

async function openStore(url: string): Promise<StoreDatabase> {
  // The default SQLite file lives in the data folder, which may not exist on a first run.
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : '';
  if (path !== '' && path !== ':memory:') await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  return openDatabase(url);
}

function usageFailure(io: CliIo, command: Command, message: string): number {
  io.stderr.write(`error: ${message}\nsee: ${PROGRAM} ${command.name} --help\n`);
  return 2;
}

function commandHelp(command: Command): string {
  const options = [...command.help, '-h, --help              this text'];
  return `${PROGRAM} ${command.name}: ${command.summary}\n\nOptions:\n${options.map((o) => `  ${o}\n`).join('')}`;
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`).join('');
  return (
    `Usage: ${PROGRAM} <command> [options]\n\nCommands:\n${lines}\n` +
    `Settings come from KEYDEPOT_* environment variables and the JSON file KEYDEPOT_CONFIG names (docs/operations.md).\n` +
    `${PROGRAM} <command> --help shows a command's options.\n`
  );
}
